/**
 * Finding tsstack's processes in the OS process table (/proc on Linux) by their environment markers, the
 * way containers are found by label: no state file. A process's environment is readable by its own user
 * (and root); processes of other users are skipped.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { MARKER, type ProcessSupervision } from './types.js';

/** One process of the table that carries a project marker. */
export interface MarkedProcess {
  pid: number;
  ppid: number;
  pgid: number;
  /** Session id: a process tsstack starts leads its own session (pid === sid). */
  sid: number;
  /** The kernel's state letter (R, S, D, Z, T, ...). */
  state: string;
  /** Start time in clock ticks since boot (tells a reused pid from the process it replaced). */
  startTicks: number;
  markers: Record<string, string>;
}

/** One run of a replica: the process tsstack started (its leader) and what else carries its marker. */
export interface FoundInstance {
  instance: string;
  project: string;
  service: string;
  replica: number;
  hash?: string;
  /** Undefined when the leader is gone but descendants that carry its marker are still running. */
  leader?: MarkedProcess;
  members: MarkedProcess[];
  supervision?: ProcessSupervision;
  /** Unix ms the leader started. */
  startedAt?: number;
}

const PREFIX = 'TSSTACK_';

/** Every process carrying `project`'s marker (every project's when undefined). Zombies have no environment. */
export function scanMarked(project?: string, root = '/proc'): MarkedProcess[] {
  const want = project === undefined ? `${MARKER.project}=` : `${MARKER.project}=${project}\0`;
  const out: MarkedProcess[] = [];
  for (const pid of pidsIn(root)) {
    if (pid === process.pid) continue;
    let environ: string;
    try {
      environ = readFileSync(`${root}/${pid}/environ`, 'latin1');
    } catch {
      continue;
    }
    if (!`${environ}\0`.includes(want)) continue;
    const stat = readStat(pid, root);
    if (!stat || stat.state === 'Z') continue;
    out.push({ pid, ...stat, markers: markersOf(environ) });
  }
  return out;
}

/** The project's instances, each with its leader (the oldest session leader among its members). */
export function findInstances(project?: string, root = '/proc'): FoundInstance[] {
  const byInstance = new Map<string, MarkedProcess[]>();
  for (const p of scanMarked(project, root)) {
    const id = p.markers[MARKER.instance];
    if (!id) continue;
    byInstance.set(id, [...(byInstance.get(id) ?? []), p]);
  }
  const boot = bootTimeMs(root);
  return [...byInstance].map(([instance, members]) => {
    const leaders = members
      .filter((m) => m.pid === m.sid)
      .sort((a, b) => a.startTicks - b.startTicks || a.pid - b.pid);
    const leader = leaders[0];
    const m = (leader ?? members[0]!).markers;
    const replica = Number.parseInt(m[MARKER.replica] ?? '', 10);
    return {
      instance,
      project: m[MARKER.project] ?? '',
      service: m[MARKER.service] ?? '',
      replica: Number.isFinite(replica) ? replica : 0,
      hash: m[MARKER.configHash],
      leader,
      members,
      supervision: parseSupervision(m[MARKER.supervision]),
      startedAt: leader && boot !== undefined ? boot + leader.startTicks * TICK_MS : undefined,
    };
  });
}

/** Whether a process with this pid (and, when given, this start time) still runs (zombies do not count). */
export function isAlive(pid: number, startTicks?: number, root = '/proc'): boolean {
  const stat = readStat(pid, root);
  if (!stat || stat.state === 'Z') return false;
  return startTicks === undefined || stat.startTicks === startTicks;
}

/** Pids of the processes in group `pgid` (zombies left out). */
export function groupMembers(pgid: number, root = '/proc'): number[] {
  const out: number[] = [];
  for (const [pid, stat] of statsOfAll(root)) if (stat.pgid === pgid && stat.state !== 'Z') out.push(pid);
  return out;
}

let groupsCache: { at: number; groups: Set<number> } | undefined;
const GROUPS_TTL_MS = 40;

/**
 * Whether group `pgid` has a process that is not a zombie. Zombies stay in their group until their new parent
 * reaps them, which some init processes do late; they hold nothing. One read of /proc serves every caller for
 * a few milliseconds, so fifty stops waiting at once read it a few times a second, not fifty times. Only a
 * yes is served from that read: a group started after it is not in it, and a stale no made a stop right
 * after a start return at once with the process still running (processes-os.test.ts, under load).
 */
export function groupHasLiveMember(pgid: number, root = '/proc'): boolean {
  if (
    root === '/proc' &&
    groupsCache &&
    Date.now() - groupsCache.at <= GROUPS_TTL_MS &&
    groupsCache.groups.has(pgid)
  )
    return true;
  const groups = new Set<number>();
  for (const [, stat] of statsOfAll(root)) if (stat.state !== 'Z') groups.add(stat.pgid);
  if (root === '/proc') groupsCache = { at: Date.now(), groups };
  return groups.has(pgid);
}

/** The pids listed in the process table (none when it cannot be read). */
function pidsIn(root: string): number[] {
  let names: string[];
  try {
    names = readdirSync(root);
  } catch {
    return [];
  }
  return names.map(Number).filter((pid) => Number.isInteger(pid) && pid > 0);
}

function statsOfAll(root: string): [number, Stat][] {
  const out: [number, Stat][] = [];
  for (const pid of pidsIn(root)) {
    const stat = readStat(pid, root);
    if (stat) out.push([pid, stat]);
  }
  return out;
}

/** How a running process was started, read back from /proc: enough to start it again the same way. */
export function readRunSpec(
  pid: number,
  root = '/proc',
): { command: string[]; cwd: string; env: Record<string, string> } | undefined {
  try {
    const command = readFileSync(`${root}/${pid}/cmdline`, 'utf8').split('\0').slice(0, -1);
    const cwd = readlinkSync(`${root}/${pid}/cwd`);
    const env: Record<string, string> = {};
    for (const entry of readFileSync(`${root}/${pid}/environ`, 'utf8').split('\0')) {
      const eq = entry.indexOf('=');
      if (eq > 0) env[entry.slice(0, eq)] = entry.slice(eq + 1);
    }
    return command.length > 0 ? { command, cwd, env } : undefined;
  } catch {
    return undefined;
  }
}

// USER_HZ is 100 on every Linux architecture tsstack runs on (the kernel fixes it for user space).
const TICK_MS = 10;

interface Stat {
  ppid: number;
  pgid: number;
  sid: number;
  state: string;
  startTicks: number;
}

/** Fields of /proc/<pid>/stat; the command name may hold spaces and parentheses, so parse after the last ')'. */
export function readStat(pid: number, root = '/proc'): Stat | undefined {
  let text: string;
  try {
    text = readFileSync(`${root}/${pid}/stat`, 'latin1');
  } catch {
    return undefined;
  }
  const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return {
    state: f[0] ?? '?',
    ppid: Number(f[1]),
    pgid: Number(f[2]),
    sid: Number(f[3]),
    startTicks: Number(f[19]),
  };
}

function markersOf(environ: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of environ.split('\0')) {
    if (!entry.startsWith(PREFIX)) continue;
    const eq = entry.indexOf('=');
    if (eq > 0) out[entry.slice(0, eq)] = Buffer.from(entry.slice(eq + 1), 'latin1').toString('utf8');
  }
  return out;
}

function parseSupervision(text: string | undefined): ProcessSupervision | undefined {
  if (!text) return undefined;
  try {
    const v = JSON.parse(text) as ProcessSupervision;
    return typeof v === 'object' && v !== null && typeof v.name === 'string' ? v : undefined;
  } catch {
    return undefined;
  }
}

let bootCache: number | undefined;

/** Unix ms the machine booted (btime of /proc/stat). */
function bootTimeMs(root: string): number | undefined {
  if (bootCache !== undefined && root === '/proc') return bootCache;
  try {
    const m = /^btime (\d+)$/m.exec(readFileSync(`${root}/stat`, 'latin1'));
    const v = m ? Number(m[1]) * 1000 : undefined;
    if (root === '/proc') bootCache = v;
    return v;
  } catch {
    return undefined;
  }
}
