/**
 * A per-project lock so two mutating commands (two `up`s in two terminals) never plan against the same
 * observed state at once. A lock file in the user's runtime folder holds the holder's pid, its start time
 * (pids are reused) and its command line; a lock whose holder is gone (a SIGKILLed tsstack) is stale and
 * taken over. The engine stays the source of truth: the lock only serializes, it stores no state.
 */
import { linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runtimeDir } from '../core/dirs.js';
import { TsstackError } from '../core/errors.js';

/** What a lock file says about its holder. */
export interface LockHolder {
  pid: number;
  /** The holder's process start time in clock ticks since boot (Linux), or 0 when unknown. */
  startTicks: number;
  command: string;
  since: string;
}

/** The project is locked and the caller asked not to wait (exit 1, naming the holder). */
export class LockedError extends TsstackError {
  constructor(
    readonly project: string,
    readonly holder: LockHolder,
  ) {
    super(`project "${project}" is locked by ${describeHolder(holder)}; try again when it has finished`, 1);
  }
}

export interface LockOptions {
  /** Wait for the holder to finish (default) or throw LockedError at once. */
  wait?: boolean;
  env?: NodeJS.ProcessEnv;
  /** Called once when the lock is busy and we start waiting. */
  onWait?: (holder: LockHolder) => void;
  pollMs?: number;
  signal?: AbortSignal;
  command?: string;
}

/** The folder lock files live in: $XDG_RUNTIME_DIR/tsstack, else /run/user/$UID/tsstack, else the temp folder. */
export function lockDir(env: NodeJS.ProcessEnv = process.env): string {
  return runtimeDir(env);
}

export function lockPath(project: string, env?: NodeJS.ProcessEnv): string {
  // Project names are checked ([a-z0-9_-]) before any command gets here; encode anyway so no name escapes.
  return join(lockDir(env), `${encodeURIComponent(project)}.lock`);
}

/** Takes the project's lock; resolves to a function that releases it (also released when the process exits). */
export async function acquireProjectLock(project: string, opts: LockOptions = {}): Promise<() => void> {
  const path = lockPath(project, opts.env);
  mkdirSync(lockDir(opts.env), { recursive: true, mode: 0o700 });
  const me: LockHolder = {
    pid: process.pid,
    startTicks: processStartTicks(process.pid),
    command: opts.command ?? process.argv.slice(2).join(' '),
    since: new Date().toISOString(),
  };
  const text = JSON.stringify(me);
  let told = false;
  for (;;) {
    opts.signal?.throwIfAborted();
    if (tryCreate(path, text)) break;
    const current = readHolder(path);
    if (current === undefined) continue; // removed between our create and read: try again
    if (!holderAlive(current.holder)) {
      // Stale: remove it only if it is still the file we judged, so two takers never both remove a live one.
      if (readHolder(path)?.text === current.text) tryUnlink(path);
      continue;
    }
    if (opts.wait === false) throw new LockedError(project, current.holder);
    if (!told) {
      told = true;
      opts.onWait?.(current.holder);
    }
    await sleep(opts.pollMs ?? 200, opts.signal);
  }
  let released = false;
  const release = (): void => {
    if (released) return;
    released = true;
    process.off('exit', release);
    if (readHolder(path)?.text === text) tryUnlink(path);
  };
  process.on('exit', release);
  return release;
}

/** The live holder of the project's lock: a command changing the project right now; undefined when none. */
export function projectLockHolder(project: string, env?: NodeJS.ProcessEnv): LockHolder | undefined {
  const current = readHolder(lockPath(project, env));
  return current !== undefined && holderAlive(current.holder) ? current.holder : undefined;
}

/** One line naming the holder, for messages. */
export function describeHolder(h: LockHolder): string {
  return `pid ${h.pid} (tsstack ${h.command || '?'}, since ${h.since})`;
}

// Written to a private file first and linked into place: link() creates atomically, so no reader ever
// sees a half-written lock (which it would judge stale and remove under a live holder).
function tryCreate(path: string, text: string): boolean {
  const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
  writeFileSync(tmp, text, { mode: 0o600 });
  try {
    linkSync(tmp, path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  } finally {
    tryUnlink(tmp);
  }
}

function readHolder(path: string): { text: string; holder: LockHolder } | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  try {
    const h = JSON.parse(text) as Partial<LockHolder>;
    if (typeof h.pid === 'number' && Number.isInteger(h.pid) && h.pid > 0)
      return {
        text,
        holder: {
          pid: h.pid,
          startTicks: typeof h.startTicks === 'number' ? h.startTicks : 0,
          command: typeof h.command === 'string' ? h.command : '',
          since: typeof h.since === 'string' ? h.since : '',
        },
      };
  } catch {
    // fall through: unreadable
  }
  // Not a lock we wrote (lock files appear whole, see tryCreate): nobody holds it.
  return { text, holder: { pid: 0, startTicks: 0, command: '', since: '' } };
}

function holderAlive(h: LockHolder): boolean {
  if (h.pid <= 0) return false;
  try {
    process.kill(h.pid, 0);
  } catch (err) {
    // EPERM: alive but someone else's; ESRCH: gone.
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  // A reused pid has a different start time.
  return h.startTicks === 0 || processStartTicks(h.pid) === h.startTicks;
}

/** Field 22 of /proc/<pid>/stat (after the parenthesized command name), or 0 off Linux. */
function processStartTicks(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[19]) || 0;
  } catch {
    return 0;
  }
}

function tryUnlink(path: string): void {
  try {
    unlinkSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(done, ms);
    function done(): void {
      signal?.removeEventListener('abort', abort);
      resolve();
    }
    function abort(): void {
      clearTimeout(t);
      reject(signal?.reason as Error);
    }
    signal?.addEventListener('abort', abort, { once: true });
  });
}

/**
 * Takes the project's lock for a mutating command: waits for a holder, saying so once on stderr, unless
 * `wait` is false (the global `--no-lock-wait`; then exits 1 naming the holder).
 */
export function lockProject(project: string, wait: boolean): Promise<() => void> {
  return acquireProjectLock(project, {
    wait,
    command: process.argv.slice(2).join(' '),
    onWait: (h) =>
      process.stderr.write(
        `project "${project}" is locked by ${describeHolder(h)}; waiting for it to finish\n`,
      ),
  });
}
