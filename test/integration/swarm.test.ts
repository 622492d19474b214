/**
 * `--target swarm` against the real engine as a single-node swarm. If the engine is not in a swarm, the test
 * initialises one on 127.0.0.1 and leaves it afterwards (only then); a swarm that was already there is kept.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { docker, eventually, freePort, spawnCli, stopCli, tsstack, uniqueName } from './helpers/stack-cli.js';
import { removeSwarmProject, startSwarmSession, type SwarmSession } from './helpers/swarm-session.js';
import { HAS_TMUX, TmuxTerminals } from './helpers/tmux.js';

const IMAGE = 'tsstack-test/busybox:latest';
const project = uniqueName('t-swarm');
const rollingProject = uniqueName('t-swarm-roll');
const liveProject = uniqueName('t-swarm-live');
const uiProject = uniqueName('t-swarm-ui');
const redeployProject = uniqueName('t-swarm-again');
// The live UI runs in a real pseudo-terminal: tmux, on a socket of this file's own.
const term = new TmuxTerminals();
const filter = (extra: Record<string, string[]> = {}, p = project) =>
  JSON.stringify({ label: [`io.tsstack.project=${p}`], ...extra });
let dir = '';
let file = '';
let port = 0;
let session: SwarmSession | undefined;

function stackYaml(version: string, replicas: number): string {
  return `name: ${project}
services:
  web:
    image: ${IMAGE}
    command:
      - sh
      - -c
      - |
        mkdir -p /www && cat /cfg > /www/index.html && echo "$$PAGE_VERSION" >> /www/index.html
        exec httpd -f -p 80 -h /www
    environment:
      PAGE_VERSION: "${version}"
    # Host mode: this machine's kernel has no IPVS, which the ingress routing mesh needs (see docs/swarm.md).
    ports:
      - target: 80
        published: ${port}
        mode: host
    volumes:
      - data:/data
    configs:
      - source: page
        target: /cfg
    secrets:
      - token
    healthcheck:
      test: ["CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1/"]
      interval: 1s
      timeout: 2s
      retries: 3
    stop_grace_period: 2s
    deploy:
      replicas: 1
      update_config:
        order: start-first
        parallelism: 1
        delay: 1s
      restart_policy:
        condition: any
      resources:
        limits:
          memory: 64M
  worker:
    image: ${IMAGE}
    command: ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1; done"]
    stop_grace_period: 1s
    deploy:
      replicas: ${replicas}
      placement:
        constraints: ["node.role == manager"]
configs:
  page:
    content: "hello from swarm"
secrets:
  token:
    file: ./token.txt
volumes:
  data: {}
`;
}

function write(version: string, replicas: number): void {
  writeFileSync(file, stackYaml(version, replicas));
}

function get(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { timeout: 3000 }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.end();
  });
}

const swarm = (args: string[], timeoutMs = 150_000) =>
  tsstack(['-f', file, ...args, '--target', 'swarm'], {}, timeoutMs);

interface PsRow {
  Service: string;
  Desired: number;
  Running: number;
  Ports: { published?: number }[];
  Tasks: unknown[];
}

async function psJson(): Promise<PsRow[]> {
  const r = await swarm(['ps', '--format', 'json']);
  expect(r.stderr).toBe('');
  return r.stdout
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as PsRow);
}

beforeAll(async () => {
  session = await startSwarmSession();
  dir = mkdtempSync(path.join(tmpdir(), 'tsstack-swarm-'));
  file = path.join(dir, 'stack.yml');
  writeFileSync(path.join(dir, 'token.txt'), 's3cret');
  port = await freePort();
  write('v1', 2);
}, 660_000);

afterAll(async () => {
  try {
    for (const p of [project, rollingProject, liveProject, uiProject, redeployProject])
      await removeSwarmProject(p);
    term.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  } finally {
    await session?.end();
  }
}, 180_000);

describe('tsstack --target swarm on a single-node swarm', () => {
  it('deploys the stack: published (host-mode) port answers, config/secret/volume/overlay in place', async () => {
    const up = await swarm(['up', '--wait']);
    expect(up.stderr).toContain(`create service ${project}_web (no service)`);
    expect(up.code).toBe(0);
    expect(
      await eventually(async () => (await get(`http://127.0.0.1:${port}/`)).body.includes('v1'), 30_000),
    ).toBe(true);
    const page = await get(`http://127.0.0.1:${port}/`);
    expect(page.body).toBe('hello from swarmv1\n');
    const nets = await docker.listNetworks({ filters: filter() });
    expect(nets.map((n) => [n.Name, n.Driver, n.Attachable])).toEqual([
      [`${project}_default`, 'overlay', true],
    ]);
    expect((await docker.listSecrets({ filters: filter() })).map((s) => s.Spec?.Name)).toEqual([
      expect.stringMatching(new RegExp(`^${project}_token_[0-9a-f]{10}$`)),
    ]);
    const [svc] = await docker.listServices({ filters: filter({ name: [`${project}_web`] }) });
    const spec = svc?.Spec as {
      TaskTemplate: { Resources: { Limits: { MemoryBytes: number } } };
      UpdateConfig: { Order: string };
    };
    expect(spec.TaskTemplate.Resources.Limits.MemoryBytes).toBe(64 * 1024 * 1024);
    expect(spec.UpdateConfig.Order).toBe('start-first');
    const ps = await psJson();
    expect(ps.map((s) => [s.Service, s.Running, s.Desired])).toEqual([
      ['web', 1, 1],
      ['worker', 2, 2],
    ]);
  }, 180_000);

  it('a second up plans and changes nothing', async () => {
    const before = (await docker.listServices({ filters: filter() })).map((s) => s.Version?.Index).sort();
    const dry = await swarm(['up', '--dry-run']);
    expect(dry.stdout).toBe('nothing to do\n');
    const up = await swarm(['up', '-d']);
    expect(up.code).toBe(0);
    expect(up.stderr).toBe('');
    const after = (await docker.listServices({ filters: filter() })).map((s) => s.Version?.Index).sort();
    expect(after).toEqual(before);
  }, 120_000);

  it('plain containers on a bridge network still work while the engine is in swarm mode', async () => {
    const net = await docker.createNetwork({
      Name: `${project}_plain`,
      Driver: 'bridge',
      Labels: { 'io.tsstack.project': project },
    });
    const c = await docker.createContainer({
      Image: IMAGE,
      Cmd: ['sh', '-c', 'echo plain-ok'],
      Labels: { 'io.tsstack.project': project },
      HostConfig: { NetworkMode: `${project}_plain` },
    });
    try {
      await c.start();
      const res = (await c.wait()) as { StatusCode: number };
      expect(res.StatusCode).toBe(0);
      expect((await c.logs({ stdout: true })).toString()).toContain('plain-ok');
    } finally {
      await c.remove({ force: true });
      await net.remove();
    }
  }, 60_000);

  it('scale --target swarm sets the replica count of the service', async () => {
    const r = await swarm(['scale', 'worker=3']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(`update service ${project}_worker (scaled: replicas 2 → 3)\n`);
    expect(
      await eventually(
        async () => {
          const worker = (await psJson()).find((s) => s.Service === 'worker');
          return worker?.Running === 3 && worker.Desired === 3;
        },
        60_000,
        500,
      ),
    ).toBe(true);
  }, 120_000);

  it('a spec key Swarm cannot express is an error naming the key; nothing is changed', async () => {
    const bad = path.join(dir, 'bad.yml');
    writeFileSync(bad, `name: ${project}\nservices:\n  app:\n    build: .\n    container_name: fixed\n`);
    const r = await tsstack(['-f', bad, 'up', '--target', 'swarm']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /bad\.yml:4:5 services\.app\.build: Swarm needs an image reference; build and push it, then set image:/,
    );
    expect(r.stderr).toContain('services.app.container_name:');
    expect((await docker.listServices({ filters: filter() })).length).toBe(2);
  }, 60_000);

  it('down --target swarm -v removes everything of the project', async () => {
    const r = await swarm(['down', '-v'], 150_000);
    expect(r.code).toBe(0);
    expect(await docker.listServices({ filters: filter() })).toEqual([]);
    expect(await docker.listSecrets({ filters: filter() })).toEqual([]);
    expect(await docker.listConfigs({ filters: filter() })).toEqual([]);
    expect(await docker.listNetworks({ filters: filter() })).toEqual([]);
    expect((await docker.listVolumes({ filters: filter() })).Volumes ?? []).toEqual([]);
  }, 180_000);

  it('up right after down works: down returns once the overlay network is gone, not only removed', async () => {
    // Without waiting, this node kept listing the removed network until the tasks' containers were gone,
    // and the next up failed with "create service ...: network ..._default not found".
    const again = path.join(dir, 'again.yml');
    writeFileSync(
      again,
      `name: ${redeployProject}
services:
  web:
    image: ${IMAGE}
    command: ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1; done"]
    stop_grace_period: 1s
    deploy:
      replicas: 2
`,
    );
    const run = (...args: string[]) => tsstack(['-f', again, ...args, '--target', 'swarm'], {}, 150_000);
    for (let i = 0; i < 2; i++) {
      const up = await run('up', '--wait');
      expect(up.code, up.stderr).toBe(0);
      const down = await run('down');
      expect(down.code, down.stderr).toBe(0);
      expect(await docker.listNetworks({ filters: filter({}, redeployProject) })).toEqual([]);
    }
  }, 180_000);
});

function rollingYaml(version: string): string {
  // The server keeps serving for 2 s after SIGTERM: Swarm takes a task out of DNS before stopping it.
  return `name: ${rollingProject}
services:
  api:
    image: ${IMAGE}
    command:
      - sh
      - -c
      - |
        mkdir -p /www && echo "$$PAGE_VERSION" > /www/index.html
        httpd -f -p 80 -h /www & pid=$$!
        trap 'sleep 2; kill $$pid; exit 0' TERM
        wait $$pid
    environment:
      PAGE_VERSION: "${version}"
    healthcheck:
      test: ["CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1/"]
      interval: 1s
      timeout: 2s
      retries: 3
    stop_grace_period: 5s
    deploy:
      replicas: 2
      # dnsrr: the VIP load balancer needs IPVS, which this machine's kernel lacks (docs/swarm.md).
      endpoint_mode: dnsrr
      update_config:
        order: start-first
        parallelism: 1
        delay: 1s
        failure_action: rollback
`;
}

describe('start-first rolling update on swarm', () => {
  it('a client polling the service by name sees no failure while every task is replaced', async () => {
    const rfile = path.join(dir, 'rolling.yml');
    writeFileSync(rfile, rollingYaml('v1'));
    const run = (args: string[]) => tsstack(['-f', rfile, ...args, '--target', 'swarm'], {}, 150_000);
    const up1 = await run(['up', '--wait']);
    expect(up1.code).toBe(0);
    const client = await docker.createContainer({
      Image: IMAGE,
      Cmd: [
        'sh',
        '-c',
        // Every address the service name resolves to must answer (busybox's static wget cannot resolve names
        // itself, and its -T flag crashes it: nslookup, then plain wget per address).
        'while true; do ips=$(nslookup api 2>/dev/null | sed -n "s/^Address: \\([0-9.]*\\)$/\\1/p"); ' +
          '[ -n "$ips" ] || echo FAIL no address; ' +
          'for ip in $ips; do wget -q -O - http://$ip/ || echo FAIL $ip; done; sleep 0.2; done',
      ],
      Labels: { 'io.tsstack.project': rollingProject },
      HostConfig: { NetworkMode: `${rollingProject}_default` },
    });
    try {
      await client.start();
      const logs = async () => (await client.logs({ stdout: true, stderr: true })).toString();
      expect(await eventually(async () => (await logs()).includes('v1'), 30_000, 500)).toBe(true);
      writeFileSync(rfile, rollingYaml('v2'));
      const up2 = await run(['up', '--wait']);
      expect(up2.stderr).toContain(`update service ${rollingProject}_api (config changed)`);
      expect(up2.code).toBe(0);
      // Both tasks replaced: only v2 answers now; keep polling a little after the update completed.
      const afterUpdate = (await logs()).length;
      expect(
        await eventually(async () => (await logs()).slice(afterUpdate).split('v2').length > 5, 30_000, 500),
      ).toBe(true);
      const out = await logs();
      expect(out).not.toContain('FAIL');
      expect(out.slice(afterUpdate)).not.toContain('v1');
    } finally {
      await client.remove({ force: true });
    }
    const down = await run(['down']);
    expect(down.code).toBe(0);
  }, 240_000);
});

describe('up --target swarm attached (headless, --log-format json)', () => {
  it('shows each task reaching running on its node, a failed task with its exit code, and service logs; SIGTERM detaches', async () => {
    const live = path.join(dir, 'live.yml');
    writeFileSync(
      live,
      `name: ${liveProject}
services:
  app:
    image: ${IMAGE}
    command: ["sh", "-c", "trap 'exit 0' TERM; i=0; while true; do i=$$((i+1)); echo live-hello-$$i; sleep 0.5; done"]
    stop_grace_period: 1s
  bad:
    image: ${IMAGE}
    command: ["sh", "-c", "echo about to fail >&2; exit 3"]
    deploy:
      restart_policy:
        condition: none
`,
    );
    const [node] = (await docker.listNodes()) as { Description?: { Hostname?: string } }[];
    const hostname = node?.Description?.Hostname ?? '';
    expect(hostname).not.toBe('');
    const cli = spawnCli(['-f', live, 'up', '--target', 'swarm', '--log-format', 'json']);
    const { child } = cli;
    const lines = cli.jsonLines;
    try {
      const seen = await eventually(
        async () => {
          const l = lines();
          const running = l.some(
            (e) =>
              e.event === 'task_running' && e.service === 'app' && e.replica === 1 && e.node === hostname,
          );
          const logged = l.some(
            (e) =>
              e.event === undefined &&
              e.service === 'app' &&
              e.replica === 1 &&
              e.stream === 'stdout' &&
              /^live-hello-\d+$/.test(String(e.message)),
          );
          const failed = l.some(
            (e) =>
              e.event === 'task_failed' && e.service === 'bad' && e.exitCode === 3 && e.node === hostname,
          );
          const badLog = l.some(
            (e) => e.service === 'bad' && e.stream === 'stderr' && e.message === 'about to fail',
          );
          return running && logged && failed && badLog;
        },
        60_000,
        250,
      );
      expect(seen, `stdout:\n${cli.out.stdout}\nstderr:\n${cli.out.stderr}`).toBe(true);
      expect(cli.out.stderr).toContain(`create service ${liveProject}_app (no service)`);
    } finally {
      child.kill('SIGTERM');
    }
    // Never leave the CLI behind, even when it does not detach.
    expect(await stopCli(cli)).toBe(0);
    expect(cli.out.stderr).toContain(`Detached from ${liveProject}; the swarm keeps the stack running`);
    // Detaching leaves the stack to the swarm.
    const services = await docker.listServices({ filters: filter({}, liveProject) });
    expect(services.map((s) => s.Spec?.Name).sort()).toEqual([`${liveProject}_app`, `${liveProject}_bad`]);
    const down = await tsstack(['-f', live, 'down', '--target', 'swarm'], {}, 150_000);
    expect(down.code).toBe(0);
  }, 180_000);
});

describe.skipIf(!HAS_TMUX)('up --target swarm attached on a terminal (the live UI)', () => {
  it('shows the service running/desired, its task on the node and its log; q detaches and the stack keeps running', async () => {
    const ui = path.join(dir, 'ui.yml');
    writeFileSync(
      ui,
      `name: ${uiProject}
services:
  app:
    image: ${IMAGE}
    command: ["sh", "-c", "trap 'exit 0' TERM; while true; do echo ui-hello; sleep 0.5; done"]
    stop_grace_period: 1s
    deploy:
      replicas: 2
`,
    );
    const [node] = (await docker.listNodes()) as { Description?: { Hostname?: string } }[];
    const hostname = node?.Description?.Hostname ?? '';
    term.cli('swarm', ['-f', ui, 'up', '--target', 'swarm']);
    const shown = await term.waitFor(
      'swarm',
      (s) =>
        /app\s+2\/2\s+running/.test(s) &&
        new RegExp(`app\\.1\\s+${hostname}\\s+running`).test(s) &&
        new RegExp(`app\\.2\\s+${hostname}\\s+running`).test(s) &&
        /app-[12] \| ui-hello/.test(s),
      'both tasks running on the node, and log lines',
    );
    expect(shown).toContain(`tsstack ${uiProject} (swarm)`);
    expect(shown).toContain('q detach (the swarm keeps the stack running)');

    term.keys('swarm', 'q');
    const after = await term.waitFor('swarm', (s) => s.includes('EXIT='), 'the UI to exit');
    expect(after).toContain('EXIT=0');
    expect(after).toContain(`Detached from ${uiProject}; the swarm keeps the stack running`);
    const [svc] = await docker.listServices({ filters: filter({}, uiProject) });
    expect(svc?.Spec?.Name).toBe(`${uiProject}_app`);
    const tasks = (await docker.listTasks({
      filters: { service: [svc!.ID!], 'desired-state': ['running'] },
    })) as {
      Status?: { State?: string };
    }[];
    expect(tasks.map((t) => t.Status?.State)).toEqual(['running', 'running']);

    // ui --target swarm attaches to the deployed stack: its log history and tasks; Ctrl-C detaches.
    term.kill('swarm');
    term.cli('swarm', ['-f', ui, 'ui', '--target', 'swarm', '--tail', '5']);
    await term.waitFor(
      'swarm',
      (s) => /app\s+2\/2\s+running/.test(s) && /app-[12] \| ui-hello/.test(s),
      'ui: both tasks running, and log lines',
    );
    term.keys('swarm', 'C-c');
    const detached = await term.waitFor('swarm', (s) => s.includes('EXIT='), 'ui to exit');
    expect(detached).toContain('EXIT=0');
    expect(detached).toContain(`Detached from ${uiProject}`);
    expect((await docker.listServices({ filters: filter({}, uiProject) })).length).toBe(1);
  }, 180_000);
});
