import { describe, expect, it } from 'vitest';
import { normalizeProject } from '../../../src/spec/normalize/index.js';
import { desiredSwarm } from '../../../src/swarm/desired.js';
import { rawFromYaml } from '../spec/helpers/raw-from-yaml.js';

/** The swarm layer's errors and warnings for a stack written as YAML (project "test"). */
function swarmProblems(text: string, projectName = 'test'): { errors: string[]; warnings: string[] } {
  const { stack, problems } = normalizeProject(rawFromYaml(text, 'stack.yml', { projectName }));
  expect(problems).toEqual([]);
  const d = desiredSwarm(stack, { read: () => Buffer.from('x'), env: {} });
  const show = (p: { path: (string | number)[]; message: string }) => `${p.path.join('.')}: ${p.message}`;
  return { errors: d.errors.map(show), warnings: d.warnings.map(show) };
}

describe('swarm limits: what the engine would refuse or leave pending', () => {
  it('a fixed ingress port with 2 replicas is neither an error nor a warning', () => {
    expect(
      swarmProblems(`services:
  web:
    image: x
    ports: ["18483:8080"]
    deploy: { replicas: 2 }
`),
    ).toEqual({ errors: [], warnings: [] });
  });

  it('host mode: a warning for replicas beyond one per node, and for a port two services share', () => {
    const { errors, warnings } = swarmProblems(`services:
  a:
    image: x
    ports: [{ target: 80, published: 8080, mode: host }]
    deploy: { replicas: 2 }
  b:
    image: x
    ports: [{ target: 80, published: 8080, mode: host }, { target: 81, mode: host }]
  g:
    image: x
    ports: [{ target: 80, published: 7070, mode: host }]
    deploy: { mode: global }
`);
    expect(errors).toEqual([]);
    expect(warnings).toEqual([
      'services.a.ports.0: host-mode port 8080/tcp is bound on the node of each task, so Swarm runs at most one of the 2 replicas per node; the rest stay pending on fewer nodes (leave mode: host out to publish through the routing mesh)',
      'services.b.ports.0: host-mode port 8080/tcp is also published by service "a"; Swarm runs their tasks on different nodes, so on one node one of them stays pending',
    ]);
  });

  it('endpoint_mode dnsrr with an ingress-mode port is an error; with host mode it is not', () => {
    expect(
      swarmProblems(`services:
  a:
    image: x
    ports: ["8080:80", { target: 81, published: 8081, mode: host }, "82"]
    deploy: { endpoint_mode: dnsrr }
`).errors,
    ).toEqual([
      'services.a.ports.0: Swarm serves an ingress-mode port through a virtual IP, which endpoint_mode: dnsrr does not have; publish it with mode: host or use endpoint_mode: vip',
      'services.a.ports.2: Swarm serves an ingress-mode port through a virtual IP, which endpoint_mode: dnsrr does not have; publish it with mode: host or use endpoint_mode: vip',
    ]);
  });

  it('service names that are not DNS labels or longer than 63 characters', () => {
    const long = 'p'.repeat(58);
    expect(
      swarmProblems(`services:
  web.api: { image: x }
  web-: { image: x }
  ok_1: { image: x }
`).errors,
    ).toEqual([
      'services.web.api: Swarm service name "test_web.api" is not a DNS label: use letters, digits, "-" and "_", ending with a letter or digit',
      'services.web-: Swarm service name "test_web-" is not a DNS label: use letters, digits, "-" and "_", ending with a letter or digit',
    ]);
    expect(swarmProblems(`services:\n  abcd: { image: x }\n`, long).errors).toEqual([]);
    expect(swarmProblems(`services:\n  abcde: { image: x }\n`, long).errors).toEqual([
      `services.abcde: Swarm service name "${long}_abcde" is longer than 63 characters; shorten the project or service name`,
    ]);
  });

  it('secret and config names that leave no room for the content hash; external ones are used as named', () => {
    const name = 's'.repeat(54);
    expect(
      swarmProblems(`services:
  a: { image: x }
secrets:
  ok: { name: ${'s'.repeat(53)}, content: x }
  long: { name: ${name}, content: x }
  ext: { name: ${'e'.repeat(64)}, external: true }
configs:
  c: { name: ${name}, content: x }
`).errors,
    ).toEqual([
      `secrets.long: Swarm secret names are at most 64 characters, and "${name}" needs 11 more for its content hash; shorten it to 53`,
      `configs.c: Swarm config names are at most 64 characters, and "${name}" needs 11 more for its content hash; shorten it to 53`,
    ]);
  });
});
