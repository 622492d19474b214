// Crash consistency with host processes, through the built CLI (`npm run build` first): the detached
// supervisor (or the CLI talking to it) is SIGKILLed at points chosen from the process table, then the next
// command converges: one run per replica, the runs that survived adopted (same pids), nothing left after
// `down`, including a process that ignores SIGTERM. The rows of docs/safety.md.
import { afterEach, describe, expect, it } from 'vitest';
import {
  kill,
  leaders,
  markedPids,
  processProject,
  supervisorPid,
  supervisorProcesses,
  type ProcessProject,
} from './helpers/processes.js';
import { eventually, projectObjects } from './helpers/stack-cli.js';

let p: ProcessProject | undefined;

afterEach(async () => {
  await p?.cleanup();
  p = undefined;
});

/** A chain db ← p1 ← p2 ← p3 ← p4, each process healthy half a second after it starts. */
const chain = `services:
  db:
    image: tsstack-test/busybox:latest
    command: ["sh", "-c", "touch /ready; exec sleep 1000"]
    healthcheck: { test: ["CMD", "test", "-f", "/ready"], interval: 300ms, retries: 50 }
    stop_grace_period: 1s
x-tsstack:
  processes:
${[1, 2, 3, 4]
  .map(
    (i) => `    p${i}:
      command: "rm -f ready-p${i}; sleep 0.5; touch ready-p${i}; exec sleep 1000"
      healthcheck: { test: ["CMD", "test", "-f", "ready-p${i}"], interval: 200ms, retries: 50 }
      depends_on: { ${i === 1 ? 'db' : `p${i - 1}`}: { condition: service_healthy } }
      stop_grace_period: 2s
`,
  )
  .join('')}`;

/** Exactly one run of each of p1..p4 (no duplicate, none missing). */
function oneRunEach(project: string): void {
  expect(leaders(project).map((l) => l.service)).toEqual(['p1', 'p2', 'p3', 'p4']);
}

describe('SIGKILL during up -d of a stack with host processes', () => {
  it('of the supervisor, after the second process started: the next up adopts the two and starts the rest', async () => {
    p = await processProject('t-crashp', { yaml: chain });
    const up = p.spawn(['up', '-d']);
    expect(
      await eventually(async () => leaders(p!.project).some((l) => l.service === 'p2'), 60_000, 20),
    ).toBe(true);
    const daemon = await supervisorPid(p.project, p.env);
    kill(daemon!);
    expect(await up.exited).not.toBe(0);
    const survivors = leaders(p.project);
    expect(survivors.map((l) => l.service)).toEqual(['p1', 'p2']);
    const again = await p.cli(['up', '-d', '--wait']);
    expect(again.code, again.stderr).toBe(0);
    oneRunEach(p.project);
    expect(leaders(p.project).slice(0, 2)).toEqual(survivors);
    expect(supervisorProcesses(p.project)).toHaveLength(1);
    expect((await p.cli(['up', '-d', '--dry-run'])).stdout).toBe('nothing to do\n');
  }, 180_000);

  it('of the CLI, after the second process started: the supervisor keeps what runs, the next up converges', async () => {
    p = await processProject('t-crashp', { yaml: chain });
    const up = p.spawn(['up', '-d']);
    expect(
      await eventually(async () => leaders(p!.project).some((l) => l.service === 'p2'), 60_000, 20),
    ).toBe(true);
    up.child.kill('SIGKILL');
    await up.exited;
    const again = await p.cli(['up', '-d', '--wait']);
    expect(again.code, again.stderr).toBe(0);
    oneRunEach(p.project);
    expect(supervisorProcesses(p.project)).toHaveLength(1);
    expect((await p.cli(['up', '-d', '--dry-run'])).stdout).toBe('nothing to do\n');
  }, 180_000);
});

describe('SIGKILL during down', () => {
  it('of the supervisor, while a process that ignores SIGTERM is in its grace period: a second down leaves nothing', async () => {
    p = await processProject('t-crashp', {
      yaml: `services:
  db:
    image: tsstack-test/busybox:latest
    command: ["sleep", "1000"]
    stop_grace_period: 1s
x-tsstack:
  processes:
    stubborn:
      # The shell and what it starts ignore SIGTERM: only SIGKILL after the grace period ends them.
      command: "trap '' TERM; sleep 1000 & sleep 1001 & wait"
      depends_on: [db]
      stop_grace_period: 5s
    calm:
      command: ["sleep", "1002"]
      depends_on: [stubborn]
      stop_grace_period: 1s
`,
    });
    expect((await p.cli(['up', '-d'])).code).toBe(0);
    expect(await eventually(async () => markedPids(p!.project).length >= 4, 30_000)).toBe(true);
    const down = p.spawn(['down']);
    // calm stops first (it depends on stubborn); then stubborn gets SIGTERM and ignores it.
    expect(
      await eventually(async () => !leaders(p!.project).some((l) => l.service === 'calm'), 30_000, 20),
    ).toBe(true);
    await new Promise((r) => setTimeout(r, 1000));
    kill((await supervisorPid(p.project, p.env))!);
    expect(await down.exited).not.toBe(0);
    expect(leaders(p.project).map((l) => l.service)).toEqual(['stubborn']);
    const again = await p.cli(['down']);
    expect(again.code, again.stderr).toBe(0);
    expect(markedPids(p.project)).toEqual([]);
    expect(supervisorProcesses(p.project)).toEqual([]);
    expect(await projectObjects(p.project)).toEqual({ containers: [], networks: [], volumes: [] });
  }, 180_000);
});
