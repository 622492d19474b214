import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  acquireProjectLock,
  LockedError,
  lockDir,
  lockPath,
  type LockHolder,
} from '../../../src/session/lock.js';

const runtimeDir = mkdtempSync(path.join(tmpdir(), 'tsstack-lock-'));
const env = { XDG_RUNTIME_DIR: runtimeDir };
afterAll(() => rmSync(runtimeDir, { recursive: true, force: true }));

describe('project lock', () => {
  it('lives in $XDG_RUNTIME_DIR/tsstack, else a per-user folder', () => {
    expect(lockDir(env)).toBe(path.join(runtimeDir, 'tsstack'));
    expect(lockDir({})).toMatch(/tsstack/);
    expect(lockPath('a', env)).toBe(path.join(runtimeDir, 'tsstack', 'a.lock'));
  });

  it('holds pid, start time and command; release removes it', async () => {
    const release = await acquireProjectLock('p1', { env, command: 'up -d' });
    const held = JSON.parse(readFileSync(lockPath('p1', env), 'utf8')) as LockHolder;
    expect(held.pid).toBe(process.pid);
    expect(held.command).toBe('up -d');
    expect(held.startTicks).toBeGreaterThan(0);
    release();
    expect(existsSync(lockPath('p1', env))).toBe(false);
  });

  it('a second taker without wait gets LockedError naming the holder', async () => {
    const release = await acquireProjectLock('p2', { env, command: 'up -d' });
    try {
      const err = await acquireProjectLock('p2', { env, wait: false }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(LockedError);
      expect((err as Error).message).toContain(`project "p2" is locked by pid ${process.pid} (tsstack up -d`);
      expect((err as LockedError).exitCode).toBe(1);
    } finally {
      release();
    }
  });

  it('a waiting taker is told once and gets the lock when the holder releases', async () => {
    const release = await acquireProjectLock('p3', { env, command: 'down' });
    const told: LockHolder[] = [];
    const second = acquireProjectLock('p3', { env, pollMs: 20, onWait: (h) => told.push(h) });
    await new Promise((r) => setTimeout(r, 150));
    expect(told).toHaveLength(1);
    expect(told[0]?.command).toBe('down');
    release();
    const release2 = await second;
    expect((JSON.parse(readFileSync(lockPath('p3', env), 'utf8')) as LockHolder).pid).toBe(process.pid);
    release2();
  });

  it('a lock left by a killed process is stale and taken over', async () => {
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 10000)']);
    const pid = child.pid as number;
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    writeFileSync(lockPath('p4', env), JSON.stringify({ pid, startTicks: 1, command: 'up', since: 'x' }));
    const release = await acquireProjectLock('p4', { env, wait: false });
    release();
  });

  it('a live pid with another start time (pid reused) is stale; garbage is stale', async () => {
    writeFileSync(
      lockPath('p5', env),
      JSON.stringify({ pid: process.pid, startTicks: 1, command: 'up', since: 'x' }),
    );
    (await acquireProjectLock('p5', { env, wait: false }))();
    writeFileSync(lockPath('p6', env), 'not json');
    (await acquireProjectLock('p6', { env, wait: false }))();
  });

  it('waiting can be aborted', async () => {
    const release = await acquireProjectLock('p7', { env });
    const ac = new AbortController();
    const p = acquireProjectLock('p7', { env, pollMs: 10, signal: ac.signal });
    ac.abort(new Error('stop'));
    await expect(p).rejects.toThrow('stop');
    release();
  });

  it('many concurrent takers in one process: exactly one holds at a time', async () => {
    let inside = 0;
    let most = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        const release = await acquireProjectLock('p8', { env, pollMs: 5 });
        inside++;
        most = Math.max(most, inside);
        await new Promise((r) => setTimeout(r, 10));
        inside--;
        release();
      }),
    );
    expect(most).toBe(1);
  });
});
