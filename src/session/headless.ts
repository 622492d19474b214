/**
 * Headless supervisor output: every log line prefixed with its container (`web-1  | message`), or with
 * `--log-format json` one JSON object a line, plus separate lines for state changes (started, healthy,
 * unhealthy, exited, restarting). A bus subscriber like the UI; it writes in batches (see BatchWriter).
 */
import type { Writable } from 'node:stream';
import pc from 'picocolors';
import type { EventBus } from '../events/bus.js';
import { formatDuration } from '../events/summary.js';
import type { StackEvent } from '../events/types.js';
import { SERVICE_COLOURS } from '../ui/theme.js';
import { BatchWriter } from './batch-writer.js';

export type LogFormat = 'plain' | 'json';

export interface HeadlessOptions {
  bus: EventBus;
  out: Writable | NodeJS.WritableStream;
  format: LogFormat;
  /** Default: colour when `out` is a TTY and NO_COLOR is unset. */
  color?: boolean;
  /** Prefix plain lines with an ISO timestamp. */
  timestamps?: boolean;
  /** False: plain log lines without the `web-1  | ` prefix (`--no-log-prefix`). */
  prefix?: boolean;
  /** Whose log lines to print (`up --attach` / `--no-attach`); default everyone's. */
  logServices?: (service: string) => boolean;
  env?: Record<string, string | undefined>;
  /** Clock for event lines (unix ms). */
  now?: () => number;
  maxPendingBytes?: number;
}

export interface HeadlessOutput {
  /** Resolves once everything emitted so far is written. */
  drain(): Promise<void>;
  /** Unsubscribes and writes what is queued. */
  stop(): Promise<void>;
  /** Lines dropped because `out` stayed full. */
  readonly dropped: number;
}

/** Whether output should be coloured: a TTY, and NO_COLOR unset (https://no-color.org). */
export function wantsColor(out: unknown, env: Record<string, string | undefined>): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0') return true;
  return (out as { isTTY?: boolean }).isTTY === true;
}

/** Subscribes to `bus` and writes log and state lines to `out` until stopped. */
export function startHeadless(options: HeadlessOptions): HeadlessOutput {
  const env = options.env ?? process.env;
  const color = options.color ?? wantsColor(options.out, env);
  const writer = new BatchWriter(options.out, {
    maxPendingBytes: options.maxPendingBytes,
    droppedNotice: (n) =>
      options.format === 'json'
        ? `{"time":${JSON.stringify(new Date().toISOString())},"event":"dropped","lines":${n}}\n`
        : `tsstack: ${n} log lines dropped (output too slow)\n`,
  });
  const fmt =
    options.format === 'json'
      ? new JsonFormatter(options.now ?? Date.now)
      : new PlainFormatter(color, options.timestamps === true, options.prefix !== false);
  const dedupe = new RepeatFilter();
  const logServices = options.logServices;
  const off = options.bus.subscribe((event) => {
    if (event.kind === 'log' && logServices && !logServices(event.service)) return;
    if (dedupe.isRepeat(event)) return;
    const line = fmt.format(event);
    if (line !== undefined) writer.write(line);
  });
  return {
    drain: () => writer.drain(),
    async stop() {
      off();
      await writer.close();
    },
    get dropped() {
      return writer.dropped;
    },
  };
}

/** The state changes that get their own line, in the words users see. */
function eventWord(e: StackEvent): string | undefined {
  switch (e.kind) {
    case 'container.state':
      if (e.phase === 'running') return 'started';
      if (e.phase === 'exited') return 'exited';
      if (e.phase === 'healthy' || e.phase === 'unhealthy') return e.phase;
      return undefined;
    case 'container.health':
      return e.health === 'starting' ? undefined : e.health;
    case 'container.restarting':
      return 'restarting';
    default:
      return undefined;
  }
}

/**
 * Drops a state line that repeats the last one of its container (the reconciler and the engine feed may
 * both report a start), and the exit of a container never seen running (reported when the feed attaches).
 */
class RepeatFilter {
  private readonly last = new Map<string, string>();

  isRepeat(e: StackEvent): boolean {
    // Swarm: a task line when its task, state or error changed; a service line when its update state did.
    if (e.kind === 'swarm.task' || e.kind === 'swarm.service') {
      const key = e.kind === 'swarm.task' ? `task\0${e.service}\0${e.replica}` : `service\0${e.service}`;
      const word =
        e.kind === 'swarm.task'
          ? `${e.task}\0${e.state}\0${e.node}\0${e.error ?? ''}`
          : (e.updateState ?? '');
      if (this.last.get(key) === word) return true;
      this.last.set(key, word);
      return false;
    }
    if (e.kind !== 'container.state' && e.kind !== 'container.health') return false;
    if (e.kind === 'container.state' && e.phase === 'removed') {
      this.last.delete(e.container);
      return false;
    }
    const word = eventWord(e);
    if (word === undefined) return false;
    const last = this.last.get(e.container);
    // An exit before any start in this session is an old one (the container was already down).
    if (word === 'exited' && last === undefined) {
      this.last.set(e.container, word);
      return true;
    }
    if (last === word) return true;
    this.last.set(e.container, word);
    return false;
  }
}

const IMAGE_DONE = { build: 'built', pull: 'pulled', push: 'pushed' } as const;

class PlainFormatter {
  private width = 0;
  private readonly prefixes = new Map<string, { width: number; text: string }>();
  private readonly colours = new Map<string, (s: string) => string>();
  private readonly pc: ReturnType<typeof pc.createColors>;

  constructor(
    private readonly color: boolean,
    private readonly timestamps: boolean,
    private readonly withPrefix: boolean,
  ) {
    this.pc = pc.createColors(color);
  }

  format(e: StackEvent): string | undefined {
    if (e.kind === 'stack.loaded') {
      for (const s of e.services) this.colourOf(s);
      return undefined;
    }
    if (e.kind === 'log') {
      const time = this.timestamps ? `${new Date(e.time).toISOString()} ` : '';
      return `${this.withPrefix ? this.prefix(e.service, e.replica) : ''}${time}${e.message}\n`;
    }
    const word = eventWord(e);
    if (word !== undefined && 'replica' in e) {
      const name = this.colourOf(e.service)(`${e.service}-${e.replica}`);
      return `${name} ${this.describe(word, e)}\n`;
    }
    switch (e.kind) {
      case 'swarm.task': {
        const name = this.colourOf(e.service)(`${e.service}.${e.replica}`);
        const on = e.node ? ` on ${e.node}` : '';
        const code = e.exitCode !== undefined && e.state !== 'running' ? ` (exit code ${e.exitCode})` : '';
        return `${name} task ${e.state}${on}${code}${e.error ? `: ${e.error}` : ''} [${e.task.slice(0, 12)}]\n`;
      }
      case 'swarm.service':
        // The first report without an update in flight says nothing new.
        if (!e.updateState) return undefined;
        return `${this.colourOf(e.service)(e.service)} update ${e.updateState.replace('_', ' ')}\n`;
      case 'image.progress':
        // Byte counters and BuildKit's housekeeping steps would flood a log: the live UI shows them.
        if (e.transient) return undefined;
        return `${this.colourOf(e.service)(e.service)} ${e.action} | ${e.message}\n`;
      case 'image.done':
        return `${this.colourOf(e.service)(e.service)} ${IMAGE_DONE[e.action]} ${e.image} in ${formatDuration(e.ms)}\n`;
      case 'warning':
        return `${this.pc.yellow('tsstack: warning:')} ${e.service ? `${e.service}: ` : ''}${e.message}\n`;
      case 'error':
        return `${this.pc.red('tsstack: error:')} ${e.service ? `${e.service}: ` : ''}${e.message}\n`;
      case 'engine.disconnected':
        return `${this.pc.red('tsstack: engine connection lost:')} ${e.error}; retrying in ${formatDuration(e.retryInMs)}\n`;
      case 'engine.reconnected':
        return `tsstack: engine connection back after ${formatDuration(e.downMs)}\n`;
      default:
        return undefined;
    }
  }

  private describe(word: string, e: StackEvent): string {
    if (e.kind === 'container.state' && word === 'exited') {
      return e.exitCode === undefined ? 'exited' : `exited with code ${e.exitCode}`;
    }
    if (e.kind === 'container.restarting') {
      return `restarting in ${formatDuration(e.backoffMs)} (attempt ${e.attempt}: ${e.reason})`;
    }
    return word;
  }

  private colourOf(service: string): (s: string) => string {
    let c = this.colours.get(service);
    if (!c) {
      c = this.pc[SERVICE_COLOURS[this.colours.size % SERVICE_COLOURS.length]!];
      this.colours.set(service, c);
    }
    return c;
  }

  private prefix(service: string, replica: number): string {
    const key = `${service}\0${replica}`;
    const cached = this.prefixes.get(key);
    if (cached && cached.width === this.width) return cached.text;
    const name = `${service}-${replica}`;
    if (name.length > this.width) this.width = name.length;
    const text = this.colourOf(service)(`${name.padEnd(this.width)}  | `);
    this.prefixes.set(key, { width: this.width, text });
    return text;
  }
}

class JsonFormatter {
  private lastTime = Number.NaN;
  private lastIso = '';
  private readonly heads = new Map<string, string>();

  constructor(private readonly now: () => number) {}

  format(e: StackEvent): string | undefined {
    if (e.kind === 'log') {
      return `{"time":"${this.iso(e.time)}"${this.head(e.service, e.replica, e.stream)}${JSON.stringify(e.message)}}\n`;
    }
    const word = eventWord(e);
    const time = `{"time":"${this.iso(this.now())}"`;
    if (word !== undefined && 'replica' in e && 'container' in e) {
      const base = `${time},"event":"${word}","service":${JSON.stringify(e.service)},"replica":${e.replica},"container":${JSON.stringify(e.container)}`;
      if (e.kind === 'container.state' && e.exitCode !== undefined)
        return `${base},"exitCode":${e.exitCode}}\n`;
      if (e.kind === 'container.restarting') {
        const extra = JSON.stringify({
          attempt: e.attempt,
          backoffMs: e.backoffMs,
          reason: e.reason,
          lastExitCode: e.lastExitCode,
        });
        return `${base},${extra.slice(1)}\n`;
      }
      return `${base}}\n`;
    }
    switch (e.kind) {
      case 'swarm.task':
        return `${time},"event":"task_${e.state}",${JSON.stringify({
          service: e.service,
          replica: e.replica,
          task: e.task,
          node: e.node,
          state: e.state,
          desiredState: e.desiredState,
          error: e.error,
          exitCode: e.exitCode,
        }).slice(1)}\n`;
      case 'swarm.service':
        if (!e.updateState) return undefined;
        return `${time},"event":"service_update",${JSON.stringify({ service: e.service, state: e.updateState, desired: e.desired }).slice(1)}\n`;
      case 'image.progress':
        if (e.transient) return undefined;
        return `${time},"event":"image_progress",${JSON.stringify({ service: e.service, action: e.action, message: e.message }).slice(1)}\n`;
      case 'image.done':
        return `${time},"event":"image_done",${JSON.stringify({ service: e.service, action: e.action, image: e.image, ms: Math.round(e.ms) }).slice(1)}\n`;
      case 'warning':
      case 'error':
        return `${time},"event":"${e.kind}",${JSON.stringify({ service: e.service, message: e.message }).slice(1)}\n`;
      case 'engine.disconnected':
        return `${time},"event":"engine_disconnected",${JSON.stringify({ error: e.error, retryInMs: e.retryInMs }).slice(1)}\n`;
      case 'engine.reconnected':
        return `${time},"event":"engine_reconnected","downMs":${e.downMs}}\n`;
      default:
        return undefined;
    }
  }

  private iso(t: number): string {
    if (t !== this.lastTime) {
      this.lastTime = t;
      this.lastIso = new Date(Number.isFinite(t) ? t : this.now()).toISOString();
    }
    return this.lastIso;
  }

  /** `,"service":"web","replica":1,"stream":"stdout","message":` cached per container and stream. */
  private head(service: string, replica: number, stream: string): string {
    const key = `${service}\0${replica}\0${stream}`;
    let h = this.heads.get(key);
    if (h === undefined) {
      h = `,"service":${JSON.stringify(service)},"replica":${replica},"stream":"${stream}","message":`;
      this.heads.set(key, h);
    }
    return h;
  }
}
