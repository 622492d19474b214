/**
 * Stopping one run of a host process so that nothing of it survives: the stop signal goes to its whole
 * process group (and to any descendant that left the group but still carries the run's marker), then after
 * the grace period SIGKILL to whatever is left. Waits look at the group with kill(-pgid, 0), a syscall, and
 * at /proc only while that says something is left (one shared read serves every stop waiting at once).
 */
import { findInstances, groupHasLiveMember, isAlive } from './proc-table.js';

export interface StopTarget {
  project: string;
  instance: string;
  /** The group leader's pid (the group's id); 0 when the leader is already gone. */
  pid: number;
}

export interface StopOptions {
  signal: string;
  graceMs: number;
  /** Aborting skips the rest of the grace period (a second Ctrl-C): SIGKILL at once. */
  abort?: AbortSignal;
  /** Where to read the process table (tests). */
  root?: string;
}

/** What a stop did: whether SIGKILL was needed. */
export interface StopResult {
  killed: boolean;
}

/** Sends `signal`, waits up to the grace period, then SIGKILLs what is left of the run. */
export async function stopRun(t: StopTarget, o: StopOptions): Promise<StopResult> {
  // Descendants that left the group (setsid) but carry the run's marker: signalled one by one, once.
  const strays = (): number[] =>
    findInstances(t.project, o.root)
      .filter((i) => i.instance === t.instance)
      .flatMap((i) => i.members.filter((m) => t.pid <= 0 || m.pgid !== t.pid).map((m) => m.pid));
  const send = (sig: NodeJS.Signals | 0, pids: number[]): void => {
    if (t.pid > 0) trySignal(-t.pid, sig);
    for (const pid of pids) trySignal(pid, sig);
  };
  let outside = strays();
  send(o.signal as NodeJS.Signals, outside);
  const gone = (): boolean => (t.pid <= 0 || !groupAlive(t.pid)) && outside.every((p) => !isAlive(p));
  if (await waitUntil(gone, o.graceMs, o.abort)) {
    // Something may have started after the first look (a child forked during the grace period).
    outside = strays();
    if (outside.length === 0) return { killed: false };
  }
  let killed = false;
  for (let round = 0; round < 3; round++) {
    outside = strays();
    if ((t.pid <= 0 || !groupAlive(t.pid)) && outside.length === 0) break;
    killed = true;
    send('SIGKILL', outside);
    await waitUntil(gone, 2000);
  }
  return { killed };
}

/** Whether any process of group `pgid` still runs (a syscall first; /proc only while it says yes). */
export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  return groupHasLiveMember(pgid);
}

/** Sends a signal to a pid (negative: a group); false when there is no such process. */
export function trySignal(pid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(pid, signal);
    return true;
  } catch {
    return false;
  }
}

/** Resolves true once `done()` holds, false after `ms` (or at once when `abort` fires). */
async function waitUntil(done: () => boolean, ms: number, abort?: AbortSignal): Promise<boolean> {
  const end = Date.now() + ms;
  let step = 10;
  while (!done()) {
    if (Date.now() >= end || abort?.aborted) return false;
    await new Promise((r) => setTimeout(r, Math.min(step, Math.max(1, end - Date.now()))));
    step = Math.min(100, step * 2);
  }
  return true;
}
