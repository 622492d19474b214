// The Compose commands tsstack gained — cp, kill, pause/unpause, stats, top, wait, events — through the
// built CLI against the real engine, with their bad-input cases (exit 2, nothing changed) and --dry-run.
import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  rmSync,
  writeFileSync,
  existsSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  docker,
  eventually,
  execIn,
  removeProject,
  spawnCli,
  stopCli,
  tsstack,
  uniqueName,
} from './helpers/stack-cli.js';

const P = uniqueName('t-compose-cmds');
let dir: string;
let file: string;
const cli = (...args: string[]) => tsstack(['-p', P, '-f', file, ...args]);
const state = async (name: string) => (await docker.getContainer(name).inspect()).State;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'tsstack-compose-cmds-'));
  file = path.join(dir, 'stack.yml');
  writeFileSync(
    file,
    `services:
  web:
    image: tsstack-test/busybox:latest
    command: ["sh", "-c", "mkdir -p /data/sub && echo hello > /data/a.txt && echo deep > /data/sub/b.txt && ln -s /data/a.txt /data/link && exec sleep 100000"]
    scale: 2
  worker:
    image: tsstack-test/busybox:latest
    command: ["sh", "-c", "trap 'exit 7' TERM; while true; do sleep 1; done"]
`,
  );
  const r = await cli('up', '-d');
  expect(r.code, r.stderr).toBe(0);
  // The command writes /data before it sleeps.
  expect(await eventually(async () => (await execIn(`${P}-web-2`, 'test -L /data/link')).code === 0)).toBe(
    true,
  );
  expect(await eventually(async () => (await execIn(`${P}-web-1`, 'test -L /data/link')).code === 0)).toBe(
    true,
  );
});

afterAll(async () => {
  await removeProject(P);
  rmSync(dir, { recursive: true, force: true });
});

describe('cp', () => {
  it('copies a file, a folder and a folder’s contents out of the first container', async () => {
    const out = path.join(dir, 'out');
    mkdirSync(out);
    expect((await cli('cp', 'web:/data/a.txt', `${out}/`)).code).toBe(0);
    expect(readFileSync(path.join(out, 'a.txt'), 'utf8')).toBe('hello\n');
    expect((await cli('cp', 'web:/data', path.join(out, 'copy'))).code).toBe(0);
    expect(readFileSync(path.join(out, 'copy', 'sub', 'b.txt'), 'utf8')).toBe('deep\n');
    expect(readlinkSync(path.join(out, 'copy', 'link'))).toBe('/data/a.txt');
    expect((await cli('cp', 'web:/data/.', path.join(out, 'contents'))).code).toBe(0);
    expect(readFileSync(path.join(out, 'contents', 'a.txt'), 'utf8')).toBe('hello\n');
    // -L: the link's target under the link's name.
    expect((await cli('cp', '-L', 'web:/data/link', path.join(out, 'followed'))).code).toBe(0);
    expect(readFileSync(path.join(out, 'followed'), 'utf8')).toBe('hello\n');
  });

  it('copies into every replica, or one with --index, and a tar from stdout', async () => {
    const src = path.join(dir, 'src');
    mkdirSync(path.join(src, 'inner'), { recursive: true });
    writeFileSync(path.join(src, 'f1'), 'one\n');
    writeFileSync(path.join(src, 'inner', 'f2'), 'two\n');
    expect((await cli('cp', src, 'web:/tmp/tree')).code).toBe(0);
    for (const n of [1, 2])
      expect((await execIn(`${P}-web-${n}`, 'cat /tmp/tree/f1 /tmp/tree/inner/f2')).output).toBe(
        'one\ntwo\n',
      );
    expect((await cli('cp', '--index', '2', path.join(src, 'f1'), 'web:/tmp/only2')).code).toBe(0);
    expect((await execIn(`${P}-web-2`, 'cat /tmp/only2')).output).toBe('one\n');
    expect((await execIn(`${P}-web-1`, 'test -e /tmp/only2')).code).not.toBe(0);
    const tar = await cli('cp', 'web:/data/a.txt', '-');
    expect(tar.code).toBe(0);
    expect(tar.stdout).toContain('a.txt');
    expect(tar.stdout).toContain('hello');
  });

  it('refuses bad input with exit 2 and changes nothing; an engine refusal exits 1', async () => {
    const f = path.join(dir, 'bad-input.txt');
    writeFileSync(f, 'x\n');
    const cases: [string[], number, RegExp][] = [
      [[f, 'web:../../etc/evil'], 2, /climbs above the container's root/],
      [[f, 'nope:/tmp'], 2, /no such service: nope/],
      [['--index', '3', f, 'web:/tmp/idx'], 2, /no container with index 3/],
      [[path.join(dir, 'missing'), 'web:/tmp'], 2, /no such file or directory/],
      [['web:/data', 'worker:/tmp'], 2, /between services/],
      [['web:/no/such/path', path.join(dir, 'never')], 1, /could not find \/no\/such\/path/],
      [[f, 'web:/no/such/dir/x'], 1, /does not exist in container /],
    ];
    for (const [args, code, message] of cases) {
      const r = await cli('cp', ...args);
      expect(r.code, args.join(' ')).toBe(code);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(message);
    }
    expect(existsSync(path.join(dir, 'never'))).toBe(false);
    for (const n of [1, 2])
      expect(
        (await execIn(`${P}-web-${n}`, 'test ! -e /etc/evil && test ! -e /tmp/idx && test ! -e /no')).code,
      ).toBe(0);
  });
});

describe('pause, unpause, kill, top, stats', () => {
  it('pauses and unpauses the containers of a service; --dry-run changes nothing', async () => {
    expect((await cli('pause', '--dry-run', 'web')).stdout).toContain(`pause container ${P}-web-1`);
    expect((await state(`${P}-web-1`)).Paused).toBe(false);
    expect((await cli('pause', 'web')).code).toBe(0);
    expect((await state(`${P}-web-1`)).Paused).toBe(true);
    expect((await state(`${P}-web-2`)).Paused).toBe(true);
    expect((await state(`${P}-worker-1`)).Paused).toBe(false);
    const ps = await cli('ps', '--status', 'paused', '--format', '{{.Name}}');
    expect(ps.stdout.trim().split('\n').sort()).toEqual([`${P}-web-1`, `${P}-web-2`]);
    expect((await cli('unpause')).code).toBe(0);
    expect((await state(`${P}-web-1`)).Paused).toBe(false);
    const bad = await cli('pause', 'nope');
    expect(bad.code).toBe(2);
  });

  it('top lists the processes per container', async () => {
    const r = await cli('top', 'web');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`${P}-web-1\n`);
    expect(r.stdout).toContain(`${P}-web-2\n`);
    expect(r.stdout).toMatch(/PID/);
    expect(r.stdout).toContain('sleep 100000');
  });

  it('stats prints one sample with --no-stream, and a live table until interrupted', async () => {
    const json = await cli('stats', '--no-stream', '--format', 'json');
    expect(json.code, json.stderr).toBe(0);
    const rows = json.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, string>);
    expect(rows.map((r) => r.Name).sort()).toEqual([`${P}-web-1`, `${P}-web-2`, `${P}-worker-1`]);
    expect(rows[0]).toHaveProperty('MemUsage');
    expect(rows[0]?.PIDs).toMatch(/^\d+$/);
    const live = spawnCli(['-p', P, '-f', file, 'stats', 'web']);
    try {
      expect(await eventually(async () => live.out.stdout.includes(`${P}-web-2`))).toBe(true);
      expect(live.out.stdout).toContain('CONTAINER ID');
      expect(live.out.stdout).not.toContain(`${P}-worker-1`);
    } finally {
      expect(await stopCli(live)).toBe(0);
    }
  });

  it('kill refuses an unknown signal (exit 2, nothing killed) and sends a real one', async () => {
    const bad = await cli('kill', '-s', 'SIGNOPE', 'worker');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/no such signal/);
    expect((await state(`${P}-worker-1`)).Running).toBe(true);
    const dry = await cli('kill', '--dry-run', '-s', 'TERM', 'worker');
    expect(dry.stdout).toContain(`kill container ${P}-worker-1 (kill -s SIGTERM)`);
    expect((await state(`${P}-worker-1`)).Running).toBe(true);
  });
});

describe('events and wait', () => {
  it('events --json reports what happens to the project with Compose field names', async () => {
    const events = spawnCli(['-p', P, '-f', file, 'events', '--json', 'web']);
    try {
      // The subscription is up once a pause shows; pause again until it does (the CLI needs a moment).
      expect(
        await eventually(
          async () => {
            await cli('pause', 'web');
            await cli('unpause', 'web');
            // Both: the subscription may start between a pause and its unpause.
            const actions = events.jsonLines().map((e) => e.action);
            return actions.includes('pause') && actions.includes('unpause');
          },
          30_000,
          500,
        ),
      ).toBe(true);
      const e = events.jsonLines().find((x) => x.action === 'pause');
      expect(e).toMatchObject({ type: 'container', service: 'web' });
      expect(Object.keys(e!)).toEqual(['action', 'attributes', 'id', 'service', 'time', 'type']);
      expect(JSON.stringify(e!.attributes)).not.toContain('io.tsstack');
    } finally {
      expect(await stopCli(events)).toBe(0);
    }
  });

  it('wait returns the exit code of the service’s container once kill stops it; --down-project removes the project', async () => {
    // Nothing tells from outside when `wait` has attached: if the kill wins the race, wait finds no running
    // worker (exit 1); then start the worker again and give wait longer. The assertions stay exact.
    let result: { code: number | null; stdout: string } | undefined;
    for (const delayMs of [1000, 2000, 4000, 8000]) {
      const waiting = spawnCli(['-p', P, '-f', file, 'wait', 'worker', '--down-project']);
      await new Promise((r) => setTimeout(r, delayMs));
      expect((await cli('kill', '-s', 'TERM', 'worker')).code).toBe(0);
      const code = await waiting.exited;
      if (code === 1 && waiting.out.stderr.includes('no running containers')) {
        expect(await eventually(async () => !(await state(`${P}-worker-1`)).Running)).toBe(true);
        expect((await cli('start', 'worker')).code).toBe(0);
        continue;
      }
      result = { code, stdout: waiting.out.stdout };
      break;
    }
    expect(result?.code).toBe(7);
    expect(result?.stdout).toContain(`container "${P}-worker-1" exited with status code 7`);
    const left = await docker.listContainers({
      all: true,
      filters: JSON.stringify({ label: [`io.tsstack.project=${P}`] }),
    });
    expect(left).toEqual([]);
    const none = await cli('wait', 'worker');
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/no running containers/);
  });
});

describe('up: whose log lines, and how', () => {
  const Q = uniqueName('t-compose-attach');
  afterAll(() => removeProject(Q));

  it('--attach picks the services; --no-log-prefix and --timestamps shape the lines', async () => {
    const f = path.join(dir, 'attach.yml');
    writeFileSync(
      f,
      `services:
  a:
    image: tsstack-test/busybox:latest
    command: ["sh", "-c", "echo from-a"]
  b:
    image: tsstack-test/busybox:latest
    command: ["sh", "-c", "echo from-b"]
`,
    );
    // Headless (not a terminal): the session ends by itself once both containers have exited.
    const r = await tsstack(
      ['-p', Q, '-f', f, 'up', '--attach', 'a', '--no-log-prefix', '--timestamps'],
      {},
      120_000,
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z from-a$/m);
    expect(r.stdout).not.toContain('from-b');
    expect(r.stdout).not.toMatch(/a-1 +\|/);
    const bad = await tsstack(['-p', Q, '-f', f, 'up', '--attach', 'nope']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('no such service: nope');
  });
});
