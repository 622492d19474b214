import { lstat, readFile, readdir, readlink } from 'node:fs/promises';
import path from 'node:path';
import { buffer } from 'node:stream/consumers';
import { pack } from 'tar-stream';
import { EngineError } from '../core/errors.js';
import { LABEL } from '../model/labels.js';
import type { WatchRule } from '../spec/types.js';
import type { ContainerSummary, ExecRequest, Runtime } from '../runtime/types.js';
import type { FileChange } from './batcher.js';
import { relativeInside, type RuleMatcher } from './rules.js';

/** One host path to copy to one container path. */
export interface SyncCopy {
  hostPath: string;
  containerPath: string;
}

/** What one sync does in a container: copy these paths, then delete those. */
export interface SyncPlan {
  copies: SyncCopy[];
  deletes: string[];
}

/** Where a host path under `rule.path` lands in the container: `rule.target` + its path relative to `rule.path`. */
export function containerPathFor(rule: WatchRule, hostPath: string): string | undefined {
  if (!rule.target) return undefined;
  const rel = relativeInside(rule.path, hostPath);
  if (rel === undefined) return undefined;
  return rel === '' ? path.posix.normalize(rule.target) : path.posix.join(rule.target, rel);
}

/** Splits a rule's changes into copies and deletions (pure: whether a file still exists is decided at tar time). */
export function planSync(rule: WatchRule, changes: FileChange[]): SyncPlan {
  const plan: SyncPlan = { copies: [], deletes: [] };
  for (const c of changes) {
    const containerPath = containerPathFor(rule, c.path);
    if (containerPath === undefined) continue;
    if (c.kind === 'unlink' || c.kind === 'unlinkDir') plan.deletes.push(containerPath);
    else plan.copies.push({ hostPath: c.path, containerPath });
  }
  return plan;
}

/** Merges several plans (one per rule) into one, keeping the last word per container path. */
export function mergePlans(plans: SyncPlan[]): SyncPlan {
  const copies = new Map<string, SyncCopy>();
  const deletes = new Set<string>();
  for (const p of plans) {
    for (const c of p.copies) {
      deletes.delete(c.containerPath);
      copies.set(c.containerPath, c);
    }
    for (const d of p.deletes) {
      copies.delete(d);
      deletes.add(d);
    }
  }
  return { copies: [...copies.values()], deletes: [...deletes] };
}

export interface BuiltTar {
  tar: Buffer;
  /** Container paths packed. */
  packed: string[];
  /** Copies whose host file vanished before it could be read: they are deletions now. */
  missing: string[];
}

/**
 * Packs the copies into one tar, entry names relative to `/` (so one archive serves several targets), each file
 * with its mode and mtime. Parent folders are created by the engine on extraction.
 */
export async function buildTar(copies: SyncCopy[]): Promise<BuiltTar> {
  const archive = pack();
  const collected = buffer(archive);
  const packed: string[] = [];
  const missing: string[] = [];
  for (const c of copies) {
    const name = c.containerPath.replace(/^\/+/, '');
    if (name === '') continue;
    let st;
    try {
      st = await lstat(c.hostPath);
    } catch {
      missing.push(c.containerPath);
      continue;
    }
    const header = { name, mode: st.mode & 0o7777, mtime: st.mtime, uid: 0, gid: 0 };
    try {
      if (st.isDirectory()) {
        await addEntry(archive, { ...header, type: 'directory' });
      } else if (st.isSymbolicLink()) {
        await addEntry(archive, { ...header, type: 'symlink', linkname: await readlink(c.hostPath) });
      } else if (st.isFile()) {
        const content = await readFile(c.hostPath);
        await addEntry(archive, { ...header, type: 'file', size: content.length }, content);
      } else {
        continue; // sockets, fifos: nothing to copy
      }
    } catch (err) {
      if (isNotFound(err)) {
        missing.push(c.containerPath);
        continue;
      }
      throw err;
    }
    packed.push(c.containerPath);
  }
  archive.finalize();
  return { tar: await collected, packed, missing };
}

type Header = Parameters<ReturnType<typeof pack>['entry']>[0];

function addEntry(archive: ReturnType<typeof pack>, header: Header, content?: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (err?: Error | null) => (err ? reject(err) : resolve());
    if (content) archive.entry(header, content, done);
    else archive.entry(header, done);
  });
}

function isNotFound(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: string }).code === 'ENOENT';
}

/** Paths per `rm` call: far below ARG_MAX even for long paths. */
const DELETE_CHUNK = 200;

/** Runs a command in the container (argv, never a shell string), returns its exit code and stderr. */
export async function execIn(
  runtime: Runtime,
  containerId: string,
  cmd: string[],
  opts: Partial<ExecRequest> = {},
): Promise<{ exitCode: number; stderr: string }> {
  const session = await runtime.exec(containerId, { ...opts, cmd, tty: false, stdin: false });
  const stderr: Buffer[] = [];
  session.stdout.resume();
  session.stderr.on('data', (chunk: Buffer | string) => stderr.push(Buffer.from(chunk)));
  const exitCode = await session.exitCode;
  // stderr only matters on failure: then give its stream a moment to drain (it may end after the exit code).
  if (exitCode !== 0) await Promise.race([ended(session.stderr), delay(250)]);
  return { exitCode, stderr: Buffer.concat(stderr).toString('utf8').trim() };
}

function ended(stream: NodeJS.ReadableStream): Promise<void> {
  return new Promise((resolve) => {
    stream.once('end', () => resolve());
    stream.once('close', () => resolve());
    stream.once('error', () => resolve());
  });
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Removes container paths with `rm -rf -- <paths>`; paths go as argv, so no file name reaches a shell. */
export async function deleteInContainer(
  runtime: Runtime,
  containerId: string,
  paths: string[],
): Promise<void> {
  const safe = paths.filter((p) => path.posix.isAbsolute(p) && path.posix.normalize(p) !== '/');
  for (let i = 0; i < safe.length; i += DELETE_CHUNK) {
    const chunk = safe.slice(i, i + DELETE_CHUNK);
    const { exitCode, stderr } = await execIn(runtime, containerId, ['rm', '-rf', '--', ...chunk]);
    if (exitCode !== 0)
      throw new EngineError(`deleting synced files failed (rm exited ${exitCode}): ${stderr}`);
  }
}

export interface SyncResult {
  copied: number;
  deleted: number;
}

/** Applies a sync plan to one container: one archive upload for all copies, then the deletions. */
export async function syncToContainer(
  runtime: Runtime,
  containerId: string,
  plan: SyncPlan,
): Promise<SyncResult> {
  const { tar, packed, missing } = await buildTar(plan.copies);
  if (packed.length > 0) await runtime.putArchive(containerId, '/', tar);
  const deletes = [...plan.deletes, ...missing];
  if (deletes.length > 0) await deleteInContainer(runtime, containerId, deletes);
  return { copied: packed.length, deleted: deletes.length };
}

/** The running containers of a service (one-off `run` containers excluded), found by labels alone. */
export async function findServiceContainers(
  runtime: Runtime,
  project: string,
  service: string,
): Promise<ContainerSummary[]> {
  const all = await runtime.listContainers({ [LABEL.project]: project, [LABEL.service]: service });
  return all
    .filter((c) => c.state === 'running' && !/^true$/i.test(c.labels[LABEL.oneoff] ?? ''))
    .sort((a, b) => Number(a.labels[LABEL.replica] ?? 0) - Number(b.labels[LABEL.replica] ?? 0));
}

/** Every file and folder under a rule's path that the rule matches (for `initial_sync`); skips pruned folders. */
export async function listRuleFiles(matcher: RuleMatcher): Promise<FileChange[]> {
  const root = matcher.rule.path;
  const out: FileChange[] = [];
  let st;
  try {
    st = await lstat(root);
  } catch {
    return out;
  }
  if (!st.isDirectory()) return matcher.matches(root) ? [{ path: root, kind: 'add' }] : out;
  const walk = async (dir: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const e of entries) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) {
        if (matcher.prunes(p) || !matcher.matches(p, true)) continue;
        out.push({ path: p, kind: 'addDir' });
        await walk(p);
      } else if (matcher.matches(p)) {
        out.push({ path: p, kind: 'add' });
      }
    }
  };
  await walk(root);
  return out;
}
