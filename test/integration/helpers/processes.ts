/**
 * Helpers for tests of stacks with host processes: a project of its own (runtime and state folders in a
 * temporary folder, so no test touches the user's), the CLI run with that environment, and what the
 * process table says (the source of truth the tests check against).
 */
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findInstances, scanMarked } from '../../../src/runtime/process/proc-table.js';
import { RemoteProcessHost } from '../../../src/supervisor/client.js';
import { socketPath } from '../../../src/supervisor/protocol.js';
import type { ProcessCreateSpec } from '../../../src/runtime/process/types.js';
import {
  ROOT,
  spawnCli,
  freePort,
  removeProject,
  tsstack,
  uniqueName,
  type CliResult,
  type RunningCli,
} from './stack-cli.js';

export interface ProcessProject {
  project: string;
  dir: string;
  /** The stack file (absolute). */
  file: string;
  env: Record<string, string>;
  /** The CLI on the project; `viaCommand`: through bin/tsstack, as npm installs it. */
  cli(
    args: string[],
    extra?: Record<string, string>,
    timeoutMs?: number,
    viaCommand?: boolean,
  ): Promise<CliResult>;
  spawn(args: string[], extra?: Record<string, string>): RunningCli;
  /** Kills whatever is left (processes, supervisor), removes the containers and the folder. */
  cleanup(): Promise<void>;
}

/** A project in a fresh folder: a copy of `example` (a folder under examples/) or a given stack text. */
export async function processProject(
  prefix: string,
  source: { example: string } | { yaml: string; files?: Record<string, string> },
): Promise<ProcessProject> {
  const root = mkdtempSync(join(tmpdir(), 'tsstack-procs-'));
  const dir = join(root, 'stack');
  if ('example' in source) cpSync(join(ROOT, 'examples', source.example), dir, { recursive: true });
  else {
    cpSync(join(ROOT, 'examples', 'mixed', 'api'), join(dir, 'api'), { recursive: true });
    for (const [name, text] of Object.entries(source.files ?? {})) writeFileSync(join(dir, name), text);
    writeFileSync(join(dir, 'compose.yaml'), source.yaml);
  }
  const file = join(dir, readdirSync(dir).find((f) => /\.ya?ml$/.test(f)) ?? 'compose.yaml');
  const project = uniqueName(prefix);
  const env = {
    XDG_RUNTIME_DIR: join(root, 'run'),
    XDG_STATE_HOME: join(root, 'state'),
    MIXED_API_PORT: String(await freePort()),
    MIXED_DB_PORT: String(await freePort()),
  };
  const args = (a: string[]) => ['-f', file, '-p', project, ...a];
  return {
    project,
    dir,
    file,
    env,
    cli: (a, extra = {}, timeoutMs = 120_000, viaCommand = false) =>
      tsstack(args(a), { ...env, ...extra }, timeoutMs, viaCommand),
    spawn: (a, extra = {}) => spawnCli(args(a), { ...env, ...extra }),
    async cleanup() {
      const daemon = await supervisorPid(project, env);
      if (daemon) kill(daemon);
      for (const p of scanMarked(project)) kill(p.pid);
      await removeProject(project);
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** Every process carrying the project's marker (leaders and descendants), from /proc. */
export function markedPids(project: string): number[] {
  return scanMarked(project).map((p) => p.pid);
}

/** The group leaders of the project's runs by service (one entry per run), from /proc. */
export function leaders(project: string): { service: string; replica: number; pid: number }[] {
  return findInstances(project)
    .filter((f) => f.leader)
    .map((f) => ({ service: f.service, replica: f.replica, pid: f.leader!.pid }))
    .sort((a, b) => (a.service < b.service ? -1 : a.service > b.service ? 1 : a.replica - b.replica));
}

/** The pid of the supervisor answering on the project's socket, if one does. */
export async function supervisorPid(
  project: string,
  env: Record<string, string>,
): Promise<number | undefined> {
  try {
    const host = await RemoteProcessHost.connect(socketPath(project, { ...process.env, ...env }));
    host.close();
    return host.hello.pid;
  } catch {
    return undefined;
  }
}

/** Processes whose command line says they are this project's detached supervisor (from /proc). */
export function supervisorProcesses(project: string): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const cmd = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0');
      const line = cmd.join(' ');
      // It renames itself (process.title); before that, its arguments say it.
      if (
        line.startsWith(`tsstack supervisor ${project}`) ||
        (cmd.includes('__supervise') && cmd.includes(project))
      )
        out.push(Number(name));
    } catch {
      // gone
    }
  }
  return out;
}

export function kill(pid: number, signal: NodeJS.Signals = 'SIGKILL'): void {
  try {
    process.kill(pid, signal);
  } catch {
    // gone
  }
}

/** The create spec of replica 1 of `service` in `project`, run in `cwd` (a 1 s grace, no restart). */
export function processSpec(
  project: string,
  cwd: string,
  service: string,
  command: string[],
  extra: Partial<ProcessCreateSpec> = {},
): ProcessCreateSpec {
  return {
    project,
    service,
    replica: 1,
    hash: 'h1',
    name: `${project}-${service}-1`,
    dependsOn: [],
    fields: {},
    restart: { name: 'no' },
    stopSignal: 'SIGTERM',
    stopGraceMs: 1000,
    ports: [],
    longRunning: true,
    command,
    cwd,
    env: [],
    ...extra,
  };
}
