import fc from 'fast-check';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { startHeadless } from '../../../src/session/headless.js';
import { EventBus } from '../../../src/events/bus.js';
import { startEngineFeed } from '../../../src/events/engine-feed.js';
import type { StackEvent } from '../../../src/events/types.js';
import { SimEngine } from '../helpers/sim-engine.js';

/** Runs the feed on `sim`; `show()` is what each service showed: `started`, its lines, `exited:CODE`. */
function feedOn(sim: SimEngine, initialSince?: number, checkMs?: number) {
  const bus = new EventBus();
  const seen: StackEvent[] = [];
  bus.subscribe((e) => seen.push(e));
  const stop = new AbortController();
  const feed = startEngineFeed({
    runtime: sim,
    project: sim.project,
    bus,
    signal: stop.signal,
    initialSince,
    ...(checkMs !== undefined ? { checkMs } : {}),
  });
  const show = (): Record<string, string[]> => {
    const out: Record<string, string[]> = {};
    for (const e of seen) {
      const token =
        e.kind === 'log'
          ? e.message
          : e.kind === 'container.state' && e.phase === 'running'
            ? 'started'
            : e.kind === 'container.state' && e.phase === 'exited'
              ? `exited:${e.exitCode}`
              : undefined;
      if (token === undefined || !('service' in e) || e.service === undefined) continue;
      (out[e.service] ??= []).push(token);
    }
    return out;
  };
  return {
    bus,
    feed,
    show,
    /** Once the feed holds its subscription and took its first look (nothing after can slip by). */
    async attached() {
      await feed.ready;
      await until(() => sim.subscriptions > 0 && sim.listings > 0, 'the first look');
    },
    async end() {
      stop.abort();
      await feed.done;
    },
  };
}

/** Lets the feed take its turns until `cond` holds (fails the test after 10 s). */
async function until(cond: () => boolean, what: string): Promise<void> {
  const end = Date.now() + 10_000;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 1));
  }
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** A new engine, and a feed from its present moment that holds its subscription and took its first look. */
async function attachedFeed(): Promise<{ sim: SimEngine; f: ReturnType<typeof feedOn> }> {
  const sim = new SimEngine();
  const f = feedOn(sim, sim.seconds());
  await f.attached();
  return { sim, f };
}

describe('engine feed: every run shows its lines, then its exit', () => {
  it('a container that died before the feed looked: its run, its line and its exit code (headless words)', async () => {
    const sim = new SimEngine();
    // An earlier session's container, exited before this one began: not a run of this session.
    const old = sim.create('old');
    sim.start(old);
    sim.write(old, 'from last time');
    sim.exit(old, 0);
    sim.tick(1000);
    const since = sim.seconds();
    const bad = sim.create('bad');
    sim.start(bad);
    sim.write(bad, 'config missing', 'stderr');
    sim.exit(bad, 3);
    const good = sim.create('good');
    sim.start(good);

    const f = feedOn(sim, since);
    const out = new PassThrough();
    let text = '';
    out.on('data', (d: Buffer) => (text += d.toString()));
    const headless = startHeadless({ bus: f.bus, out, format: 'plain', color: false });
    await until(() => same(f.show().bad, ['started', 'config missing', 'exited:3']), 'the dead run');
    await f.end();
    await headless.stop();
    expect(f.show()).toEqual({
      old: ['exited:0'],
      bad: ['started', 'config missing', 'exited:3'],
      good: ['started'],
    });
    expect(text.split('\n').filter((l) => l.startsWith('bad'))).toEqual([
      'bad-1 started',
      'bad-1  | config missing',
      'bad-1 exited with code 3',
    ]);
    expect(text).not.toContain('old-1');
  });

  it('a run that ended before the feed looked, its last line logged after its finish time', async () => {
    const sim = new SimEngine();
    const since = sim.seconds();
    const bad = sim.create('bad');
    sim.start(bad);
    sim.exit(bad, 3, 'exited', 'config missing');
    const f = feedOn(sim, since);
    await until(() => (f.show().bad ?? []).length >= 2, 'the dead run');
    await f.end();
    expect(f.show().bad).toEqual(['started', 'config missing', 'exited:3']);
  });

  it('a run in its restart backoff when the feed looked: its lines and exit, then the next run', async () => {
    const sim = new SimEngine();
    const since = sim.seconds();
    const c = sim.create('crash');
    sim.start(c);
    sim.write(c, 'run 1');
    sim.exit(c, 2, 'restarting');
    const f = feedOn(sim, since);
    await until(() => (f.show().crash ?? []).length === 3, 'the first run');
    sim.tick(100);
    sim.start(c);
    sim.write(c, 'run 2');
    sim.exit(c, 2);
    await until(() => (f.show().crash ?? []).length === 6, 'the second run');
    await f.end();
    expect(f.show().crash).toEqual(['started', 'run 1', 'exited:2', 'started', 'run 2', 'exited:2']);
  });

  it('a follow cut off by the run’s end: stdout lines the engine stamped before a stderr line it logged first', async () => {
    // Under CPU load the engine's stdout reader stamps lines, then logs them after the stderr reader logged
    // a line it stamped later. The follow showed that stderr line and fell behind; at the run's end the
    // rest is read again, from where each stream was shown.
    const { sim, f } = await attachedFeed();
    const c = sim.create('fail');
    sim.start(c);
    sim.write(c, 'run 1 done', 'stderr');
    await until(() => (f.show().fail ?? []).includes('run 1 done'), 'the stderr line');
    sim.followGate.hold();
    for (const i of [1, 2, 3]) sim.write(c, `run 1 line ${i}`, 'stdout', 20_000);
    sim.exit(c, 1);
    await until(() => (f.show().fail ?? []).includes('exited:1'), 'the exit');
    sim.followGate.release();
    await f.end();
    expect(f.show().fail).toEqual([
      'started',
      'run 1 done',
      'run 1 line 1',
      'run 1 line 2',
      'run 1 line 3',
      'exited:1',
    ]);
  });

  it('the exit waits for the last line a slow follow still has to deliver', async () => {
    const { sim, f } = await attachedFeed();
    const c = sim.create('web');
    sim.start(c);
    sim.write(c, 'one');
    await until(() => same(f.show().web, ['started', 'one']), 'the first line');
    sim.logGate.hold();
    sim.write(c, 'two');
    sim.exit(c, 1);
    await new Promise((r) => setTimeout(r, 20));
    expect(f.show().web).toEqual(['started', 'one']);
    sim.logGate.release();
    await until(() => (f.show().web ?? []).length === 4, 'the exit');
    await f.end();
    expect(f.show().web).toEqual(['started', 'one', 'two', 'exited:1']);
  });

  it('a restart loop the feed is behind on: each run in order, no line lost or repeated', async () => {
    const { sim, f } = await attachedFeed();
    sim.eventGate.hold();
    const c = sim.create('loop');
    const want: string[] = [];
    for (let run = 1; run <= 5; run++) {
      sim.start(c);
      for (let i = 1; i <= 3; i++) sim.write(c, `run ${run} line ${i}`, i === 2 ? 'stderr' : 'stdout');
      sim.exit(c, run);
      sim.tick(100 * run);
      want.push('started', ...[1, 2, 3].map((i) => `run ${run} line ${i}`), `exited:${run}`);
    }
    sim.start(c);
    sim.write(c, 'steady');
    want.push('started', 'steady');
    sim.eventGate.release();
    await until(() => (f.show().loop ?? []).length >= want.length, 'every run');
    await f.end();
    expect(f.show().loop).toEqual(want);
  });

  it('a follow that reaches the engine only after its run restarted shows nothing of the next run before the exit', async () => {
    const { sim, f } = await attachedFeed();
    const c = sim.create('loop');
    // The log request is slow (a loaded machine): the feed asks to follow run 1 ...
    sim.logGate.hold();
    sim.start(c);
    sim.write(c, 'run 1');
    await until(() => sim.logCalls.length === 1, 'the follow of run 1');
    // ... which ends, and run 2 begins, before the request reaches the engine; run 1's die event is late.
    sim.eventGate.hold();
    sim.exit(c, 1);
    sim.tick(100);
    sim.start(c);
    sim.write(c, 'run 2');
    sim.logGate.release();
    // Time for the follow to deliver whatever it would (run 2's line, before run 1's exit, without the check).
    await new Promise((r) => setTimeout(r, 50));
    sim.eventGate.release();
    await until(() => (f.show().loop ?? []).length >= 5, 'run 2');
    sim.exit(c, 2);
    await until(() => (f.show().loop ?? []).length >= 6, 'the exit of run 2');
    await f.end();
    expect(f.show().loop).toEqual(['started', 'run 1', 'exited:1', 'started', 'run 2', 'exited:2']);
  });

  it('a replacement that removes the old container at once: its last line and exit, then the new one', async () => {
    const { sim, f } = await attachedFeed();
    const v1 = sim.create('web');
    sim.start(v1);
    sim.write(v1, 'hello 1');
    await until(() => same(f.show().web, ['started', 'hello 1']), 'the first container');
    // The feed is behind: the old container is gone before its die event is handled.
    sim.eventGate.hold();
    sim.logGate.hold();
    sim.write(v1, 'bye 1');
    sim.exit(v1, 0);
    sim.destroy(v1);
    const v2 = sim.create('web');
    sim.start(v2);
    sim.write(v2, 'hello 2');
    // Its events are handled before its follow delivers the last line; the log is gone from the engine.
    sim.eventGate.release();
    await new Promise((r) => setTimeout(r, 10));
    sim.logGate.release();
    await until(() => (f.show().web ?? []).length === 6, 'the new container');
    await f.end();
    expect(f.show().web).toEqual(['started', 'hello 1', 'bye 1', 'exited:0', 'started', 'hello 2']);
  });

  it("when the feed stops before a stopped container's die event came, the run ends with its last line", async () => {
    const { sim, f } = await attachedFeed();
    const c = sim.create('web');
    sim.start(c);
    await until(() => same(f.show().web, ['started']), 'the start');
    sim.eventGate.hold();
    sim.logGate.hold();
    sim.write(c, 'stopping');
    sim.exit(c, 137);
    const ended = f.end();
    sim.logGate.release();
    await ended;
    expect(f.show().web).toEqual(['started', 'stopping', 'exited:137']);
  });
});

describe('engine feed: an event stream that goes quiet without ending', () => {
  it("is opened again from its last event once the engine's list disagrees with it twice", async () => {
    const sim = new SimEngine();
    const f = feedOn(sim, sim.seconds(), 5);
    await f.attached();
    const steady = sim.create('steady');
    sim.start(steady);
    await until(() => same(f.show().steady, ['started']), 'the steady container');
    // Nothing changes: the list agrees with the events, the stream is kept.
    await new Promise((r) => setTimeout(r, 50));
    expect(sim.subscriptions).toBe(1);

    sim.muted = true;
    const c = sim.create('quiet');
    sim.start(c);
    sim.write(c, 'unheard');
    sim.exit(c, 4);
    sim.muted = false;
    await until(() => (f.show().quiet ?? []).length === 3, 'the run the stream left out');
    await f.end();
    expect(f.show().quiet).toEqual(['started', 'unheard', 'exited:4']);
    expect(sim.subscriptions).toBe(2);
    // What the engine sent again was handled once.
    expect(f.show().steady).toEqual(['started']);
  });
});

describe('engine feed under arbitrary timing (property)', () => {
  // A service's script: runs (some exit at once, some write part of their lines a while later), a
  // replacement of its container by a new one, and the event stream or the log streams held back or let go.
  const script = fc.array(
    fc.oneof(
      {
        weight: 6,
        arbitrary: fc.record({
          kind: fc.constant('run' as const),
          lines: fc.nat(4),
          code: fc.nat(3),
          linger: fc.boolean(),
          // The engine stamps a line of one stream before a line of the other it logs first.
          skew: fc.boolean(),
        }),
      },
      { weight: 1, arbitrary: fc.constant({ kind: 'replace' as const }) },
      {
        weight: 2,
        arbitrary: fc.record({
          kind: fc.constant('gate' as const),
          which: fc.constantFrom('events' as const, 'logs' as const, 'follows' as const),
        }),
      },
    ),
    { minLength: 1, maxLength: 14 },
  );

  it('shows exactly the runs each service had: started, its lines in order, its exit', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(script, { minLength: 1, maxLength: 3 }),
        fc.array(fc.nat(3), { minLength: 1, maxLength: 40 }),
        async (scripts, pauses) => {
          const { sim, f } = await attachedFeed();
          let turn = 0;
          const pause = async () => {
            for (let i = 0; i < (pauses[turn++ % pauses.length] ?? 0); i++)
              await new Promise((r) => setTimeout(r, 0));
          };
          const want: Record<string, string[]> = {};
          const held = { events: false, logs: false, follows: false };
          const toggle = (which: 'events' | 'logs' | 'follows') => {
            const gate = { events: sim.eventGate, logs: sim.logGate, follows: sim.followGate }[which];
            if (held[which]) gate.release();
            else gate.hold();
            held[which] = !held[which];
          };
          const steps = scripts.map((ops, s) => {
            const service = `s${s}`;
            const shown = want[service] ?? [];
            want[service] = shown;
            let id = '';
            return ops.map((op) => {
              if (op.kind === 'gate') return async () => toggle(op.which);
              // A replacement removes the old container after the feed showed its end (as a rolling update
              // stops it, then removes it): a container removed before its log was ever read is gone with it.
              const upTo = shown.length;
              if (op.kind === 'replace')
                return async () => {
                  if (held.events) toggle('events');
                  if (held.logs) toggle('logs');
                  if (held.follows) toggle('follows');
                  await until(() => (f.show()[service] ?? []).length >= upTo, 'the end before a removal');
                  if (id) sim.destroy(id);
                  id = '';
                };
              shown.push('started');
              for (let i = 0; i < op.lines; i++) shown.push(`${service} line ${shown.length}`);
              const messages = shown.slice(-op.lines || shown.length);
              if (op.lines === 0) messages.length = 0;
              shown.push(`exited:${op.code}`);
              return async () => {
                id ||= sim.create(service);
                sim.start(id);
                const later = op.linger ? messages.splice(messages.length >> 1) : [];
                messages.forEach((m, i) =>
                  sim.write(id, m, i % 2 ? 'stderr' : 'stdout', op.skew && i % 2 === 0 ? 4000 : 0),
                );
                if (later.length > 0) await pause();
                later.forEach((m) => sim.write(id, m));
                sim.exit(id, op.code);
                sim.tick(100);
              };
            });
          });
          // The services' steps interleaved, with the feed given a varying number of turns in between.
          while (steps.some((s) => s.length > 0)) {
            for (const s of steps) {
              const step = s.shift();
              if (!step) continue;
              await step();
              await pause();
            }
          }
          sim.eventGate.release();
          sim.logGate.release();
          sim.followGate.release();
          const done = () => Object.entries(want).every(([s, w]) => (f.show()[s] ?? []).length >= w.length);
          await until(done, 'every run').catch(() => undefined);
          await f.end();
          expect(f.show()).toEqual(Object.fromEntries(Object.entries(want).filter(([, w]) => w.length > 0)));
        },
      ),
      { numRuns: 80 },
    );
  });
});
