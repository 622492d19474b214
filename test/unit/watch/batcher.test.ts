import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ChangeBatcher, type ChangeBatch } from '../../../src/watch/batcher.js';

describe('ChangeBatcher', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  const make = () => {
    const batches: ChangeBatch[] = [];
    const b = new ChangeBatcher((x) => batches.push(x), {
      quietMs: 50,
      maxWaitMs: 400,
      now: () => Date.now(),
    });
    return { b, batches };
  };

  it('turns 500 events arriving together into one batch', () => {
    const { b, batches } = make();
    for (let i = 0; i < 500; i++) b.push({ path: `/src/f${i}.ts`, kind: 'add' });
    vi.advanceTimersByTime(49);
    expect(batches).toHaveLength(0);
    vi.advanceTimersByTime(1);
    expect(batches).toHaveLength(1);
    expect(batches[0]?.changes).toHaveLength(500);
    expect(batches[0]?.events).toBe(500);
  });

  it('keeps one batch open while events keep arriving within the quiet window', () => {
    const { b, batches } = make();
    for (let i = 0; i < 6; i++) {
      b.push({ path: `/src/f${i}.ts`, kind: 'change' });
      vi.advanceTimersByTime(30);
    }
    expect(batches).toHaveLength(0);
    vi.advanceTimersByTime(20);
    expect(batches).toHaveLength(1);
    expect(batches[0]?.changes.map((c) => c.path)).toEqual([0, 1, 2, 3, 4, 5].map((i) => `/src/f${i}.ts`));
  });

  it('flushes at the latency cap even when events never stop', () => {
    const { b, batches } = make();
    for (let t = 0; t < 1000; t += 20) {
      b.push({ path: `/src/f${t}.ts`, kind: 'change' });
      vi.advanceTimersByTime(20);
    }
    expect(batches.length).toBeGreaterThanOrEqual(2);
    for (const batch of batches) expect(batch.lastAt - batch.firstAt).toBeLessThanOrEqual(400);
  });

  it('dedupes paths, the newest kind winning', () => {
    const { b, batches } = make();
    b.push({ path: '/a', kind: 'add' });
    b.push({ path: '/a', kind: 'change' });
    b.push({ path: '/b', kind: 'add' });
    b.push({ path: '/b', kind: 'unlink' });
    b.push({ path: '/c', kind: 'unlink' });
    b.push({ path: '/c', kind: 'add' });
    vi.advanceTimersByTime(50);
    expect(batches[0]?.changes).toEqual([
      { path: '/a', kind: 'change' },
      { path: '/b', kind: 'unlink' },
      { path: '/c', kind: 'add' },
    ]);
    expect(batches[0]?.events).toBe(6);
  });

  it('records when the first event of a batch arrived', () => {
    const { b, batches } = make();
    const t0 = Date.now();
    b.push({ path: '/a', kind: 'add' });
    vi.advanceTimersByTime(30);
    b.push({ path: '/b', kind: 'add' });
    vi.advanceTimersByTime(50);
    expect(batches[0]?.firstAt).toBe(t0);
    expect(batches[0]?.lastAt).toBe(t0 + 30);
  });

  it('starts a fresh batch after a flush and emits nothing when empty or closed', () => {
    const { b, batches } = make();
    b.flush();
    expect(batches).toHaveLength(0);
    b.push({ path: '/a', kind: 'add' });
    b.flush();
    b.push({ path: '/b', kind: 'add' });
    vi.advanceTimersByTime(50);
    expect(batches.map((x) => x.changes.map((c) => c.path))).toEqual([['/a'], ['/b']]);
    b.push({ path: '/c', kind: 'add' });
    b.close();
    vi.advanceTimersByTime(1000);
    expect(batches).toHaveLength(2);
  });

  it('flushes a lone save after the short first window, a burst only after the longer one', () => {
    const batches: ChangeBatch[] = [];
    const b = new ChangeBatcher((x) => batches.push(x), { quietMs: 60, firstQuietMs: 25, maxWaitMs: 1000 });
    b.push({ path: '/one', kind: 'change' });
    vi.advanceTimersByTime(25);
    expect(batches).toHaveLength(1);
    b.push({ path: '/a', kind: 'add' });
    vi.advanceTimersByTime(10);
    b.push({ path: '/b', kind: 'add' });
    vi.advanceTimersByTime(40);
    expect(batches).toHaveLength(1);
    vi.advanceTimersByTime(20);
    expect(batches).toHaveLength(2);
    expect(batches[1]?.changes.map((c) => c.path)).toEqual(['/a', '/b']);
  });

  it('waits the longer window after a lone folder event: its files are still being read', () => {
    const batches: ChangeBatch[] = [];
    const b = new ChangeBatcher((x) => batches.push(x), { quietMs: 60, firstQuietMs: 25, maxWaitMs: 1000 });
    b.push({ path: '/new', kind: 'addDir' });
    vi.advanceTimersByTime(40);
    expect(batches).toHaveLength(0);
    b.push({ path: '/new/a', kind: 'add' });
    vi.advanceTimersByTime(60);
    expect(batches).toHaveLength(1);
    expect(batches[0]?.changes).toHaveLength(2);
  });

  it('takes new timings from the next event on (a reloaded stack changed its debounce)', () => {
    const { b, batches } = make();
    b.configure({ quietMs: 300, firstQuietMs: 300, maxWaitMs: 1000 });
    b.push({ path: '/a', kind: 'change' });
    vi.advanceTimersByTime(250);
    expect(batches).toHaveLength(0);
    vi.advanceTimersByTime(60);
    expect(batches).toHaveLength(1);
  });
});
