import { describe, expect, it } from 'vitest';
import { DagError, executeDag, type DagNode } from '../../../src/scheduler/execute.js';

/** A deferred: a promise the test settles by hand. */
function deferred<T = void>(): {
  promise: Promise<T>;
  resolve: (v: T) => void;
  reject: (e: unknown) => void;
} {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

function node(id: string, deps: string[], run: () => Promise<unknown> = async () => id): DagNode {
  return { id, deps: deps.map((d) => ({ id: d, condition: 'done' as const })), run };
}

describe('executeDag', () => {
  it('runs dependencies before dependents', async () => {
    const order: string[] = [];
    const track = (id: string) => async () => {
      order.push(id);
      await new Promise((r) => setTimeout(r, 1));
      return id;
    };
    const out = await executeDag(
      [node('c', ['a', 'b'], track('c')), node('a', [], track('a')), node('b', ['a'], track('b'))],
      { concurrency: 4 },
    );
    expect(order).toEqual(['a', 'b', 'c']);
    expect([...out.values()].every((o) => o.status === 'done')).toBe(true);
  });

  it('never runs more than `concurrency` nodes at once, and runs independent ones in parallel', async () => {
    let inFlight = 0;
    let peak = 0;
    const run = async (): Promise<void> => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((r) => setTimeout(r, 5));
      inFlight--;
    };
    const nodes = Array.from({ length: 10 }, (_, i) => node(`n${i}`, [], run));
    await executeDag(nodes, { concurrency: 3 });
    expect(peak).toBe(3);
  });

  it('starts a dependent the moment its dependency is done, without waiting for unrelated nodes', async () => {
    const slow = deferred();
    const started: string[] = [];
    const resultP = executeDag(
      [
        node('slow', [], () => slow.promise),
        node('fast', [], async () => started.push('fast')),
        node('after-fast', ['fast'], async () => started.push('after-fast')),
      ],
      { concurrency: 4 },
    );
    await new Promise((r) => setTimeout(r, 5));
    expect(started).toEqual(['fast', 'after-fast']);
    slow.resolve();
    await resultP;
  });

  it('skips everything downstream of a failure and keeps independent branches going', async () => {
    const out = await executeDag(
      [
        node('a', [], async () => {
          throw new Error('boom');
        }),
        node('b', ['a']),
        node('c', ['b']),
        node('x', []),
      ],
      { concurrency: 2 },
    );
    expect(out.get('a')).toMatchObject({ status: 'failed' });
    expect(out.get('b')).toMatchObject({ status: 'skipped', blockedBy: 'a' });
    expect(out.get('c')).toMatchObject({ status: 'skipped', blockedBy: 'b' });
    expect(out.get('x')).toMatchObject({ status: 'done', value: 'x' });
  });

  it('waits for non-done conditions through the waitFor hook', async () => {
    const healthy = deferred();
    const seen: string[] = [];
    const resultP = executeDag(
      [
        node('db', []),
        { id: 'web', deps: [{ id: 'db', condition: 'healthy' }], run: async () => seen.push('web') },
      ],
      {
        concurrency: 2,
        waitFor: async (edge) => {
          seen.push(`wait ${edge.id} ${edge.condition}`);
          await healthy.promise;
        },
      },
    );
    await new Promise((r) => setTimeout(r, 5));
    expect(seen).toEqual(['wait db healthy']);
    healthy.resolve();
    const out = await resultP;
    expect(seen).toEqual(['wait db healthy', 'web']);
    expect(out.get('web')?.status).toBe('done');
  });

  it('skips a dependent when its condition cannot be met or no hook is given', async () => {
    const out = await executeDag(
      [node('db', []), { id: 'web', deps: [{ id: 'db', condition: 'completed' }], run: async () => 1 }],
      { concurrency: 1, waitFor: async () => Promise.reject(new Error('db exited with code 3')) },
    );
    expect(out.get('web')).toMatchObject({ status: 'skipped', reason: 'db exited with code 3' });
    const noHook = await executeDag(
      [node('db', []), { id: 'web', deps: [{ id: 'db', condition: 'healthy' }], run: async () => 1 }],
      { concurrency: 1 },
    );
    expect(noHook.get('web')?.status).toBe('skipped');
  });

  it('starts nothing new after abort and passes the signal to running nodes', async () => {
    const controller = new AbortController();
    let sawAbort = false;
    const out = await executeDag(
      [
        node('a', [], async () => {
          await new Promise((r) => setTimeout(r, 0));
          controller.abort();
          await new Promise((r) => setTimeout(r, 1));
        }),
        {
          id: 'watcher',
          deps: [],
          run: async (signal) => {
            await new Promise((r) => setTimeout(r, 2));
            sawAbort = signal.aborted;
          },
        },
        node('b', ['a']),
        node('c', []),
      ],
      { concurrency: 2, signal: controller.signal },
    );
    expect(out.get('a')?.status).toBe('done');
    expect(out.get('b')).toMatchObject({ status: 'skipped', reason: 'aborted' });
    expect(out.get('c')).toMatchObject({ status: 'skipped', reason: 'aborted' });
    expect(out.get('watcher')?.status).toBe('done');
    expect(sawAbort).toBe(true);
  });

  it('rejects unknown dependencies and cycles before running anything', async () => {
    let ran = false;
    const run = async (): Promise<void> => {
      ran = true;
    };
    await expect(executeDag([node('a', ['zzz'], run)], { concurrency: 1 })).rejects.toThrow(DagError);
    await expect(
      executeDag([node('a', ['b'], run), node('b', ['a'], run)], { concurrency: 1 }),
    ).rejects.toThrow(/cycle/);
    expect(ran).toBe(false);
  });

  it('resolves at once for an empty graph', async () => {
    expect((await executeDag([], { concurrency: 1 })).size).toBe(0);
  });
});

describe('executeDag gates and optional edges', () => {
  it('an optional edge lets the dependent run after its dependency failed, and reports it', async () => {
    const broken: string[] = [];
    const out = await executeDag(
      [
        { id: 'dep', deps: [], run: async () => Promise.reject(new Error('boom')) },
        { id: 'soft', deps: [{ id: 'dep', condition: 'done', optional: true }], run: async () => 'ran' },
        { id: 'hard', deps: [{ id: 'dep', condition: 'done' }], run: async () => 'ran' },
      ],
      { concurrency: 2, onSoftEdgeBroken: (n, e, why) => broken.push(`${n.id}<-${e.id}: ${why}`) },
    );
    expect(out.get('soft')).toMatchObject({ status: 'done', value: 'ran' });
    expect(out.get('hard')).toMatchObject({ status: 'skipped', blockedBy: 'dep' });
    expect(broken).toEqual(['soft<-dep: dep failed']);
  });

  it('a rejecting gate fails the node (its dependents are skipped) without running it', async () => {
    let ran = false;
    const out = await executeDag(
      [
        {
          id: 'a',
          deps: [],
          gate: async () => Promise.reject(new Error('dependency db is unhealthy')),
          run: async () => {
            ran = true;
          },
        },
        { id: 'b', deps: [{ id: 'a', condition: 'done' }], run: async () => undefined },
      ],
      { concurrency: 1 },
    );
    expect(ran).toBe(false);
    expect(out.get('a')).toMatchObject({ status: 'failed' });
    expect((out.get('a') as { error: Error }).error.message).toBe('dependency db is unhealthy');
    expect(out.get('b')).toMatchObject({ status: 'skipped' });
  });

  it('an aborted run skips nodes whose gate is still waiting', async () => {
    const ctl = new AbortController();
    const result = executeDag(
      [
        {
          id: 'waiting',
          deps: [],
          gate: (signal) =>
            new Promise((_, reject) => signal.addEventListener('abort', () => reject(new Error('aborted')))),
          run: async () => undefined,
        },
      ],
      { concurrency: 1, signal: ctl.signal },
    );
    ctl.abort();
    const out = await result;
    expect(out.get('waiting')?.status).not.toBe('done');
  });
});

describe('executeDag waiting lane', () => {
  /** A node whose run holds until the test releases it, recording when it starts. */
  const held = (id: string, deps: string[], started: string[], waits: boolean) => {
    const d = deferred();
    const n: DagNode = {
      ...node(id, deps, () => {
        started.push(id);
        return d.promise;
      }),
      waits,
    };
    return { n, release: () => d.resolve() };
  };
  const tick = () => new Promise((r) => setImmediate(r));

  it('runs 12 waiting nodes side by side under a work cap of 4, not 4 at a time', async () => {
    const started: string[] = [];
    const stops = Array.from({ length: 12 }, (_, i) => held(`stop${i}`, [], started, true));
    const result = executeDag(
      stops.map((s) => s.n),
      { concurrency: 4, waitConcurrency: 50 },
    );
    await tick();
    // All twelve are in flight at once before any finished: one grace period, not three.
    expect(started).toHaveLength(12);
    for (const s of stops) s.release();
    const out = await result;
    expect([...out.values()].every((o) => o.status === 'done')).toBe(true);
  });

  it('bounds the waiting lane by waitConcurrency and the work lane by concurrency, independently', async () => {
    const started: string[] = [];
    const waiting = Array.from({ length: 6 }, (_, i) => held(`w${i}`, [], started, true));
    const work = Array.from({ length: 6 }, (_, i) => held(`k${i}`, [], started, false));
    const result = executeDag(
      [...waiting, ...work].map((s) => s.n),
      { concurrency: 2, waitConcurrency: 3 },
    );
    await tick();
    // A full waiting lane does not keep work from starting, and the other way round.
    expect(started.filter((id) => id.startsWith('w'))).toHaveLength(3);
    expect(started.filter((id) => id.startsWith('k'))).toHaveLength(2);
    waiting[0]?.release();
    await tick();
    expect(started.filter((id) => id.startsWith('w'))).toHaveLength(4);
    expect(started.filter((id) => id.startsWith('k'))).toHaveLength(2);
    for (const s of [...waiting, ...work]) s.release();
    await tick();
    for (const s of [...waiting, ...work]) s.release();
    await result;
    expect(started).toHaveLength(12);
  });

  it('keeps dependency order among waiting nodes: a dependency starts only once its dependents are done', async () => {
    const started: string[] = [];
    // Stopping in reverse depends_on order: both webs first, then the db they use.
    const web1 = held('web1', [], started, true);
    const web2 = held('web2', [], started, true);
    const db = held('db', ['web1', 'web2'], started, true);
    const result = executeDag([web1.n, web2.n, db.n], { concurrency: 1, waitConcurrency: 50 });
    await tick();
    expect(started).toEqual(['web1', 'web2']);
    web1.release();
    await tick();
    expect(started).toEqual(['web1', 'web2']);
    web2.release();
    await tick();
    expect(started).toEqual(['web1', 'web2', 'db']);
    db.release();
    await result;
  });

  it('without waitConcurrency, waiting nodes get a lane as wide as concurrency', async () => {
    const started: string[] = [];
    const stops = Array.from({ length: 5 }, (_, i) => held(`s${i}`, [], started, true));
    const result = executeDag(
      stops.map((s) => s.n),
      { concurrency: 2 },
    );
    await tick();
    expect(started).toHaveLength(2);
    for (let i = 0; i < 3; i++) {
      for (const s of stops) s.release();
      await tick();
    }
    await result;
    expect(started).toHaveLength(5);
  });
});
