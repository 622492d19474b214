/**
 * A small model of what the engine feed relies on, with the engine's log semantics: every line has a
 * nanosecond timestamp; `since` and `until` are inclusive; a follow asked while the container runs goes on
 * until that run ends, one asked while it does not run returns what is written and ends; a removed
 * container's log is gone. Tests drive it step by step and can hold back the event stream or the log
 * streams to put the feed behind the engine, as a loaded machine does.
 */
import type { FeedRuntime } from '../../../src/events/engine-feed.js';
import { keyOfSeconds, timeKey } from '../../../src/events/log-cursor.js';
import type {
  ContainerStats,
  ContainerSummary,
  EngineEvent,
  LogLine,
  LogOptions,
} from '../../../src/runtime/types.js';

interface SimLine extends LogLine {
  time: string;
  run: number;
}

interface SimContainer {
  summary: ContainerSummary;
  lines: SimLine[];
  run: number;
  /** Wakes the follows of the current run (a line was written or the run ended). */
  wake: Set<() => void>;
}

/** A queue that delivers only while open; `hold` makes it keep what comes until `release`. */
class Gate {
  private held = false;
  private readonly waiting: (() => void)[] = [];
  hold(): void {
    this.held = true;
  }
  release(): void {
    this.held = false;
    for (const w of this.waiting.splice(0)) w();
  }
  /** Resolves while open, or once released (or `signal` aborts). */
  async pass(signal?: AbortSignal): Promise<void> {
    while (this.held && !signal?.aborted) await until((wake) => this.waiting.push(wake), signal);
  }
}

/** Resolves once the function `register` is handed is called, or `signal` aborts. */
function until(register: (wake: () => void) => void, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      signal?.removeEventListener('abort', done);
      resolve();
    };
    signal?.addEventListener('abort', done, { once: true });
    register(done);
  });
}

export class SimEngine implements FeedRuntime {
  private readonly containers = new Map<string, SimContainer>();
  private readonly subscribers = new Set<(e: EngineEvent) => void>();
  /** Nanoseconds since 2026-01-01; each write, start and exit moves it on. */
  private nanos = 0;
  private nextId = 1;
  readonly eventGate = new Gate();
  readonly logGate = new Gate();
  /** Holds back only follows (a reader behind the engine), not reads of what is logged. */
  readonly followGate = new Gate();
  logCalls: LogOptions[] = [];
  /** Event subscriptions opened, and listings asked for, so far. */
  subscriptions = 0;
  listings = 0;
  /** While set, events reach no subscriber (the engine still keeps them): a stream gone quiet. */
  muted = false;
  private readonly history: EngineEvent[] = [];

  constructor(readonly project = 'p') {}

  /** The clock as Unix seconds (what `up` passes as the session's start). */
  seconds(): number {
    return Date.UTC(2026, 0, 1) / 1000 + this.nanos / 1e9;
  }

  /** Moves the clock on by `ms` (a restart backoff, time passing between runs). */
  tick(ms: number): void {
    this.nanos += ms * 1e6;
  }

  create(service: string, replica = 1, name = `${this.project}-${service}-${replica}`): string {
    const id = `c${this.nextId++}`;
    this.containers.set(id, {
      summary: {
        id,
        name,
        image: 'img',
        labels: {
          'io.tsstack.project': this.project,
          'io.tsstack.service': service,
          'io.tsstack.replica': String(replica),
        },
        state: 'created',
        ports: [],
        networks: [],
      },
      lines: [],
      run: 0,
      wake: new Set(),
    });
    this.emit(id, 'create');
    return id;
  }

  /** Starts a run; starting takes the engine 50 ms (a restart policy waits at least 100 ms more). */
  start(id: string): void {
    const c = this.must(id);
    this.tick(50);
    c.run++;
    c.summary.state = 'running';
    c.summary.startedAt = this.stamp();
    c.summary.exitCode = undefined;
    this.emit(id, 'start');
  }

  /**
   * The process writes a line. `stampedEarlier` (ns): the engine's reader of that stream stamped it so
   * much earlier than it is logged (never before that stream's line before it), so a line of the other
   * stream logged meanwhile comes first in the log with a later stamp, as under CPU load.
   */
  write(id: string, message: string, stream: 'stdout' | 'stderr' = 'stdout', stampedEarlier = 0): void {
    const c = this.must(id);
    let time = this.stamp();
    if (stampedEarlier > 0) {
      const own = c.lines.findLast((l) => l.stream === stream)?.time;
      const floor = own === undefined ? 0 : this.nanosOf(own) + 1;
      time = this.stampAt(Math.max(floor, this.nanos - stampedEarlier));
    }
    c.lines.push({ stream, message, time, run: c.run });
    for (const w of c.wake) w();
  }

  /**
   * The process exits: the run's log is complete, its follows end, then the die event. `late`: a line the
   * process wrote before it exited that the engine logs only 5 ms after (its timestamp is after FinishedAt).
   */
  exit(id: string, code: number, then: 'exited' | 'restarting' = 'exited', late?: string): void {
    const c = this.must(id);
    c.summary.state = then;
    c.summary.exitCode = code;
    c.summary.finishedAt = this.stamp();
    if (late !== undefined) {
      this.tick(5);
      c.lines.push({ stream: 'stderr', message: late, time: this.stamp(), run: c.run });
    }
    for (const w of c.wake) w();
    this.emit(id, 'die', { exitCode: String(code) });
  }

  destroy(id: string): void {
    const c = this.must(id);
    this.containers.delete(id);
    for (const w of c.wake) w();
    this.emit(id, 'destroy', {}, c);
  }

  // ---- FeedRuntime ----

  async listContainers(): Promise<ContainerSummary[]> {
    this.listings++;
    return [...this.containers.values()].map((c) => ({
      ...c.summary,
      startedAt: undefined,
      finishedAt: undefined,
    }));
  }

  async inspectContainer(id: string): Promise<ContainerSummary | undefined> {
    const c = this.containers.get(id);
    return c ? { ...c.summary } : undefined;
  }

  events(
    _filter: unknown,
    signal: AbortSignal,
    onSubscribed?: () => void,
    since?: number,
  ): AsyncIterable<EngineEvent> {
    const queue: EngineEvent[] =
      since === undefined ? [] : this.history.filter((e) => e.time >= since * 1000);
    let wake = () => {};
    const push = (e: EngineEvent) => {
      queue.push(e);
      wake();
    };
    this.subscribers.add(push);
    this.subscriptions++;
    onSubscribed?.();
    const gate = this.eventGate;
    const subscribers = this.subscribers;
    return {
      async *[Symbol.asyncIterator]() {
        try {
          while (!signal.aborted) {
            await gate.pass(signal);
            const e = queue.shift();
            if (e) {
              yield e;
              continue;
            }
            await until((w) => (wake = w), signal);
          }
        } finally {
          subscribers.delete(push);
        }
      },
    };
  }

  async *logs(id: string, opts: LogOptions, signal?: AbortSignal): AsyncIterable<LogLine> {
    this.logCalls.push(opts);
    await this.logGate.pass(signal);
    const c = this.containers.get(id);
    if (!c) throw new Error(`No such container: ${id}`);
    const from = opts.since === undefined ? undefined : keyOfSeconds(opts.since);
    const to = opts.until === undefined ? undefined : keyOfSeconds(opts.until);
    const fits = (l: SimLine) =>
      (from === undefined || timeKey(l.time) >= from) && (to === undefined || timeKey(l.time) <= to);
    // What a follow asked now will see: this run, while it lasts.
    const following = opts.follow && c.summary.state === 'running' ? c.run : undefined;
    let sent = c.lines.length;
    const snapshot = c.lines.filter(fits);
    const first = opts.tail === undefined ? snapshot : opts.tail === 0 ? [] : snapshot.slice(-opts.tail);
    for (const l of first) {
      if (signal?.aborted) return;
      await this.logGate.pass(signal);
      yield this.out(l);
    }
    while (following !== undefined && !signal?.aborted) {
      for (; sent < c.lines.length; sent++) {
        const l = c.lines[sent]!;
        if (l.run !== following || !fits(l)) continue;
        await this.logGate.pass(signal);
        await this.followGate.pass(signal);
        if (signal?.aborted) return;
        yield this.out(l);
      }
      const live = this.containers.get(id) === c && c.run === following && c.summary.state === 'running';
      if (!live) return;
      let w = () => {};
      await until((wake) => c.wake.add((w = wake)), signal);
      c.wake.delete(w);
    }
  }

  /** No samples: usage is not what these tests look at. */
  stats(): AsyncIterable<ContainerStats> {
    return { [Symbol.asyncIterator]: () => ({ next: async () => ({ done: true, value: undefined }) }) };
  }

  // ---- internals ----

  private out(l: SimLine): LogLine {
    return { stream: l.stream, message: l.message, time: l.time };
  }

  private must(id: string): SimContainer {
    const c = this.containers.get(id);
    if (!c) throw new Error(`no container ${id}`);
    return c;
  }

  /** The clock as the engine writes it (RFC 3339, nanoseconds), moved on by 1.5 µs each time. */
  private stamp(): string {
    this.nanos += 1500;
    return this.stampAt(this.nanos);
  }

  private stampAt(nanos: number): string {
    const second = new Date(Date.UTC(2026, 0, 1) + Math.floor(nanos / 1e9) * 1000);
    return `${second.toISOString().slice(0, 19)}.${String(nanos % 1e9).padStart(9, '0')}Z`;
  }

  private nanosOf(time: string): number {
    const [whole, fraction = '0'] = time.slice(0, -1).split('.');
    return (Date.parse(`${whole}Z`) - Date.UTC(2026, 0, 1)) * 1e6 + Number(fraction.padEnd(9, '0'));
  }

  private emit(
    id: string,
    action: string,
    extra: Record<string, string> = {},
    c = this.containers.get(id),
  ): void {
    const labels = c?.summary.labels ?? {};
    const e: EngineEvent = {
      type: 'container',
      action,
      id,
      attributes: { ...labels, name: c?.summary.name ?? id, ...extra },
      time: Date.UTC(2026, 0, 1) + Math.floor(this.nanos / 1e6),
    };
    this.history.push(e);
    if (!this.muted) for (const s of this.subscribers) s(e);
  }
}
