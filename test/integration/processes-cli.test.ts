// Host processes through the built CLI (`npm run build` first): bad input is a located error or one clear
// line with nothing started, exit 127 is reported and not restarted, and SIGHUP restarts only the process
// whose command changed.
import { createServer, type Server } from 'node:net';
import { readFileSync, writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import {
  leaders,
  markedPids,
  processProject,
  supervisorProcesses,
  type ProcessProject,
} from './helpers/processes.js';
import { docker, eventually, freePort, projectObjects, stopCli } from './helpers/stack-cli.js';

const projects: ProcessProject[] = [];
const servers: Server[] = [];

afterEach(async () => {
  for (const s of servers.splice(0)) s.close();
  for (const p of projects.splice(0)) await p.cleanup();
});

async function project(yaml: string): Promise<ProcessProject> {
  const p = await processProject('t-procli', { yaml });
  projects.push(p);
  return p;
}

/** Nothing of the project exists: no container, network or volume, no process, no supervisor. */
async function nothingStarted(p: ProcessProject): Promise<void> {
  expect(await projectObjects(p.project)).toEqual({ containers: [], networks: [], volumes: [] });
  expect(markedPids(p.project)).toEqual([]);
  expect(supervisorProcesses(p.project)).toEqual([]);
}

const db = `  db:
    image: tsstack-test/busybox:latest
    command: ["sleep", "300"]
    stop_grace_period: 1s
`;

describe('bad input: a located error or one clear line, nothing started', () => {
  it('a command that is not found, and a working_dir that does not exist: exit 2 at their lines', async () => {
    const p = await project(`services:
${db}x-tsstack:
  processes:
    api:
      command: ["no-such-program-tsstack", "--port", "1"]
      depends_on: [db]
    worker:
      command: ["true"]
      working_dir: ./missing
`);
    const up = await p.cli(['up', '-d']);
    expect(up.code).toBe(2);
    expect(up.stderr).toMatch(
      /compose\.yaml:9:17 x-tsstack\.processes\.api\.command\[0\]: command not found: "no-such-program-tsstack" is not in PATH/,
    );
    expect(up.stderr).toMatch(
      /compose\.yaml:13:20 x-tsstack\.processes\.worker\.working_dir: working_dir \S+missing does not exist/,
    );
    await nothingStarted(p);
  });

  it('a dependency cycle across containers and processes: exit 2 at the first member', async () => {
    const p = await project(`services:
  db:
    image: tsstack-test/busybox:latest
    x-tsstack:
      depends_on: [api]
x-tsstack:
  processes:
    api:
      command: ["true"]
      depends_on: [db]
`);
    const up = await p.cli(['up', '-d']);
    expect(up.code).toBe(2);
    expect(up.stderr).toMatch(
      /compose\.yaml:10:20 x-tsstack\.processes\.api\.depends_on\[0\]: dependency cycle: api → db → api/,
    );
    await nothingStarted(p);
  });

  it('a port that is already taken: exit 1 naming the process and the port, nothing created', async () => {
    const port = await freePort();
    const server = createServer();
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    const p = await project(`services:
${db}x-tsstack:
  processes:
    api:
      command: ["sleep", "300"]
      ports: [${port}]
      depends_on: [db]
`);
    const up = await p.cli(['up', '-d']);
    expect(up.code).toBe(1);
    expect(up.stderr).toContain(`process api: port 0.0.0.0:${port}/tcp is already in use`);
    await nothingStarted(p);
  });

  it('exit 127 from a shell command is shown as "command not found" and not restarted', async () => {
    const p = await project(`x-tsstack:
  processes:
    api:
      # A shell keyword first: the check before starting cannot see the program, the shell can.
      command: "if true; then no-such-program-tsstack; fi"
      restart: always
`);
    const up = await p.cli(['up', '-d', '--wait']);
    // Without a health check, --wait waits for "running": the shell may be seen running before it fails
    // (a machine under load), and then up succeeds; when it is seen exited, up fails naming the code.
    expect([0, 1], up.stderr).toContain(up.code);
    if (up.code === 1) expect(up.stderr).toMatch(/service api failed --wait: .*exited with code 127/);
    const exited = /-api-1 +process +api +exited \(127\): command not found/;
    expect(await eventually(async () => exited.test((await p.cli(['ps', '-a'])).stdout), 20_000)).toBe(true);
    // Given time to restart, it does not: restarts stay 0, and ps says why.
    await new Promise((r) => setTimeout(r, 1500));
    const ps = await p.cli(['ps', '-a']);
    expect(ps.stdout).toMatch(exited);
    const json = JSON.parse((await p.cli(['ps', '-a', '--format', 'json'])).stdout.trim()) as Record<
      string,
      unknown
    >;
    expect(json).toMatchObject({ Kind: 'process', State: 'exited', ExitCode: 127 });
    const logs = await p.cli(['logs', 'api']);
    expect(logs.stdout).toMatch(/api-1 +\| .*no-such-program-tsstack: not found/);
    expect((await p.cli(['down'])).code).toBe(0);
  }, 60_000);
});

describe('SIGHUP reload', () => {
  it('restarts only the process whose command changed; the other process and the container keep running', async () => {
    const p = await project(`services:
${db}x-tsstack:
  processes:
    a:
      command: ["sleep", "301"]
      depends_on: [db]
      stop_grace_period: 1s
    b:
      command: ["sleep", "302"]
      depends_on: [db]
      stop_grace_period: 1s
`);
    const cli = p.spawn(['up', '--headless']);
    try {
      expect(await eventually(async () => leaders(p.project).length === 2, 60_000)).toBe(true);
      const before = leaders(p.project);
      const dbStarted = (await docker.getContainer(`${p.project}-db-1`).inspect()).State.StartedAt;
      writeFileSync(p.file, readFileSync(p.file, 'utf8').replace('"302"', '"303"'));
      // process.kill, not child.kill: the latter marks the child killed, and stopCli would not send SIGTERM.
      process.kill(cli.child.pid!, 'SIGHUP');
      expect(
        await eventually(
          async () => leaders(p.project).find((l) => l.service === 'b')?.pid !== before[1]?.pid,
          30_000,
        ),
      ).toBe(true);
      expect(await eventually(async () => leaders(p.project).length === 2, 30_000)).toBe(true);
      const after = leaders(p.project);
      expect(after[0]).toEqual(before[0]);
      expect(readFileSync(`/proc/${after[1]!.pid}/cmdline`, 'utf8').split('\0')).toEqual([
        'sleep',
        '303',
        '',
      ]);
      expect((await docker.getContainer(`${p.project}-db-1`).inspect()).State.StartedAt).toBe(dbStarted);
      expect(cli.out.stderr + cli.out.stdout).toContain('stack files reloaded (SIGHUP)');
    } finally {
      expect(await stopCli(cli, 60_000)).toBe(0);
    }
    expect(markedPids(p.project)).toEqual([]);
  }, 120_000);
});

describe('a signal while up is still starting the stack', () => {
  it('is held for the session: SIGTERM then stops what started, exit 0, no process left', async () => {
    // The process starts first; the container that depends on it is created after, so the signal lands
    // while up is still converging, before the session listens.
    const p = await project(`services:
  db:
    image: tsstack-test/busybox:latest
    command: ["sleep", "300"]
    stop_grace_period: 1s
    x-tsstack:
      depends_on: [api]
x-tsstack:
  processes:
    api:
      command: ["sleep", "301"]
      stop_grace_period: 1s
`);
    const cli = p.spawn(['up', '--headless']);
    try {
      expect(await eventually(async () => leaders(p.project).length === 1, 60_000, 5)).toBe(true);
      process.kill(cli.child.pid!, 'SIGTERM');
      expect(await cli.exited, cli.out.stderr).toBe(0);
    } finally {
      await stopCli(cli, 30_000);
    }
    expect(cli.out.stderr).toContain('Gracefully stopping');
    expect(markedPids(p.project)).toEqual([]);
    const db = await docker.getContainer(`${p.project}-db-1`).inspect();
    expect(db.State.Running).toBe(false);
  }, 120_000);
});

describe('the commands that act on containers, given a host process', () => {
  it('kill signals the whole process group (the supervisor then restarts it); pause, cp, top, port and wait refuse it in one line', async () => {
    const p = await project(`services:
${db}x-tsstack:
  processes:
    api:
      # The shell and a child it forked: kill must reach both, as the whole group.
      command: "sleep 301 & sleep 300"
      restart: always
`);
    expect((await p.cli(['up', '-d', '--wait'])).code).toBe(0);
    const before = markedPids(p.project);
    expect(before.length).toBeGreaterThanOrEqual(2);
    const dry = await p.cli(['kill', '--dry-run', '-s', 'TERM', 'api']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(/^kill -s SIGTERM process \S+-api-1 \(process group \d+\)$/m);
    expect(markedPids(p.project)).toEqual(before);
    const killed = await p.cli(['kill', 'api']);
    expect(killed.code, killed.stderr).toBe(0);
    expect(killed.stderr).toMatch(/kill -s SIGKILL process \S+-api-1 \(process group \d+\)/);
    // Every process of the old run is gone; restart: always brings up a new run.
    expect(
      await eventually(async () => {
        const now = markedPids(p.project);
        return now.length >= 2 && now.every((pid) => !before.includes(pid));
      }, 30_000),
    ).toBe(true);
    // The container was not touched.
    expect((await docker.getContainer(`${p.project}-db-1`).inspect()).State.Running).toBe(true);
    for (const args of [
      ['pause', 'api'],
      ['cp', 'api:/etc/hostname', '-'],
      ['top', 'api'],
      ['port', 'api', '80'],
      ['wait', 'api'],
    ]) {
      const r = await p.cli(args);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/"api" is a host process, not a container: \w+ does not apply/);
    }
  }, 120_000);
});
