/**
 * The narrow interface a supervisor uses to run host processes, and its Linux implementation over the
 * pieces of this folder (spawn, output pipes, /proc, signals, probes, log files). A run is one start of a
 * replica: started here (a child, whose exit code is known) or adopted from the process table after an
 * earlier supervisor is gone (not a child: only that it ended is known).
 */
import { closeSync } from 'node:fs';
import { join } from 'node:path';
import { projectFolder, runtimeDir, stateDir } from '../../core/dirs.js';
import { DEFAULT_LOG_BYTES, LogWriter } from './log-file.js';
import { readPipe, type PipeReader } from './output.js';
import { findInstances, isAlive, type FoundInstance } from './proc-table.js';
import { runProbe, type ProbeOptions, type ProbeResult } from './probes.js';
import { stopRun, type StopResult } from './signals.js';
import { pipesOf, removePipes, spawnProcess } from './spawn.js';
import type { ProbeSpec, ProcessCreateSpec } from './types.js';

export interface ExitStatus {
  /** Undefined for an adopted run (not our child: the OS tells only its parent the code). */
  code?: number;
  signal?: string;
}

/** One run of a replica. */
export interface ProcessRun {
  pid: number;
  instance: string;
  /** Unix ms. */
  startedAt: number;
  /** Settles once the leader has exited. */
  exited: Promise<ExitStatus>;
  /** Starts reading its output (once); lines arrive with the time they were read. */
  readOutput(onLine: (stream: 'stdout' | 'stderr', line: string, time: number) => void): void;
  /** Stops reading its output; the run goes on (a later supervisor reads on from the same pipes). */
  closeOutput(): void;
  /** After it ended: reads what is left in its pipes (briefly), then removes them. */
  release(): Promise<void>;
}

export interface ProcessOs {
  start(spec: ProcessCreateSpec, baseEnv: Record<string, string | undefined>): Promise<ProcessRun>;
  /** Takes over a run found in the process table (its leader still running). */
  adopt(found: FoundInstance): ProcessRun;
  /** The project's runs in the process table. */
  find(project: string): FoundInstance[];
  stop(
    project: string,
    run: { instance: string; pid: number },
    o: { signal: string; graceMs: number; abort?: AbortSignal },
  ): Promise<StopResult>;
  probe(probe: ProbeSpec, o: ProbeOptions): Promise<ProbeResult>;
  /** The log file writer of one replica. */
  logWriter(project: string, service: string, replica: number): LogWriter;
  logPath(project: string, service: string, replica: number): string;
}

/** How long a run's pipes are read after it ended, for output still in them. */
const DRAIN_MS = 1000;

/** How often an adopted run is checked for having exited (it is not our child: no exit event). */
const ADOPTED_POLL_MS = 500;

export interface LocalProcessOsOptions {
  env?: NodeJS.ProcessEnv;
}

/** Linux: processes in their own sessions, output through named pipes, the table read from /proc. */
export class LocalProcessOs implements ProcessOs {
  private readonly env: NodeJS.ProcessEnv;

  constructor(o: LocalProcessOsOptions = {}) {
    this.env = o.env ?? process.env;
  }

  pipeDir(project: string): string {
    return projectFolder(runtimeDir(this.env), project);
  }

  logPath(project: string, service: string, replica: number): string {
    return join(projectFolder(stateDir(this.env), project), `${service}-${replica}.log`);
  }

  logWriter(project: string, service: string, replica: number): LogWriter {
    const bytes = Number(this.env.TSSTACK_PROCESS_LOG_BYTES);
    return new LogWriter(
      this.logPath(project, service, replica),
      Number.isInteger(bytes) && bytes > 0 ? bytes : DEFAULT_LOG_BYTES,
    );
  }

  async start(spec: ProcessCreateSpec, baseEnv: Record<string, string | undefined>): Promise<ProcessRun> {
    const spawned = await spawnProcess(spec, { pipeDir: this.pipeDir(spec.project), baseEnv });
    const exited = new Promise<ExitStatus>((resolve) => {
      spawned.child.once('exit', (code, signal) =>
        resolve({ ...(code !== null ? { code } : {}), ...(signal ? { signal } : {}) }),
      );
    });
    return makeRun(spawned.pid, spawned.instance, Date.now(), exited, spawned.pipes, spawned.readFds);
  }

  adopt(found: FoundInstance): ProcessRun {
    const leader = found.leader!;
    const exited = new Promise<ExitStatus>((resolve) => {
      const timer = setInterval(() => {
        if (isAlive(leader.pid, leader.startTicks)) return;
        clearInterval(timer);
        resolve({});
      }, ADOPTED_POLL_MS);
    });
    const name = found.supervision?.name ?? `${found.project}-${found.service}-${found.replica}`;
    const pipes = pipesOf(this.pipeDir(found.project), name, found.instance);
    return makeRun(leader.pid, found.instance, found.startedAt ?? Date.now(), exited, pipes);
  }

  find(project: string): FoundInstance[] {
    return findInstances(project);
  }

  stop(
    project: string,
    run: { instance: string; pid: number },
    o: { signal: string; graceMs: number; abort?: AbortSignal },
  ): Promise<StopResult> {
    return stopRun({ project, instance: run.instance, pid: run.pid }, o);
  }

  probe(probe: ProbeSpec, o: ProbeOptions): Promise<ProbeResult> {
    return runProbe(probe, o);
  }
}

function makeRun(
  pid: number,
  instance: string,
  startedAt: number,
  exited: Promise<ExitStatus>,
  pipes: { stdout: string; stderr: string },
  readFds?: { stdout: number; stderr: number },
): ProcessRun {
  const readers: PipeReader[] = [];
  let opened = readFds;
  const closeUnread = (): void => {
    if (opened) for (const fd of [opened.stdout, opened.stderr]) tryClose(fd);
    opened = undefined;
  };
  return {
    pid,
    instance,
    startedAt,
    exited,
    readOutput(onLine) {
      if (readers.length > 0) return;
      const from = opened ?? pipes;
      opened = undefined;
      readers.push(
        readPipe(from.stdout, (line, time) => onLine('stdout', line, time)),
        readPipe(from.stderr, (line, time) => onLine('stderr', line, time)),
      );
    },
    closeOutput() {
      closeUnread();
      for (const r of readers.splice(0)) r.close();
    },
    async release() {
      closeUnread();
      const open = readers.splice(0);
      // The last lines (a goodbye on SIGTERM) are still in the pipe when the process is gone.
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        Promise.all(open.map((r) => r.done)),
        new Promise((r) => (timer = setTimeout(r, DRAIN_MS))),
      ]);
      clearTimeout(timer);
      for (const r of open) r.close();
      removePipes(pipes);
    },
  };
}

function tryClose(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // already closed
  }
}
