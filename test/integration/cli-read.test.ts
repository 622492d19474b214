// The read-side commands (ps, logs, exec, port, images, ls) through the built CLI, against containers made
// directly through the runtime so these tests depend on nothing but the runtime and the commands.
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectRuntime } from '../../src/runtime/index.js';
import type { ContainerCreateSpec, Runtime } from '../../src/runtime/types.js';
import { BIN, ROOT, removeProject, tsstack, uniqueName, type CliResult } from './helpers/stack-cli.js';

const IMAGE = 'tsstack-test/busybox:latest';
const P = uniqueName('t-cliread');
const OTHER = `${P}-other`;
const NET = `${P}_default`;
let rt: Runtime;
const ids: Record<string, string> = {};

function labels(project: string, service: string, replica: number, extra: Record<string, string> = {}) {
  return {
    'io.tsstack.project': project,
    'io.tsstack.service': service,
    'io.tsstack.replica': String(replica),
    'io.tsstack.config-files': '/srv/demo/stack.yml',
    ...extra,
  };
}

function spec(
  project: string,
  service: string,
  replica: number,
  over: Partial<ContainerCreateSpec>,
): ContainerCreateSpec {
  return {
    name: `${project}-${service}-${replica}`,
    image: IMAGE,
    labels: labels(project, service, replica),
    env: [],
    exposedPorts: [],
    ports: [],
    mounts: [],
    networks: project === P ? [{ network: NET, aliases: [service] }] : [],
    ...over,
  };
}

const WEB_CMD = [
  'sh',
  '-c',
  'echo "web ready $HOSTNAME"; echo "web warning" >&2; mkdir -p /www; echo page > /www/index.html; exec httpd -f -p 80 -h /www',
];

/** The CLI with stdin fed from `input` (then closed). */
function tsstackWithInput(args: string[], input: string): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: ROOT,
      env: { ...process.env, NO_COLOR: '1' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
    child.stdin.end(input);
  });
}

beforeAll(async () => {
  rt = await connectRuntime({ env: process.env });
  await rt.createNetwork({
    name: NET,
    driver: 'bridge',
    labels: { 'io.tsstack.project': P },
    options: {},
    internal: false,
    attachable: false,
  });
  const start = async (key: string, s: ContainerCreateSpec, run = true) => {
    ids[key] = await rt.createContainer(s);
    if (run) await rt.startContainer(ids[key]);
  };
  const port = [{ target: 80, protocol: 'tcp' as const, hostIp: '127.0.0.1' }];
  await start('web1', spec(P, 'web', 1, { command: WEB_CMD, ports: port }));
  await start('web2', spec(P, 'web', 2, { command: WEB_CMD, ports: port }));
  await start('worker', spec(P, 'worker', 1, { command: ['sh', '-c', 'echo working; exit 3'] }));
  await start(
    'ticker',
    spec(P, 'ticker', 1, { command: ['sh', '-c', 'while true; do echo tick; sleep 0.2; done'] }),
  );
  await start(
    'oneoff',
    spec(P, 'web', 0, {
      name: `${P}-web-run-1`,
      labels: labels(P, 'web', 0, { 'io.tsstack.oneoff': 'true' }),
      command: ['true'],
    }),
    false,
  );
  await start('other', spec(OTHER, 'web', 1, { command: ['sleep', '300'] }));
  await rt.waitContainer(ids.worker!);
});

afterAll(async () => {
  await removeProject(P);
  await removeProject(OTHER);
});

describe('ps', () => {
  it('lists running containers of the project only, with status and ports', async () => {
    const r = await tsstack(['-p', P, 'ps']);
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^NAME\s+SERVICE\s+STATUS\s+PORTS$/);
    expect(lines.slice(1).map((l) => l.split(/\s+/)[0])).toEqual([
      `${P}-ticker-1`,
      `${P}-web-1`,
      `${P}-web-2`,
    ]);
    const web1 = await rt.inspectContainer(ids.web1!);
    const hostPort = web1?.ports.find((p) => p.target === 80)?.hostPort;
    expect(lines.find((l) => l.startsWith(`${P}-web-1 `))).toMatch(
      new RegExp(`\\s+web\\s+Up .*\\s+127\\.0\\.0\\.1:${hostPort}->80/tcp$`),
    );
    expect(r.stdout).not.toContain(OTHER);
    expect(r.stdout).not.toContain('web-run-1');
  });

  it('shows stopped containers with -a, ids with -q, services, JSON and a service filter', async () => {
    const all = await tsstack(['-p', P, 'ps', '-a']);
    expect(all.stdout).toMatch(new RegExp(`${P}-worker-1\\s+worker\\s+Exited \\(3\\)`));
    const quiet = await tsstack(['-p', P, 'ps', '-q']);
    expect(quiet.stdout.trim().split('\n').sort()).toEqual([ids.ticker, ids.web1, ids.web2].sort());
    const services = await tsstack(['-p', P, 'ps', '-a', '--services']);
    expect(services.stdout).toBe('ticker\nweb\nworker\n');
    const json = await tsstack(['-p', P, 'ps', '--format', 'json', 'web']);
    const rows = json.stdout
      .trim()
      .split('\n')
      .map(
        (l) =>
          JSON.parse(l) as { Name: string; Service: string; State: string; Publishers: { URL: string }[] },
      );
    expect(rows.map((x) => [x.Name, x.Service, x.State])).toEqual([
      [`${P}-web-1`, 'web', 'running'],
      [`${P}-web-2`, 'web', 'running'],
    ]);
    expect(rows[0]?.Publishers[0]?.URL).toBe('127.0.0.1');
  });

  it('rejects an unknown service and a bad format with exit 2', async () => {
    const r = await tsstack(['-p', P, 'ps', 'nope']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no such service: nope');
    expect((await tsstack(['-p', P, 'ps', '--format', 'xml'])).code).toBe(2);
  });
});

describe('logs', () => {
  it('prefixes each line with the container, stdout and stderr alike', async () => {
    const r = await tsstack(['-p', P, 'logs', '--no-color', 'web', 'worker']);
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toContain('worker-1  | working');
    expect(lines).toContain('web-1     | web warning');
    expect(lines.filter((l) => l.startsWith('web-2     | web ready '))).toHaveLength(1);
    expect(lines.some((l) => l.includes('tick'))).toBe(false);
  });

  it('honours --tail and -t', async () => {
    const r = await tsstack(['-p', P, 'logs', '--tail', '1', '-t', 'worker']);
    expect(r.stdout).toMatch(/^worker-1 {2}\| \d{4}-\d\d-\d\dT[\d:.]+Z working\n$/);
  });

  it('follows until interrupted', async () => {
    const child = spawn(process.execPath, [BIN, '-p', P, 'logs', '-f', '--tail', '0', 'ticker'], {
      cwd: ROOT,
      env: { ...process.env, NO_COLOR: '1' },
    });
    let out = '';
    await new Promise<void>((resolve) => {
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.split('\n').length > 3) resolve();
      });
    });
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).toBe(0);
    expect(out.split('\n')[0]).toBe('ticker-1  | tick');
  });
});

describe('logs -f with containers that stop and start', () => {
  it('ends by itself when every followed container has exited', async () => {
    const r = await tsstack(['-p', P, 'logs', '-f', 'worker']);
    expect(r).toMatchObject({ code: 0, stdout: 'worker-1  | working\n' });
  });

  it('follows a restarted container and a new replica', async () => {
    const boot = ['sh', '-c', 'echo "boot $HOSTNAME"; exec sleep 300'];
    const first = await rt.createContainer(spec(P, 'restarter', 1, { command: boot, stopTimeout: 0 }));
    await rt.startContainer(first);
    const child = spawn(process.execPath, [BIN, '-p', P, 'logs', '-f', 'restarter'], {
      cwd: ROOT,
      env: { ...process.env, NO_COLOR: '1' },
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const seen = (text: string, times = 1) =>
      new Promise<void>((resolve) => {
        const check = () => {
          if (out.split(text).length <= times) return false;
          child.stdout.off('data', check);
          resolve();
          return true;
        };
        if (!check()) child.stdout.on('data', check);
      });
    try {
      const line1 = `restarter-1  | boot ${first.slice(0, 12)}\n`;
      await seen(line1); // following (and subscribed to events, which comes first)
      await rt.restartContainer(first, 0);
      await seen(line1, 2);
      expect(out.split(line1)).toHaveLength(3); // the first run's line is not repeated
      const second = await rt.createContainer(spec(P, 'restarter', 2, { command: boot }));
      await rt.startContainer(second);
      await seen(`restarter-2  | boot ${second.slice(0, 12)}`);
    } finally {
      child.kill('SIGINT');
      const code = await new Promise((resolve) => child.on('close', resolve));
      for (const c of await rt.listContainers(
        { 'io.tsstack.project': P, 'io.tsstack.service': 'restarter' },
        { all: true },
      ))
        await rt.removeContainer(c.id, { force: true });
      expect(code).toBe(0);
    }
  });
});

describe('exec', () => {
  it('runs a command, separating streams, and exits with its code', async () => {
    const r = await tsstack(['-p', P, 'exec', '-T', 'web', 'sh', '-c', 'echo out; echo err >&2; exit 4']);
    expect(r).toMatchObject({ code: 4, stdout: 'out\n', stderr: 'err\n' });
  });

  it('passes -e, -w, -u and picks the replica with --index', async () => {
    const r = await tsstack([
      '-p',
      P,
      'exec',
      '-T',
      '-e',
      'A=b',
      '-w',
      '/tmp',
      '-u',
      'nobody',
      '--index',
      '2',
      'web',
      'sh',
      '-c',
      'echo $A $(pwd) $(id -u) $HOSTNAME',
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`b /tmp 65534 ${ids.web2!.slice(0, 12)}\n`);
  });

  it('feeds stdin to the command', async () => {
    const r = await tsstackWithInput(['-p', P, 'exec', '-T', 'web', 'tr', 'a-z', 'A-Z'], 'shout\n');
    expect(r).toMatchObject({ code: 0, stdout: 'SHOUT\n' });
  });

  it('says when the service is not running', async () => {
    const r = await tsstack(['-p', P, 'exec', '-T', 'worker', 'true']);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe('service "worker" is not running');
  });
});

describe('port, images, ls', () => {
  it('prints the public address of a port per replica', async () => {
    for (const [key, index] of [
      ['web1', '1'],
      ['web2', '2'],
    ] as const) {
      const hostPort = (await rt.inspectContainer(ids[key]!))?.ports.find((p) => p.target === 80)?.hostPort;
      const r = await tsstack(['-p', P, 'port', '--index', index, 'web', '80']);
      expect(r.stdout).toBe(`127.0.0.1:${hostPort}\n`);
      expect((await fetch(`http://${r.stdout.trim()}/`)).status).toBe(200);
    }
    const missing = await tsstack(['-p', P, 'port', 'web', '81']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no port 81/tcp');
  });

  it('lists the images of the project containers', async () => {
    const image = await rt.inspectImage(IMAGE);
    const r = await tsstack(['-p', P, 'images', 'worker']);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^CONTAINER\s+REPOSITORY\s+TAG\s+IMAGE ID\s+SIZE$/);
    expect(lines[1]).toMatch(
      new RegExp(
        `^${P}-worker-1\\s+tsstack-test/busybox\\s+latest\\s+${image!.id.slice(7, 19)}\\s+[\\d.]+[kM]B$`,
      ),
    );
    expect(lines).toHaveLength(2);
  });

  it('lists projects with state counts and config files', async () => {
    const r = await tsstack(['ls', '-a']);
    const row = r.stdout.split('\n').find((l) => l.startsWith(`${P} `));
    expect(row).toMatch(/running\(3\), created\(1\), exited\(1\)\s+\/srv\/demo\/stack\.yml$/);
    const json = JSON.parse((await tsstack(['ls', '--format', 'json'])).stdout) as { Name: string }[];
    expect(json.map((p) => p.Name)).toContain(OTHER);
  });
});

describe('without an engine', () => {
  it('exits 1 with one sentence naming where it looked', async () => {
    const r = await tsstack(['-p', P, 'ps'], { DOCKER_HOST: 'unix:///tmp/tsstack-no-engine.sock' });
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^cannot reach a container engine at unix:\/\/\/tmp\/tsstack-no-engine\.sock/);
  });
});
