// `x-tsstack.processes`: host processes in the same file as the containers, normalized and checked with
// located errors (schema, references across the two kinds, cycles, and what the host must have).
import { describe, expect, it } from 'vitest';
import { SpecError, formatProblem } from '../../../src/spec/errors.js';
import { loadStack } from '../../../src/spec/index.js';
import type { Target } from '../../../src/spec/types.js';
import { tempProjects } from './load-helpers.js';

const project = tempProjects();

async function load(files: Record<string, string>, target: Target = 'local') {
  const dir = project({ ...files });
  return loadStack({
    files: ['compose.yaml'],
    cwd: dir,
    envFiles: [],
    profiles: [],
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
    target,
  });
}

/** The located problems of a stack that must not load, as `file:line:col path: message` lines. */
async function problems(files: Record<string, string>, target: Target = 'local'): Promise<string[]> {
  try {
    await load(files, target);
  } catch (err) {
    if (!(err instanceof SpecError)) throw err;
    return err.problems.map((p) => formatProblem({ ...p, frame: undefined }));
  }
  throw new Error('the stack loaded');
}

describe('x-tsstack.processes: the long form', () => {
  it('a string command runs through /bin/sh -c, a list as written; paths resolve against the project', async () => {
    const { stack } = await load({
      'api/.keep': '',
      'api.env': 'FROM_FILE=1\nPORT=1\n',
      'compose.yaml': `services:
  db:
    image: tsstack-test/busybox:latest
x-tsstack:
  processes:
    api:
      command: node server.js --port 3000
      working_dir: ./api
      env_file: api.env
      environment: { PORT: "3000" }
      depends_on:
        db: { condition: service_healthy }
      healthcheck:
        http_get: { port: 3000, path: health }
        interval: 1s
      restart: on-failure:3
      stop_signal: INT
      stop_grace_period: 3s
      ports: [3000, "127.0.0.1:3001"]
      build: npm run build
      develop:
        watch:
          - { path: ./api/src, action: restart }
          - { path: ./api/package.json, action: rebuild }
    worker:
      command: ["sleep", "1000"]
      healthcheck: { tcp: "localhost:3000" }
`,
    });
    const api = stack.processes.api!;
    expect(api.command).toEqual(['/bin/sh', '-c', 'node server.js --port 3000']);
    expect(api.working_dir).toBe(`${stack.projectDir}/api`);
    expect(api.environment).toEqual({ FROM_FILE: '1', PORT: '3000' });
    expect(api.depends_on.db).toEqual({ condition: 'service_healthy', required: true, restart: false });
    expect(api.healthcheck).toEqual({
      disable: false,
      interval: 1000,
      probe: { kind: 'http', url: 'http://127.0.0.1:3000/health' },
    });
    expect(api).toMatchObject({
      restart: 'on-failure:3',
      stop_signal: 'SIGINT',
      stop_grace_period: 3000,
      ports: [{ port: 3000 }, { port: 3001, host_ip: '127.0.0.1' }],
      replicas: 1,
      build: ['/bin/sh', '-c', 'npm run build'],
    });
    expect(api.develop?.watch.map((r) => [r.action, r.path])).toEqual([
      ['restart', `${stack.projectDir}/api/src`],
      ['rebuild', `${stack.projectDir}/api/package.json`],
    ]);
    const worker = stack.processes.worker!;
    expect(worker.command).toEqual(['sleep', '1000']);
    expect(worker.working_dir).toBe(stack.projectDir);
    expect(worker.healthcheck?.probe).toEqual({ kind: 'tcp', host: 'localhost', port: 3000 });
    expect(worker).toMatchObject({ restart: 'no', stop_signal: 'SIGTERM', stop_grace_period: 10_000 });
  });

  it('a service waits for a process under x-tsstack.depends_on; Compose keys stay untouched', async () => {
    const { stack } = await load({
      'compose.yaml': `services:
  web:
    image: tsstack-test/busybox:latest
    x-tsstack:
      depends_on:
        api: { condition: service_started }
x-tsstack:
  processes:
    api: { command: ["true"] }
`,
    });
    expect(stack.services.web?.depends_on).toEqual({});
    expect(stack.services.web?.process_depends_on).toEqual({
      api: { condition: 'service_started', required: true, restart: false },
    });
  });

  it('profiles apply to processes, and a running service brings the process it waits for', async () => {
    const files = {
      'compose.yaml': `services:
  web:
    image: tsstack-test/busybox:latest
    profiles: [web]
    x-tsstack:
      depends_on: [api]
x-tsstack:
  processes:
    api: { command: ["true"], profiles: [backend] }
    tools: { command: ["true"], profiles: [tools] }
`,
    };
    const dir = project(files);
    const opts = { files: ['compose.yaml'], cwd: dir, envFiles: [], env: { PATH: process.env.PATH ?? '' } };
    const none = await loadStack({ ...opts, profiles: [] });
    expect(Object.keys(none.stack.processes)).toEqual([]);
    const web = await loadStack({ ...opts, profiles: ['web'] });
    expect(Object.keys(web.stack.processes)).toEqual(['api']);
    expect(Object.keys(web.stack.services)).toEqual(['web']);
  });

  it('health tests: CMD, CMD-SHELL, a string, a plain list and NONE', async () => {
    const { stack } = await load({
      'compose.yaml': `x-tsstack:
  processes:
    a: { command: ["true"], healthcheck: { test: ["CMD", "test", "-f", "ready"] } }
    b: { command: ["true"], healthcheck: { test: ["CMD-SHELL", "test -f ready"] } }
    c: { command: ["true"], healthcheck: { test: "test -f ready" } }
    d: { command: ["true"], healthcheck: { test: ["test", "-f", "ready"] } }
    e: { command: ["true"], healthcheck: { test: ["NONE"] } }
`,
    });
    const probe = (n: string) => stack.processes[n]?.healthcheck?.probe;
    expect(probe('a')).toEqual({ kind: 'command', command: ['test', '-f', 'ready'] });
    expect(probe('b')).toEqual({ kind: 'command', command: ['/bin/sh', '-c', 'test -f ready'] });
    expect(probe('c')).toEqual({ kind: 'command', command: ['/bin/sh', '-c', 'test -f ready'] });
    expect(probe('d')).toEqual({ kind: 'command', command: ['test', '-f', 'ready'] });
    expect(stack.processes.e?.healthcheck).toEqual({ disable: true });
  });
});

describe('x-tsstack.processes: located errors', () => {
  it('schema: a misspelled key, a missing command, a bad port and a bad action, each at its line', async () => {
    expect(
      await problems({
        'compose.yaml': `x-tsstack:
  processes:
    api:
      comand: ["true"]
    web:
      command: ["true"]
      ports: ["300a"]
      restrat: always
      develop:
        watch: [{ path: ., action: sync }]
`,
      }),
    ).toEqual([
      'compose.yaml:4:7 x-tsstack.processes.api: missing required key "command"',
      'compose.yaml:4:7 x-tsstack.processes.api.comand: unknown key "comand" (did you mean "command"?)',
      'compose.yaml:7:15 x-tsstack.processes.web.ports[0]: must be a port (3000) or an address and port (127.0.0.1:3000) (got "300a")',
      'compose.yaml:8:7 x-tsstack.processes.web.restrat: unknown key "restrat" (did you mean "restart"?)',
      'compose.yaml:10:36 x-tsstack.processes.web.develop.watch[0].action: must be one of: restart, rebuild (got "sync")',
    ]);
  });

  it('a command that is not found and a working_dir that does not exist', async () => {
    expect(
      await problems({
        'compose.yaml': `x-tsstack:
  processes:
    a:
      command: ["no-such-program-tsstack"]
    b:
      command: no-such-program-tsstack --flag
    c:
      command: ["./missing.sh"]
    d:
      command: ["true"]
      working_dir: ./nope
    e:
      command: cd sub && ./anything
`,
      }),
    ).toEqual([
      'compose.yaml:4:17 x-tsstack.processes.a.command[0]: command not found: "no-such-program-tsstack" is not in PATH',
      'compose.yaml:6:16 x-tsstack.processes.b.command: command not found: "no-such-program-tsstack" is not in PATH',
      expect.stringMatching(
        /^compose\.yaml:8:17 x-tsstack\.processes\.c\.command\[0\]: command not found: "\.\/missing\.sh" is not an executable file \(from \/.*\)$/,
      ),
      expect.stringMatching(
        /^compose\.yaml:11:20 x-tsstack\.processes\.d\.working_dir: working_dir \/.*\/nope does not exist \(or is not a folder\)$/,
      ),
    ]);
  });

  it('references across kinds: unknown names, the wrong key for each kind, a shared name', async () => {
    expect(
      await problems({
        'compose.yaml': `services:
  db:
    image: x
    depends_on: [api]
  web:
    image: x
    x-tsstack:
      depends_on:
        apii: { condition: service_started }
        db: { condition: service_started }
x-tsstack:
  processes:
    api:
      command: ["true"]
      depends_on: [dbb]
    db:
      command: ["true"]
`,
      }),
    ).toEqual([
      'compose.yaml:4:18 services.db.depends_on[0]: "api" is a host process: wait for it under x-tsstack.depends_on, which Compose ignores',
      'compose.yaml:9:9 services.web.x-tsstack.depends_on.apii: "apii" is not a host process in this stack (did you mean "api"?)',
      'compose.yaml:10:9 services.web.x-tsstack.depends_on.db: "db" is a service: wait for it under depends_on (x-tsstack.depends_on names host processes)',
      'compose.yaml:15:20 x-tsstack.processes.api.depends_on[0]: depends on "dbb", which is neither a service nor a host process in this stack (did you mean "db"?)',
      'compose.yaml:16:5 x-tsstack.processes.db: "db" is both a service and a host process; give one of them another name',
    ]);
  });

  it('a dependency cycle across containers and processes, reported once at its first member', async () => {
    expect(
      await problems({
        'compose.yaml': `services:
  web:
    image: x
    x-tsstack:
      depends_on: [api]
x-tsstack:
  processes:
    api:
      command: ["true"]
      depends_on: [web]
`,
      }),
    ).toEqual([
      'compose.yaml:10:20 x-tsstack.processes.api.depends_on[0]: dependency cycle: api → web → api',
    ]);
  });

  it('conditions that cannot hold, ports with replicas, rebuild without build, a bad signal, port clashes', async () => {
    expect(
      await problems({
        'compose.yaml': `services:
  web:
    image: x
    ports: ["3000:80"]
    x-tsstack:
      depends_on:
        api: { condition: service_healthy }
x-tsstack:
  processes:
    api:
      command: ["true"]
      ports: [3000]
      replicas: 2
      stop_signal: SIGFOO
      develop:
        watch: [{ path: ., action: rebuild }]
`,
      }),
    ).toEqual([
      'compose.yaml:7:9 services.web.x-tsstack.depends_on.api: condition service_healthy needs a health check, and host process "api" has none (add x-tsstack.processes.api.healthcheck)',
      'compose.yaml:12:15 x-tsstack.processes.api.ports[0]: port 3000/tcp is also used by service "web"',
      'compose.yaml:13:17 x-tsstack.processes.api.replicas: 2 replicas cannot all listen on the same ports; run one replica, or leave ports out and give each replica its own port (TSSTACK_REPLICA is set in its environment)',
      'compose.yaml:14:20 x-tsstack.processes.api.stop_signal: "SIGFOO" is not a signal (expected e.g. SIGTERM, SIGINT, SIGQUIT)',
      "compose.yaml:16:36 x-tsstack.processes.api.develop.watch[0].action: action rebuild runs the process's build command, and x-tsstack.processes.api.build is not set",
    ]);
  });

  it('a health check with two probes, and processes on a Swarm target', async () => {
    const files = {
      'compose.yaml': `x-tsstack:
  processes:
    api:
      command: ["true"]
      healthcheck: { tcp: 3000, http_get: "http://127.0.0.1:3000/" }
`,
    };
    expect(await problems(files)).toEqual([
      'compose.yaml:5:27 x-tsstack.processes.api.healthcheck.tcp: a health check takes one of test, http_get and tcp, not http_get and tcp',
    ]);
    expect(
      await problems(
        { 'compose.yaml': 'x-tsstack:\n  processes:\n    api: { command: ["true"] }\n' },
        'swarm',
      ),
    ).toEqual([
      'compose.yaml:2:3 x-tsstack.processes: host processes run on this machine only; --target swarm does not run x-tsstack.processes',
    ]);
  });

  it('unknown options under x-tsstack warn per level (processes belong at the top)', async () => {
    const { warnings } = await load({
      'compose.yaml': `services:
  web:
    image: x
    x-tsstack:
      processes: {}
x-tsstack:
  depends_on: []
`,
    });
    expect(warnings.map((w) => `${w.path}: ${w.message}`)).toEqual([
      'x-tsstack.depends_on: unknown tsstack option "depends_on"; ignored',
      'services.web.x-tsstack.processes: unknown tsstack option "processes"; ignored',
    ]);
  });
});
