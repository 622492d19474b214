import { describe, expect, it } from 'vitest';
import { checkStack } from '../../../src/spec/check.js';
import { normalizeProject } from '../../../src/spec/normalize/index.js';
import type { RawProject } from '../../../src/spec/raw.js';
import type { Target } from '../../../src/spec/types.js';
import { formatted } from './helpers/normalize.js';
import { rawFromYaml } from './helpers/raw-from-yaml.js';

/** Normalizes then checks; normalization must be clean so only check problems are seen. */
function check(text: string, extra: Partial<RawProject> = {}, target: Target = 'local'): string[] {
  const raw = rawFromYaml(text, 'stack.yml', extra);
  const { stack, problems } = normalizeProject(raw);
  expect(formatted(problems)).toEqual([]);
  return formatted(checkStack(stack, raw, { target }));
}

const checkSwarm = (text: string): string[] => check(text, {}, 'swarm');

describe('references to services', () => {
  it('names that are also Object.prototype members are references like any other', () => {
    const problems = check(`services:
  web:
    image: x
    depends_on:
      constructor:
        condition: service_started
    networks: [toString]
    volumes: ["hasOwnProperty:/d"]
`);
    expect(problems).toHaveLength(3);
    expect(problems.join('\n')).toMatch(/"constructor" is not a service/);
    expect(problems.join('\n')).toMatch(/network "toString" is not declared/);
    expect(problems.join('\n')).toMatch(/volume "hasOwnProperty" is not declared/);
  });

  it('a valid stack has no problems', () => {
    expect(
      check(`services:
  db:
    image: x
  web:
    image: x
    depends_on: [db]
    links: ["db:database"]
    volumes_from: [db, "container:other"]
  sidecar:
    image: x
    network_mode: service:web
`),
    ).toEqual([]);
  });

  it('unknown services in depends_on (list and map), links, network_mode and volumes_from', () => {
    expect(
      check(`services:
  db:
    image: x
  web:
    image: x
    depends_on: [db, dbb]
    links: [cache]
    network_mode: service:proxy
    volumes_from: ["service:data:ro"]
  worker:
    image: x
    depends_on:
      queue: { condition: service_healthy }
    ipc: service:shm
    pid: service:pids
`),
    ).toEqual([
      'stack.yml:6:22 services.web.depends_on[1]: depends on "dbb" is not a service in this stack (did you mean "db"?)',
      'stack.yml:7:13 services.web.links[0]: links to "cache" is not a service in this stack',
      'stack.yml:8:19 services.web.network_mode: network_mode uses "proxy" is not a service in this stack',
      'stack.yml:9:20 services.web.volumes_from[0]: volumes_from "data" is not a service in this stack',
      'stack.yml:13:7 services.worker.depends_on.queue: depends on "queue" is not a service in this stack',
      'stack.yml:14:10 services.worker.ipc: ipc uses "shm" is not a service in this stack',
      'stack.yml:15:10 services.worker.pid: pid uses "pids" is not a service in this stack',
    ]);
  });
});

describe('optional dependencies', () => {
  it('a missing service under depends_on with required: false is not an error', () => {
    expect(
      check(`services:\n  web:\n    image: x\n    depends_on:\n      metrics: { required: false }\n`),
    ).toEqual([]);
  });
});

describe('dependency cycles', () => {
  it('printed as a → b → c → a, once, starting from the first name', () => {
    expect(
      check(`services:
  c:
    image: x
    depends_on: [a]
  b:
    image: x
    depends_on: [c]
  a:
    image: x
    depends_on: [b]
`),
    ).toEqual(['stack.yml:10:18 services.a.depends_on[0]: dependency cycle: a → b → c → a']);
  });

  it('a service depending on itself', () => {
    expect(check(`services:\n  a:\n    image: x\n    depends_on: { a: {} }\n`)).toEqual([
      'stack.yml:4:19 services.a.depends_on.a: dependency cycle: a → a',
    ]);
  });

  it('cycles through links and network_mode count too', () => {
    expect(
      check(`services:
  a:
    image: x
    links: [b]
  b:
    image: x
    network_mode: service:a
`),
    ).toEqual(['stack.yml:4:13 services.a.links[0]: dependency cycle: a → b → a']);
  });

  it('cycles through volumes_from and ipc are located at the key that makes them', () => {
    expect(
      check(`services:
  a:
    image: x
    volumes_from: [b]
  b:
    image: x
    ipc: service:a
`),
    ).toEqual(['stack.yml:4:20 services.a.volumes_from[0]: dependency cycle: a → b → a']);
    expect(
      check(`services:
  a:
    image: x
    ipc: service:b
  b:
    image: x
    pid: service:a
`),
    ).toEqual(['stack.yml:4:5 services.a.ipc: dependency cycle: a → b → a']);
  });

  it('two separate cycles are both reported', () => {
    expect(
      check(`services:
  a: { image: x, depends_on: [b] }
  b: { image: x, depends_on: [a] }
  c: { image: x, depends_on: [d] }
  d: { image: x, depends_on: [c] }
`),
    ).toEqual([
      'stack.yml:2:31 services.a.depends_on[0]: dependency cycle: a → b → a',
      'stack.yml:4:31 services.c.depends_on[0]: dependency cycle: c → d → c',
    ]);
  });
});

describe('undeclared top-level objects', () => {
  it('networks, volumes, secrets and configs', () => {
    expect(
      check(`services:
  web:
    image: x
    networks: [front, bak]
    volumes:
      - data:/data
      - ./local:/local
      - { type: volume, source: cache, target: /cache }
    secrets: [token]
    configs: [{ source: conf, target: /etc/conf }]
networks:
  front: {}
  back: {}
volumes:
  data: {}
`),
    ).toEqual([
      'stack.yml:4:23 services.web.networks[1]: network "bak" is not declared under top-level networks (did you mean "back"?)',
      'stack.yml:8:9 services.web.volumes[2]: volume "cache" is not declared under top-level volumes (a host path starts with ".", "/" or "~")',
      'stack.yml:9:15 services.web.secrets[0]: secret "token" is not declared under top-level secrets',
      'stack.yml:10:15 services.web.configs[0]: config "conf" is not declared under top-level configs',
    ]);
  });

  it('a short-syntax source that is not a path and not declared', () => {
    expect(check(`services:\n  web:\n    image: x\n    volumes: ["data:/data"]\n`)).toEqual([
      'stack.yml:4:15 services.web.volumes[0]: volume "data" is not declared under top-level volumes (a host path starts with ".", "/" or "~")',
    ]);
  });
});

describe('host port clashes', () => {
  it('two services on the same port and protocol; 0.0.0.0 clashes with any address', () => {
    expect(
      check(`services:
  a:
    image: x
    ports: ["8080:80", "127.0.0.1:9090:90"]
  b:
    image: x
    ports: ["127.0.0.1:8080:81", "9090:91", "8080:80/udp", "127.0.0.2:9091:92"]
  c:
    image: x
    ports: ["127.0.0.3:9091:93"]
`),
    ).toEqual([
      'stack.yml:7:13 services.b.ports[0]: host port 127.0.0.1:8080/tcp is already published by service "a"',
      'stack.yml:7:34 services.b.ports[1]: host port 9090/tcp is already published by service "a"',
    ]);
  });

  it('ports expanded from a range clash with other services', () => {
    expect(
      check(`services:
  a:
    image: x
    ports: ["8000-8002:80-82"]
  b:
    image: x
    ports:
      - target: 80
        published: 8002
`),
    ).toEqual(['stack.yml:8:9 services.b.ports[0]: host port 8002/tcp is already published by service "a"']);
  });

  it('a fixed host port with more than one replica clashes; a published range or none does not', () => {
    expect(
      check(`services:
  a:
    image: x
    scale: 3
    ports: ["8080:80", "9000-9010:90", "70"]
`),
    ).toEqual([
      'stack.yml:5:13 services.a.ports[0]: host port 8080/tcp is fixed but the service has 3 replicas; publish a range or leave the host port out',
    ]);
  });

  it('a published range smaller than the replica count', () => {
    expect(
      check(`services:\n  a:\n    image: x\n    scale: 3\n    ports: ["8000-8001:80", "9000-9002:90"]\n`),
    ).toEqual([
      'stack.yml:5:13 services.a.ports[0]: host ports 8000-8001 are fewer than the 3 replicas that need one each',
    ]);
  });

  it('the same port twice in one service', () => {
    expect(check(`services:\n  a:\n    image: x\n    ports: ["80:80", "80:81"]\n`)).toEqual([
      'stack.yml:4:22 services.a.ports[1]: host port 80/tcp is already published by another port of this service',
    ]);
  });
});

describe('host ports on the swarm target (swarmkit rules, docs/swarm.md)', () => {
  // Issue 14 item 2: the routing mesh serves a fixed ingress port for any number of replicas.
  const replicated = `services:
  web:
    image: tsstack-test/busybox:latest
    command: sh -c 'echo hi > /tmp/i.html && exec httpd -f -p 8080 -h /tmp'
    ports: ["18483:8080"]
    deploy: { replicas: 2 }
`;

  it('a fixed port with 2 replicas: refused on one engine, accepted for Swarm', () => {
    expect(check(replicated)).toEqual([
      'stack.yml:5:13 services.web.ports[0]: host port 18483/tcp is fixed but the service has 2 replicas; publish a range or leave the host port out',
    ]);
    expect(checkSwarm(replicated)).toEqual([]);
  });

  it('host mode with replicas and a short range are left to the swarm layer', () => {
    expect(
      checkSwarm(`services:
  a:
    image: x
    scale: 3
    ports:
      - { target: 80, published: 8080, mode: host }
      - "9000-9001:90"
`),
    ).toEqual([]);
  });

  it('one service cannot publish a port twice, in any mode', () => {
    expect(
      checkSwarm(`services:
  a:
    image: x
    ports:
      - { target: 80, published: 8080, mode: host }
      - { target: 81, published: 8080, mode: host }
      - { target: 82, published: 8080 }
      - { target: 82, published: 8080, protocol: udp }
`),
    ).toEqual([
      'stack.yml:6:9 services.a.ports[1]: host port 8080/tcp is already published by another port of this service',
      'stack.yml:7:9 services.a.ports[2]: host port 8080/tcp is already published by another port of this service',
    ]);
  });

  it('an ingress port is taken for every other service; host-mode ports of two services coexist', () => {
    const mesh =
      ' (on Swarm a port published in ingress mode is taken on every node, so no other service can publish it)';
    expect(
      checkSwarm(`services:
  a:
    image: x
    ports: ["8080:80", { target: 80, published: 9090, mode: host }, "7070:70"]
  b:
    image: x
    ports:
      - { target: 80, published: 8080, mode: host }
      - { target: 80, published: 9090, mode: host }
      - "127.0.0.1:7070:70"
  c:
    image: x
    ports: ["9090:90", "8080:80/udp"]
`),
    ).toEqual([
      `stack.yml:8:9 services.b.ports[0]: host port 8080/tcp is already published by service "a"${mesh}`,
      // host_ip does not separate them: Swarm binds every address (the swarm layer refuses host_ip).
      `stack.yml:10:9 services.b.ports[2]: host port 7070/tcp is already published by service "a"${mesh}`,
      `stack.yml:13:13 services.c.ports[0]: host port 9090/tcp is already published by service "a"${mesh}`,
    ]);
  });

  it('container_name is left to the swarm layer, which refuses it whatever the replicas', () => {
    expect(
      checkSwarm(`services:
  a:
    image: x
    container_name: app
    deploy: { replicas: 2 }
  b:
    image: x
    container_name: app
`),
    ).toEqual([]);
  });

  it('references, cycles and names are checked for both targets', () => {
    expect(
      checkSwarm(`services:
  a:
    image: x
    depends_on: [b, nope]
  b:
    image: x
    depends_on: [a]
  "c!":
    image: x
`),
    ).toEqual([
      'stack.yml:4:21 services.a.depends_on[1]: depends on "nope" is not a service in this stack',
      'stack.yml:4:18 services.a.depends_on[0]: dependency cycle: a → b → a',
      'stack.yml:8:3 services.c!: service name "c!" is invalid: use letters, digits, "_", "." and "-", starting with a letter or digit',
    ]);
  });
});

describe('mount points', () => {
  it('two volumes at the same container path: the second is reported, paths compared after cleaning', () => {
    expect(
      check(`services:
  web:
    image: x
    volumes:
      - ./a:/data
      - /cache
      - named:/data/
      - type: tmpfs
        target: /cache
volumes:
  named: {}
`),
    ).toEqual([
      'stack.yml:7:9 services.web.volumes[2]: container path "/data" is already mounted by services.web.volumes[0]',
      'stack.yml:8:9 services.web.volumes[3]: container path "/cache" is already mounted by services.web.volumes[1]',
    ]);
  });
});

describe('container_name and names', () => {
  it('container_name with more than one replica', () => {
    expect(
      check(`services:\n  a:\n    image: x\n    container_name: app\n    deploy: { replicas: 2 }\n`),
    ).toEqual([
      'stack.yml:4:21 services.a.container_name: container_name "app" cannot be used with 2 replicas (container names are unique)',
    ]);
  });

  it('the same container_name on two services', () => {
    expect(
      check(
        `services:\n  a:\n    image: x\n    container_name: app\n  b:\n    image: x\n    container_name: app\n`,
      ),
    ).toEqual(['stack.yml:7:21 services.b.container_name: container_name "app" is also used by service "a"']);
  });

  it('invalid service, container, network and volume names', () => {
    expect(
      check(`services:
  "-bad":
    image: x
  ok:
    image: x
    container_name: "../../x"
networks:
  "net work": {}
volumes:
  data:
    name: "../../etc"
`),
    ).toEqual([
      'stack.yml:2:3 services.-bad: service name "-bad" is invalid: use letters, digits, "_", "." and "-", starting with a letter or digit',
      'stack.yml:6:21 services.ok.container_name: container_name "../../x" is invalid: use letters, digits, "_", "." and "-", starting with a letter or digit',
      'stack.yml:8:3 networks.net work: network "net work" is invalid: use letters, digits, "_", "." and "-", starting with a letter or digit',
      'stack.yml:11:11 volumes.data.name: volume name "../../etc" is invalid: use letters, digits, "_", "." and "-", starting with a letter or digit',
    ]);
  });

  it('an invalid project name', () => {
    expect(check(`services:\n  a:\n    image: x\n`, { projectName: 'My Project' })).toEqual([
      'stack.yml:1:1 project name "My Project" is invalid: use lowercase letters, digits, "_" and "-", starting with a letter or digit',
    ]);
  });

  it('line breaks in label keys and values, and bad environment keys', () => {
    expect(
      check(`services:
  a:
    image: x
    labels:
      "bad\\nkey": v
      good: "line\\nbreak"
    environment:
      "": x
`),
    ).toEqual([
      'stack.yml:5:7 services.a.labels: labels key "bad\\nkey" is invalid',
      'stack.yml:8:7 services.a.environment: environment key "" is invalid',
      'stack.yml:6:13 services.a.labels.good: label "good" has a line break in its value',
    ]);
  });
});
