import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BIN,
  docker,
  eventually,
  freePort,
  projectObjects,
  removeProject,
  tsstack,
  uniqueName,
  type CliResult,
} from './helpers/stack-cli.js';

// run, exec and attach without a terminal (pipes), through the built CLI: stdin attached, exit codes,
// Compose's flags, signal forwarding, and bad input refused with nothing created.
const P = uniqueName('t-runint');
let tmp = '';
let file = '';

const LOOP = `trap 'echo got-int; exit 5' INT; echo ready; while true; do echo tick; sleep 1; done`;
// `$$` in the stack file is a literal `$`.
const READER = `while read l; do echo "got $$l"; [ "$$l" = stop ] && exit 7; done; echo eof; exit 9`;

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'tsstack-runint-'));
  await mkdir(join(tmp, 'data'));
  await writeFile(join(tmp, 'data/f.txt'), 'from the host\n');
  file = join(tmp, 'stack.yml');
  await writeFile(
    file,
    `name: ${P}
services:
  app:
    image: tsstack-test/busybox:latest
    command: ["sh", "-c", "sleep 3600 & wait"]
    restart: always
    stop_grace_period: 1s
    ports: ["127.0.0.1::80"]
    networks:
      default:
        aliases: [app-alias]
  dep:
    image: tsstack-test/busybox:latest
    command: ["sh", "-c", "sleep 3600 & wait"]
    stop_grace_period: 1s
  withdep:
    image: tsstack-test/busybox:latest
    depends_on: [dep]
  reader:
    image: tsstack-test/busybox:latest
    command: ["sh", "-c", ${JSON.stringify(READER)}]
    stdin_open: true
  looper:
    image: tsstack-test/busybox:latest
    command: ["sh", "-c", ${JSON.stringify(LOOP)}]
    stop_grace_period: 1s
  missing:
    image: tsstack-test/not-here:never
    pull_policy: never
volumes:
  shared: {}
`,
  );
});

afterAll(async () => {
  await removeProject(P);
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

interface Running {
  out: { stdout: string; stderr: string };
  exited: Promise<number | null>;
  kill(signal: NodeJS.Signals): void;
  write(text: string): void;
  end(text?: string): void;
}

/** The CLI with a stdin pipe the test writes to (and closes when it likes). */
function start(args: string[]): Running {
  const child = spawn(process.execPath, [BIN, '-f', file, ...args], {
    cwd: tmp,
    env: { ...process.env, NO_COLOR: '1' },
  });
  const out = { stdout: '', stderr: '' };
  child.stdout.on('data', (d: Buffer) => (out.stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out.stderr += d.toString()));
  return {
    out,
    exited: new Promise((resolve) => child.on('close', (code) => resolve(code))),
    kill: (signal) => child.kill(signal),
    write: (text) => child.stdin.write(text),
    end: (text) => child.stdin.end(text),
  };
}

/** The CLI with `input` on stdin (closed after it). */
async function withInput(args: string[], input: string): Promise<CliResult> {
  const r = start(args);
  r.end(input);
  const code = await r.exited;
  return { code: code ?? -1, ...r.out };
}

const cli = (...args: string[]) => tsstack(['-f', file, ...args], {}, 90_000);

async function oneOffs(): Promise<string[]> {
  return (await projectObjects(P)).containers
    .filter((c) => c.Labels['io.tsstack.oneoff'] === 'true')
    .map((c) => c.Names[0]?.replace(/^\//, '') ?? '');
}

describe('run', () => {
  it('attaches piped stdin without a TTY: echo data | run -T svc cat prints data', async () => {
    const r = await withInput(['run', '--rm', '-T', 'app', 'cat'], 'data\n');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('data\n');
    const script = await withInput(['run', '--rm', 'app', 'sh'], 'echo hi; echo oops >&2; exit 3\n');
    expect(script.code).toBe(3);
    expect(script.stdout).toBe('hi\n');
    expect(script.stderr).toContain('oops\n');
    expect(await oneOffs()).toEqual([]);
  });

  it('returns when the command ends even if stdin stays open', async () => {
    const r = start(['run', '--rm', 'app', 'sh', '-c', 'echo done; exit 4']);
    expect(await r.exited).toBe(4);
    expect(r.out.stdout).toBe('done\n');
  });

  it('starts dependencies unless --no-deps', async () => {
    const none = await cli('run', '--rm', '--no-deps', 'withdep', 'true');
    expect(none.code, none.stderr).toBe(0);
    expect((await projectObjects(P)).containers.map((c) => c.Names[0])).not.toContain(`/${P}-dep-1`);
    const r = await cli('run', '--rm', 'withdep', 'true');
    expect(r.code, r.stderr).toBe(0);
    const dep = (await projectObjects(P)).containers.find((c) => c.Names[0] === `/${P}-dep-1`);
    expect(dep?.State).toBe('running');
  });

  it('-d prints the container ID; with --rm the engine removes it when it exits', async () => {
    const r = await cli('run', '-d', '--rm', 'app', 'sh', '-c', 'sleep 1');
    expect(r.code, r.stderr).toBe(0);
    const id = r.stdout.trim();
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    const info = await docker.getContainer(id).inspect();
    expect(info.HostConfig.AutoRemove).toBe(true);
    expect(info.HostConfig.RestartPolicy?.Name ?? '').toMatch(/^(no)?$/);
    expect(await eventually(async () => (await oneOffs()).length === 0)).toBe(true);
  });

  it("takes Compose's flags: -e, -l, -u, -w, --entrypoint, --cap-add/drop, -p, -v, --name, --use-aliases", async () => {
    const port = await freePort();
    process.env.TSSTACK_RUNINT_PASSED = 'from-env';
    const name = `${P}-named`;
    // Run from the stack's folder: a relative --volume path is taken from the current folder.
    const r = await withInput(
      [
        'run',
        '-T',
        '--name',
        name,
        '-e',
        'A=1',
        '-e',
        'TSSTACK_RUNINT_PASSED',
        '-e',
        'TSSTACK_RUNINT_UNSET',
        '-l',
        'team=blue',
        '-u',
        '1000',
        '-w',
        '/tmp',
        '--cap-add',
        'NET_ADMIN',
        '--cap-drop',
        'CHOWN',
        '-p',
        `127.0.0.1:${port}:80`,
        '-v',
        './data:/data:ro',
        '-v',
        'shared:/shared',
        '--use-aliases',
        '--entrypoint',
        'sh -c',
        'app',
        'echo "$A $TSSTACK_RUNINT_PASSED ${TSSTACK_RUNINT_UNSET-unset} $(id -u) $(pwd)"; cat /data/f.txt',
      ],
      '',
    );
    delete process.env.TSSTACK_RUNINT_PASSED;
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('1 from-env unset 1000 /tmp\nfrom the host\n');
    const c = await docker.getContainer(name).inspect();
    expect(c.Config.Labels).toMatchObject({ team: 'blue', 'io.tsstack.oneoff': 'true' });
    expect(c.HostConfig.CapAdd).toEqual(['NET_ADMIN']);
    expect(c.HostConfig.CapDrop).toEqual(['CHOWN']);
    expect(c.HostConfig.PortBindings).toEqual({
      '80/tcp': [{ HostIp: '127.0.0.1', HostPort: String(port) }],
    });
    const mounts = c.Mounts.map((m) => `${m.Type} ${m.Name ?? m.Source} ${m.Destination} ${m.RW}`).sort();
    expect(mounts).toEqual([`bind ${join(tmp, 'data')} /data false`, `volume ${P}_shared /shared true`]);
    const aliases = Object.values(c.NetworkSettings.Networks).flatMap((n) => n.Aliases ?? []);
    expect(aliases).toEqual(expect.arrayContaining(['app', 'app-alias']));
    await docker.getContainer(name).remove({ force: true });
  });

  it('-P publishes the service ports; without it none', async () => {
    const r = await cli('run', '-d', '-P', '--name', `${P}-ports`, 'app');
    expect(r.code, r.stderr).toBe(0);
    const c = await docker.getContainer(`${P}-ports`).inspect();
    expect(Object.keys(c.HostConfig.PortBindings ?? {})).toEqual(['80/tcp']);
    const plain = await cli('run', '-d', '--name', `${P}-noports`, 'app');
    expect(plain.code, plain.stderr).toBe(0);
    expect((await docker.getContainer(`${P}-noports`).inspect()).HostConfig.PortBindings).toEqual({});
    await Promise.all(
      [`${P}-ports`, `${P}-noports`].map((n) => docker.getContainer(n).remove({ force: true })),
    );
  });

  it('forwards SIGINT to the process without a TTY, and exits with its code', async () => {
    const r = start(['run', '--rm', '-T', 'looper']);
    expect(await eventually(async () => r.out.stdout.includes('ready'), 60_000)).toBe(true);
    r.kill('SIGINT');
    expect(await r.exited).toBe(5);
    expect(r.out.stdout).toContain('got-int');
    expect(await oneOffs()).toEqual([]);
  });

  it('--remove-orphans removes containers of services not in the stack', async () => {
    const orphan = await docker.createContainer({
      name: `${P}-gone-1`,
      Image: 'tsstack-test/busybox:latest',
      Cmd: ['true'],
      Labels: { 'io.tsstack.project': P, 'io.tsstack.service': 'gone', 'io.tsstack.replica': '1' },
    });
    const r = await cli('run', '--rm', '--no-deps', '--remove-orphans', 'app', 'true');
    expect(r.code, r.stderr).toBe(0);
    await expect(orphan.inspect()).rejects.toThrow();
  });

  it('refuses bad input with exit 2 and creates nothing', async () => {
    await removeProject(P);
    const cases: [string[], RegExp][] = [
      [['run', 'nosuch', 'true'], /no such service: nosuch/],
      [['run', '--detach-keys', 'ctrl-', 'app', 'true'], /--detach-keys "ctrl-"/],
      [['run', '--publish', 'x:y', 'app', 'true'], /--publish "x:y"/],
      [['run', '--volume', 'data:relative', 'app', 'true'], /must be absolute/],
      [['run', '-P', '-p', '80', 'app', 'true'], /--service-ports and --publish are incompatible/],
      [['run', '-t', '-T', 'app', 'true'], /--tty and --no-TTY can't be used together/],
      [['run', '-t', 'app', 'true'], /the input device is not a TTY/],
      [['run', '--pull', 'sometimes', 'app', 'true'], /--pull must be/],
      [['run', '-l', 'io.tsstack.project=x', 'app', 'true'], /tsstack's own/],
      [['run', '--entrypoint', "sh 'x", 'app', 'true'], /unclosed quote/],
    ];
    for (const [args, message] of cases) {
      const r = await cli(...args);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
    expect(await projectObjects(P)).toEqual({ containers: [], networks: [], volumes: [] });
  });

  it('an image that cannot be had (pull_policy never, --pull never) is an engine refusal: exit 1', async () => {
    const r = await cli('run', '--rm', '--pull', 'never', 'missing', 'true');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/not found locally/);
    expect((await projectObjects(P)).containers).toEqual([]);
  });
});

describe('exec and attach', () => {
  beforeAll(async () => {
    const up = await cli('up', '-d', 'app', 'reader', 'looper');
    expect(up.code, up.stderr).toBe(0);
  }, 120_000);

  it('exec: piped stdin, -e, -u, -w, the exit code', async () => {
    const r = await withInput(
      ['exec', '-T', '-e', 'X=y', '-u', '1000', '-w', '/tmp', 'app', 'sh'],
      'echo "$X $(id -u) $(pwd)"; exit 6\n',
    );
    expect(r.code).toBe(6);
    expect(r.stdout).toBe('y 1000 /tmp\n');
  });

  it('exec -d runs the command in the background and returns 0', async () => {
    const r = await cli('exec', '-d', 'app', 'sh', '-c', 'echo bg > /tmp/bg.txt');
    expect(r.code, r.stderr).toBe(0);
    const check = await cli('exec', '-T', 'app', 'cat', '/tmp/bg.txt');
    expect(check.stdout).toBe('bg\n');
  });

  it('exec and attach refuse an unknown service, an index out of range, bad keys (exit 2); stopped: exit 1', async () => {
    const cases: [string[], number, RegExp][] = [
      [['exec', 'nosuch', 'true'], 2, /no such service: nosuch/],
      [['exec', '--index', '2', 'app', 'true'], 2, /--index 2: service "app" has 1 replica/],
      [['exec', '--index', '0', 'app', 'true'], 2, /--index must be/],
      [['exec', '--detach-keys', 'nope', 'app', 'sh'], 2, /--detach-keys "nope"/],
      [['attach', 'nosuch'], 2, /no such service: nosuch/],
      [['attach', '--index', '3', 'reader'], 2, /--index 3/],
      [['attach', '--detach-keys', 'ctrl-1', 'reader'], 2, /--detach-keys "ctrl-1"/],
      [['exec', 'dep', 'true'], 1, /service "dep" is not running/],
      [['attach', 'withdep'], 1, /service "withdep" is not running/],
    ];
    for (const [args, code, message] of cases) {
      const r = await cli(...args);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(code);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
  });

  it("attach: our input reaches the container's process; its exit code is ours", async () => {
    const r = start(['attach', 'reader']);
    // Input sent before the attach is made would be lost: wait until the engine has it.
    expect(
      await eventually(
        async () => {
          r.write('ping\n');
          return r.out.stdout.includes('got ping');
        },
        60_000,
        500,
      ),
    ).toBe(true);
    r.write('stop\n');
    expect(await r.exited).toBe(7);
    expect(r.out.stdout).toContain('got stop');
  });

  it('attach forwards SIGINT (exit with the container code); --sig-proxy=false leaves it running', async () => {
    // Output arriving means the session is connected (and its signal handling in place).
    const ticked = (r: Running) => eventually(async () => r.out.stdout.includes('tick'), 60_000);
    const noProxy = start(['attach', '--no-stdin', '--sig-proxy=false', 'looper']);
    expect(await ticked(noProxy)).toBe(true);
    noProxy.kill('SIGINT');
    expect(await noProxy.exited).toBe(130);
    const looper = `${P}-looper-1`;
    expect((await docker.getContainer(looper).inspect()).State.Running).toBe(true);

    const proxy = start(['attach', 'looper']);
    expect(await ticked(proxy)).toBe(true);
    proxy.kill('SIGINT');
    expect(await proxy.exited).toBe(5);
    expect(proxy.out.stdout).toContain('got-int');
    expect((await docker.getContainer(looper).inspect()).State.Running).toBe(false);
  });
});
