// Host processes against the real operating system (no engine): process groups, output pipes and log
// files, stops that leave no descendant behind (checked through /proc), health probes, restarts with
// backoff, exit 127, and adoption of running processes by a new supervisor.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EventBus } from '../../src/events/bus.js';
import type { StackEvent } from '../../src/events/types.js';
import { readLogLines } from '../../src/runtime/process/log-file.js';
import { LocalProcessOs } from '../../src/runtime/process/os.js';
import {
  findInstances,
  groupHasLiveMember,
  readStat,
  scanMarked,
} from '../../src/runtime/process/proc-table.js';
import type { ProcessCreateSpec } from '../../src/runtime/process/types.js';
import { ProcessSupervisor } from '../../src/scheduler/process-supervisor.js';
import { ProcessTable } from '../../src/scheduler/process-table.js';
import { processSpec } from './helpers/processes.js';
import { eventually, uniqueName } from './helpers/stack-cli.js';

let dir = '';
let project = '';
let os: LocalProcessOs;
let events: StackEvent[] = [];
const supervisors: ProcessSupervisor[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tsstack-proc-'));
  project = uniqueName('t-proc');
  os = new LocalProcessOs({ env: { ...process.env, XDG_RUNTIME_DIR: dir, XDG_STATE_HOME: dir } });
  events = [];
});

afterEach(async () => {
  for (const s of supervisors.splice(0)) s.close();
  // Whatever a failed test left: kill every process that carries this project's marker.
  for (const p of scanMarked(project)) {
    try {
      process.kill(p.pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
  rmSync(dir, { recursive: true, force: true });
});

function supervisor(policy = { initialMs: 200, maxMs: 800, resetAfterMs: 60_000 }): ProcessSupervisor {
  const bus = new EventBus();
  bus.subscribe((e) => events.push(e));
  const s = new ProcessSupervisor({ project, os, bus, policy });
  supervisors.push(s);
  return s;
}

function spec(service: string, command: string[], extra: Partial<ProcessCreateSpec> = {}): ProcessCreateSpec {
  return processSpec(project, dir, service, command, { env: ['GREETING=hello'], ...extra });
}

/** Pids carrying this project's marker, from /proc. */
const marked = (): number[] => scanMarked(project).map((p) => p.pid);

describe('host processes on the OS', () => {
  it('runs in its own group with its markers; stdout and stderr reach the bus and the log file', async () => {
    const s = supervisor();
    const sum = await s.start(
      spec('api', ['/bin/sh', '-c', 'echo "$GREETING out"; echo err >&2; exec sleep 30']),
    );
    const [found] = findInstances(project);
    expect(found?.leader?.pid).toBe(sum.pid);
    expect(found?.leader?.pgid).toBe(sum.pid);
    expect(found).toMatchObject({ service: 'api', replica: 1, hash: 'h1' });
    expect(found?.supervision?.name).toBe(`${project}-api-1`);
    expect(await eventually(async () => events.filter((e) => e.kind === 'log').length >= 2, 10_000)).toBe(
      true,
    );
    await s.stop(`${project}-api-1`);
    const lines = readLogLines(os.logPath(project, 'api', 1));
    expect(lines.map((l) => [l.stream, l.message]).sort()).toEqual([
      ['stderr', 'err'],
      ['stdout', 'hello out'],
    ]);
    expect(lines.every((l) => Math.abs(l.time - Date.now()) < 60_000)).toBe(true);
  });

  it('a stop reaches every descendant, also one that forks, ignores SIGTERM or starts its own session', async () => {
    const s = supervisor();
    const script = 'trap "" TERM; (trap "" TERM; sleep 300) & setsid sleep 301 & sleep 302';
    await s.start(spec('stubborn', ['/bin/sh', '-c', script], { stopGraceMs: 500 }));
    expect(await eventually(async () => marked().length >= 4, 10_000)).toBe(true);
    await s.stop(`${project}-stubborn-1`);
    expect(marked()).toEqual([]);
    const phases = events.flatMap((e) => (e.kind === 'container.state' ? [e.phase] : []));
    expect(phases).toEqual(['starting', 'running', 'stopping', 'stopped']);
  });

  it('probes health, restarts on failure with backoff up to the limit, and never restarts exit 127', async () => {
    const s = supervisor();
    const ready = join(dir, 'ready');
    await s.start(
      spec('api', ['/bin/sh', '-c', `sleep 0.3; touch ${ready}; sleep 0.4; rm -f ${ready}; exit 3`], {
        restart: { name: 'on-failure', maximumRetryCount: 2 },
        healthcheck: {
          probe: { kind: 'command', command: ['test', '-f', ready] },
          interval: 100,
          retries: 50,
        },
      }),
    );
    await s.wait('api', 'healthy');
    expect(
      await eventually(
        async () =>
          (await s.list())[0]?.phase === 'exited' &&
          events.filter((e) => e.kind === 'container.restarting').length === 2,
        20_000,
      ),
    ).toBe(true);
    const restarts = events.flatMap((e) => (e.kind === 'container.restarting' ? [e] : []));
    expect(restarts.map((e) => [e.attempt, e.backoffMs, e.reason])).toEqual([
      [1, 200, 'exited with code 3'],
      [2, 400, 'exited with code 3'],
    ]);
    expect((await s.list())[0]).toMatchObject({ phase: 'exited', exitCode: 3, restarts: 2 });

    await s.start(
      spec('typo', ['/bin/sh', '-c', 'no-such-program-tsstack --x'], { restart: { name: 'always' } }),
    );
    expect(await eventually(async () => (await s.list()).some((p) => p.exitCode === 127), 10_000)).toBe(true);
    await new Promise((r) => setTimeout(r, 600));
    const typo = (await s.list()).find((p) => p.service === 'typo');
    expect(typo).toMatchObject({ phase: 'exited', exitCode: 127, restarts: 0, error: 'command not found' });
    expect(events).toContainEqual(
      expect.objectContaining({
        kind: 'error',
        message: expect.stringMatching(/exited with code 127: command not found/),
      }),
    );
    await expect(s.wait('typo', 'running')).rejects.toThrow(/exited with code 127: command not found/);
    await expect(
      s.start(spec('gone', ['no-such-program-tsstack'], { restart: { name: 'always' } })),
    ).rejects.toThrow(/command not found: "no-such-program-tsstack"/);
  }, 60_000);

  it('a new supervisor adopts running processes (same pid), keeps logging, and stops them', async () => {
    const first = supervisor();
    const started = await first.start(
      spec('api', ['/bin/sh', '-c', 'i=0; while true; do i=$((i+1)); echo tick $i; sleep 0.1; done'], {
        restart: { name: 'always' },
      }),
    );
    expect(await eventually(async () => readLogLines(os.logPath(project, 'api', 1)).length > 0, 10_000)).toBe(
      true,
    );
    first.close(); // like a supervisor that went away: the process keeps running
    const second = supervisor();
    expect(second.adopt()).toEqual([`${project}-api-1`]);
    const [adopted] = await second.list();
    expect(adopted).toMatchObject({ pid: started.pid, phase: 'running', hash: 'h1' });
    const before = readLogLines(os.logPath(project, 'api', 1)).length;
    expect(
      await eventually(async () => readLogLines(os.logPath(project, 'api', 1)).length > before + 3, 10_000),
    ).toBe(true);
    // A second adopt finds nothing new to take over.
    expect(second.adopt()).toEqual([]);
    await second.remove(`${project}-api-1`);
    expect(marked()).toEqual([]);
  });

  it('without a supervisor, the process table lists and stops them by their markers', async () => {
    const s = supervisor();
    await s.start(
      spec('api', ['/bin/sh', '-c', 'trap "" TERM; sleep 300 & sleep 301'], { stopGraceMs: 300 }),
    );
    s.close();
    const table = new ProcessTable(os, project);
    const [row] = await table.list();
    expect(row).toMatchObject({ name: `${project}-api-1`, phase: 'running', service: 'api' });
    await table.stop(`${project}-api-1`);
    expect(marked()).toEqual([]);
    expect(await table.list()).toEqual([]);
  });
});

describe('the process table', () => {
  it('sees a group started just after its last read (a stop right after a start must wait for it)', async () => {
    // Fill the short-lived cache of groups, then start a new group and ask at once.
    expect(groupHasLiveMember(readStat(process.pid)!.pgid)).toBe(true);
    const child = spawn('sleep', ['30'], { detached: true, stdio: 'ignore' });
    await new Promise((resolve) => child.once('spawn', resolve));
    try {
      expect(groupHasLiveMember(child.pid!)).toBe(true);
    } finally {
      child.kill('SIGKILL');
    }
  });
});

describe('log files', () => {
  it('rotate at their bound and keep one older file', async () => {
    const small = new LocalProcessOs({
      env: { ...process.env, XDG_RUNTIME_DIR: dir, XDG_STATE_HOME: dir, TSSTACK_PROCESS_LOG_BYTES: '2000' },
    });
    const w = small.logWriter(project, 'api', 1);
    for (let i = 0; i < 200; i++) w.write('stdout', Date.now(), `line ${i} ${'x'.repeat(20)}`);
    w.close();
    const path = small.logPath(project, 'api', 1);
    expect(readFileSync(path).length).toBeLessThanOrEqual(2000);
    expect(readFileSync(`${path}.1`).length).toBeLessThanOrEqual(2000);
    const lines = readLogLines(path);
    expect(lines.at(-1)?.message).toMatch(/^line 199 /);
    expect(readLogLines(path, { tail: 2 }).map((l) => l.message.split(' ')[1])).toEqual(['198', '199']);
  });
});
