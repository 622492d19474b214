/**
 * Starting a host process: its own session and process group (so a stop reaches every descendant), its
 * identity in its environment, and its output into two named pipes under the runtime folder. The process
 * holds each pipe open for reading and writing, so it never meets a closed pipe (EPIPE) when its supervisor
 * dies: a new supervisor opens the same pipes and reads on, which is what lets `up` adopt running
 * processes after the old supervisor was SIGKILLed.
 */
import type { ChildProcess } from 'node:child_process';
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  renameSync,
  statSync,
  unlinkSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { openPipeForReading } from './output.js';
import { MARKER, type ProcessCreateSpec, type ProcessSupervision } from './types.js';

/** execFile as a promise (made on first use: the CLI loads child_process only when it runs something). */
const execFileAsync = (file: string, args: string[]) => promisify(execFile)(file, args);

export interface SpawnOptions {
  /** Folder for the output pipes (the project's runtime folder). */
  pipeDir: string;
  /** The environment the process starts from (tsstack's own, or the one a client sent). */
  baseEnv: Record<string, string | undefined>;
}

export interface Spawned {
  pid: number;
  instance: string;
  child: ChildProcess;
  pipes: OutputPipes;
  /**
   * Read ends of the pipes, opened before the process started: they keep what it writes even when it
   * exits before anyone reads (a pipe's data goes with its last open end).
   */
  readFds: { stdout: number; stderr: number };
}

export interface OutputPipes {
  stdout: string;
  stderr: string;
}

/** Why a process could not be started, in words a user can act on. */
export class SpawnError extends Error {
  constructor(
    message: string,
    /** The shell's exit code for the same failure (127 not found, 126 not executable). */
    readonly exitCode: number,
  ) {
    super(message);
  }
}

/** The output pipes of one run of a process. */
export function pipesOf(pipeDir: string, name: string, instance: string): OutputPipes {
  return {
    stdout: join(pipeDir, `${name}.${instance}.out`),
    stderr: join(pipeDir, `${name}.${instance}.err`),
  };
}

/** The environment of a process: tsstack's (or the client's), the stack file's, then the markers. */
export function processEnv(
  spec: ProcessCreateSpec,
  instance: string,
  baseEnv: Record<string, string | undefined>,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(baseEnv)) if (v !== undefined && !k.startsWith('TSSTACK_')) env[k] = v;
  for (const kv of spec.env) {
    const eq = kv.indexOf('=');
    if (eq > 0) env[kv.slice(0, eq)] = kv.slice(eq + 1);
  }
  const supervision: ProcessSupervision = {
    name: spec.name,
    dependsOn: spec.dependsOn,
    fields: spec.fields,
    restart: spec.restart,
    stopSignal: spec.stopSignal,
    stopGraceMs: spec.stopGraceMs,
    ...(spec.healthcheck ? { healthcheck: spec.healthcheck } : {}),
    ports: spec.ports,
    longRunning: spec.longRunning,
    command: spec.command,
    cwd: spec.cwd,
    env: spec.env,
  };
  env[MARKER.project] = spec.project;
  env[MARKER.service] = spec.service;
  env[MARKER.replica] = String(spec.replica);
  env[MARKER.configHash] = spec.hash;
  env[MARKER.instance] = instance;
  env[MARKER.supervision] = JSON.stringify(supervision);
  return env;
}

/** Starts the process; resolves once the OS has started it, rejects with a SpawnError when it cannot. */
export async function spawnProcess(spec: ProcessCreateSpec, o: SpawnOptions): Promise<Spawned> {
  if (!isDir(spec.cwd)) throw new SpawnError(`working_dir ${spec.cwd} does not exist`, 127);
  const instance = randomBytes(6).toString('hex');
  mkdirSync(o.pipeDir, { recursive: true, mode: 0o700 });
  const pipes = pipesOf(o.pipeDir, spec.name, instance);
  await makeFifos([pipes.stdout, pipes.stderr]);
  // Read-write: the process is a reader of its own pipe too, so its writes never fail with EPIPE (they
  // wait when nobody reads and the pipe's buffer is full). On Linux this open never blocks.
  const readFds = { stdout: openPipeForReading(pipes.stdout), stderr: openPipeForReading(pipes.stderr) };
  const out = openSync(pipes.stdout, 'r+');
  const err = openSync(pipes.stderr, 'r+');
  let child: ChildProcess;
  try {
    child = spawn(spec.command[0]!, spec.command.slice(1), {
      cwd: spec.cwd,
      env: processEnv(spec, instance, o.baseEnv),
      // setsid(): its own session and process group, led by it.
      detached: true,
      stdio: ['ignore', out, err],
    });
  } finally {
    closeSync(out);
    closeSync(err);
  }
  try {
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', reject);
    });
  } catch (e) {
    closeSync(readFds.stdout);
    closeSync(readFds.stderr);
    removePipes(pipes);
    throw spawnError(e as NodeJS.ErrnoException, spec);
  }
  return { pid: child.pid!, instance, child, pipes, readFds };
}

/** Removes a run's pipes (after it ended). */
export function removePipes(pipes: OutputPipes): void {
  for (const p of [pipes.stdout, pipes.stderr]) {
    try {
      unlinkSync(p);
    } catch {
      // already gone
    }
  }
}

/** Pipes made ahead in each run of `mkfifo`, for the processes started next (see `makeFifos`). */
export const SPARE_FIFOS = 16;
const SPARE = /^\.spare\.[0-9a-f]+$/;
/** Spare pipes per folder; a folder's leftovers (a supervisor that was killed) are taken on first use. */
const spares = new Map<string, string[]>();

function sparesIn(dir: string): string[] {
  let pool = spares.get(dir);
  if (!pool) {
    pool = [];
    try {
      for (const f of readdirSync(dir)) if (SPARE.test(f)) pool.push(join(dir, f));
    } catch {
      // no folder yet
    }
    spares.set(dir, pool);
  }
  return pool;
}

/**
 * Node has no mkfifo(); coreutils' makes them (argv only, no shell), in one asynchronous call: a
 * synchronous call per pipe held the supervisor's event loop for every process it started, so starting
 * 50 processes took seconds (bench/processes). Each call also makes SPARE_FIFOS spare pipes in the same
 * folder, which the next starts take by renaming, so 50 processes cost a few runs of mkfifo, not 50 (each
 * about 2 ms, which a chain of dependent processes pays one after another). `down` removes the folder
 * with whatever spares are left.
 */
async function makeFifos(paths: string[]): Promise<void> {
  const missing: string[] = [];
  for (const path of paths) {
    try {
      if (lstatSync(path).isFIFO()) continue;
      unlinkSync(path);
    } catch {
      // not there yet
    }
    missing.push(path);
  }
  if (missing.length === 0) return;
  const dir = dirname(missing[0]!);
  const pool = sparesIn(dir);
  while (missing.length > 0 && pool.length > 0) {
    const spare = pool.pop()!;
    try {
      if (!lstatSync(spare).isFIFO()) continue;
      renameSync(spare, missing[0]!);
      missing.shift();
    } catch {
      // removed meanwhile (a `down`): make one instead
    }
  }
  if (missing.length === 0) return;
  const fresh = Array.from({ length: SPARE_FIFOS }, () =>
    join(dir, `.spare.${randomBytes(6).toString('hex')}`),
  );
  await execFileAsync('mkfifo', ['-m', '600', ...missing, ...fresh]);
  pool.push(...fresh);
}

function spawnError(e: NodeJS.ErrnoException, spec: ProcessCreateSpec): SpawnError {
  const program = JSON.stringify(spec.command[0]);
  switch (e.code) {
    case 'ENOENT':
      return new SpawnError(`command not found: ${program}`, 127);
    case 'EACCES':
      return new SpawnError(`permission denied: ${program} is not executable`, 126);
    default:
      return new SpawnError(`cannot start ${program}: ${e.message}`, 126);
  }
}

function isDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
