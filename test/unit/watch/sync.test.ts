import { mkdtemp, mkdir, rm, symlink, utimes, writeFile, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { extract } from 'tar-stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExecRequest, ExecSession, Runtime } from '../../../src/runtime/types.js';
import { compileRule } from '../../../src/watch/rules.js';
import {
  buildTar,
  containerPathFor,
  deleteInContainer,
  listRuleFiles,
  mergePlans,
  planSync,
  syncToContainer,
} from '../../../src/watch/sync.js';
import { rule } from './helpers.js';

interface Entry {
  name: string;
  type: string;
  mode: number;
  mtime: number;
  content: string;
  linkname?: string;
}

async function readTar(tar: Buffer): Promise<Entry[]> {
  const out: Entry[] = [];
  const ex = extract();
  Readable.from([tar]).pipe(ex);
  for await (const entry of ex) {
    const chunks: Buffer[] = [];
    for await (const c of entry) chunks.push(c as Buffer);
    const h = entry.header;
    out.push({
      name: h.name,
      type: String(h.type),
      mode: h.mode ?? 0,
      mtime: h.mtime?.getTime() ?? 0,
      content: Buffer.concat(chunks).toString(),
      linkname: h.linkname ?? undefined,
    });
  }
  return out;
}

/** Records the calls sync makes; exec succeeds unless told otherwise. */
function recordingRuntime(execExit = 0) {
  const calls: {
    put: { id: string; path: string; tar: Buffer }[];
    exec: { id: string; req: ExecRequest }[];
  } = {
    put: [],
    exec: [],
  };
  const runtime = {
    async putArchive(id: string, p: string, tar: Buffer) {
      calls.put.push({ id, path: p, tar });
    },
    async exec(id: string, req: ExecRequest): Promise<ExecSession> {
      calls.exec.push({ id, req });
      return {
        stdout: Readable.from([]),
        stderr: Readable.from(execExit === 0 ? [] : [Buffer.from('rm: denied')]),
        tty: false,
        resize: async () => {},
        closed: Promise.resolve(),
        close: () => {},
        exitCode: Promise.resolve(execExit),
      };
    },
  } as unknown as Runtime;
  return { runtime, calls };
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'tsstack-sync-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('planSync', () => {
  const r = rule({ path: '/proj/app', target: '/srv/app' });

  it('maps host paths under the rule path to the target', () => {
    expect(containerPathFor(r, '/proj/app/src/a.js')).toBe('/srv/app/src/a.js');
    expect(containerPathFor(r, '/proj/app')).toBe('/srv/app');
    expect(containerPathFor(r, '/proj/other/a.js')).toBeUndefined();
    expect(containerPathFor({ ...r, target: undefined }, '/proj/app/a.js')).toBeUndefined();
  });

  it('splits changes into copies and deletions', () => {
    const plan = planSync(r, [
      { path: '/proj/app/a.js', kind: 'change' },
      { path: '/proj/app/new', kind: 'addDir' },
      { path: '/proj/app/old.js', kind: 'unlink' },
      { path: '/proj/app/gone', kind: 'unlinkDir' },
    ]);
    expect(plan.copies).toEqual([
      { hostPath: '/proj/app/a.js', containerPath: '/srv/app/a.js' },
      { hostPath: '/proj/app/new', containerPath: '/srv/app/new' },
    ]);
    expect(plan.deletes).toEqual(['/srv/app/old.js', '/srv/app/gone']);
  });

  it('merges plans, the later rule winning per container path', () => {
    const merged = mergePlans([
      { copies: [{ hostPath: '/h/a', containerPath: '/c/a' }], deletes: ['/c/b'] },
      { copies: [{ hostPath: '/h/b', containerPath: '/c/b' }], deletes: ['/c/a'] },
    ]);
    expect(merged).toEqual({ copies: [{ hostPath: '/h/b', containerPath: '/c/b' }], deletes: ['/c/a'] });
  });
});

describe('buildTar', () => {
  it('packs files with mode, mtime and content, folders and symlinks, under their container paths', async () => {
    const file = path.join(dir, 'run.sh');
    await writeFile(file, '#!/bin/sh\necho hi\n');
    await chmod(file, 0o755);
    const mtime = new Date('2024-05-01T10:00:00Z');
    await utimes(file, mtime, mtime);
    await mkdir(path.join(dir, 'sub'), { recursive: true });
    await symlink('run.sh', path.join(dir, 'link'));

    const { tar, packed, missing } = await buildTar([
      { hostPath: file, containerPath: '/app/bin/run.sh' },
      { hostPath: path.join(dir, 'sub'), containerPath: '/app/sub' },
      { hostPath: path.join(dir, 'link'), containerPath: '/app/link' },
      { hostPath: path.join(dir, 'vanished'), containerPath: '/app/vanished' },
    ]);
    expect(packed).toEqual(['/app/bin/run.sh', '/app/sub', '/app/link']);
    expect(missing).toEqual(['/app/vanished']);
    const entries = await readTar(tar);
    expect(entries.map((e) => [e.name, e.type])).toEqual([
      ['app/bin/run.sh', 'file'],
      ['app/sub', 'directory'],
      ['app/link', 'symlink'],
    ]);
    expect(entries[0]?.content).toBe('#!/bin/sh\necho hi\n');
    expect(entries[0]?.mode).toBe(0o755);
    expect(entries[0]?.mtime).toBe(mtime.getTime());
    expect(entries[2]?.linkname).toBe('run.sh');
  });
});

describe('syncToContainer', () => {
  it('uploads one archive at / and deletes with rm argv, vanished files included', async () => {
    const f = path.join(dir, 'x; rm -rf $HOME.txt');
    await writeFile(f, 'x');
    const { runtime, calls } = recordingRuntime();
    const result = await syncToContainer(runtime, 'c1', {
      copies: [
        { hostPath: f, containerPath: '/app/x; rm -rf $HOME.txt' },
        { hostPath: path.join(dir, 'nope'), containerPath: '/app/nope' },
      ],
      deletes: ['/app/old file.js'],
    });
    expect(result).toEqual({ copied: 1, deleted: 2 });
    expect(calls.put).toHaveLength(1);
    expect(calls.put[0]?.path).toBe('/');
    expect((await readTar(calls.put[0]!.tar)).map((e) => e.name)).toEqual(['app/x; rm -rf $HOME.txt']);
    expect(calls.exec[0]?.req.cmd).toEqual(['rm', '-rf', '--', '/app/old file.js', '/app/nope']);
  });

  it('refuses to delete / or relative paths and chunks long delete lists', async () => {
    const { runtime, calls } = recordingRuntime();
    const many = Array.from({ length: 450 }, (_, i) => `/app/f${i}`);
    await deleteInContainer(runtime, 'c1', ['/', 'relative', ...many]);
    expect(calls.exec.map((c) => c.req.cmd.length - 3)).toEqual([200, 200, 50]);
    expect(calls.exec.flatMap((c) => c.req.cmd)).not.toContain('/');
  });

  it('reports a failing rm in the engine words', async () => {
    const { runtime } = recordingRuntime(1);
    await expect(deleteInContainer(runtime, 'c1', ['/app/a'])).rejects.toThrow(/rm exited 1.*denied/);
  });

  it('makes no engine call for an empty plan', async () => {
    const { runtime, calls } = recordingRuntime();
    await syncToContainer(runtime, 'c1', { copies: [], deletes: [] });
    expect(calls.put).toHaveLength(0);
    expect(calls.exec).toHaveLength(0);
  });
});

describe('listRuleFiles (initial_sync)', () => {
  it('lists matching files and folders, skipping ignored and pruned ones', async () => {
    const root = path.join(dir, 'tree');
    await mkdir(path.join(root, 'src'), { recursive: true });
    await mkdir(path.join(root, 'node_modules', 'x'), { recursive: true });
    await writeFile(path.join(root, 'src', 'a.js'), 'a');
    await writeFile(path.join(root, 'src', '.a.js.swp'), 'swap');
    await writeFile(path.join(root, 'debug.log'), 'log');
    await writeFile(path.join(root, 'node_modules', 'x', 'i.js'), 'i');
    const m = compileRule('web', rule({ path: root, target: '/app', ignore: ['*.log'] }));
    const files = await listRuleFiles(m);
    expect(files.map((f) => [path.relative(root, f.path), f.kind]).sort()).toEqual([
      ['src', 'addDir'],
      ['src/a.js', 'add'],
    ]);
  });
});
