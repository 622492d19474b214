/**
 * Watch mode for `up --watch` and `watch`: wires src/watch to the reconciler. A spec edit re-loads and
 * converges (only services whose config hash changed are recreated); an invalid edit is reported and the
 * running stack is left as it is; a `rebuild` rule builds the image and converges that service.
 */
import path from 'node:path';
import { createInterface } from 'node:readline';
import pc from 'picocolors';
import type { EventBus } from '../events/bus.js';
import { converge } from '../reconciler/converge.js';
import { buildService } from '../reconciler/images.js';
import type { Runtime } from '../runtime/types.js';
import type { RawProject } from '../spec/raw.js';
import type { LoadedStack } from '../spec/index.js';
import type { Stack } from '../spec/types.js';
import { startWatch, type WatchController } from '../watch/controller.js';
import { wantsColor } from './headless.js';
import type { ProcessHost } from '../model/process-host.js';
import { processActions } from './process-actions.js';
import { printProgress } from './progress.js';

export interface WatchModeOptions {
  /** Loads the stack again with the same options as the first load (`() => loadProject(cmd)`). */
  load: () => Promise<LoadedStack>;
  /** `--env-file` values, absolute: their edits reload too. */
  envFiles: string[];
  runtime: Runtime;
  /** The stack as loaded (and already converged) by the caller. */
  stack: Stack;
  /** The merged document of that load, for the `env_file`s to watch. */
  raw?: RawProject;
  bus: EventBus;
  /** Watching stops when this aborts (Ctrl-C). */
  signal: AbortSignal;
  /** `up [SERVICE...]`: converge only these (and their dependencies) on reload. */
  services?: string[];
  /** Print one line per watch event to stderr (off when an Ink UI shows them). Default true. */
  print?: boolean;
  /** Read lines from stdin to trigger services in manual mode. Default: when stdin is a TTY. */
  keys?: boolean;
  /** Takes the project's lock (`() => lockForCommand(cmd, project)`); held around each reload or rebuild converge. */
  lock?: () => Promise<() => void>;
  /** Called once the watchers are up. */
  onReady?: (ctl: WatchController) => void;
  /** The supervisor of the project's host processes (their watch rules restart them). */
  processes?: ProcessHost;
}

/** Runs watch mode until `signal` aborts. */
export async function runWatchMode(opts: WatchModeOptions): Promise<void> {
  const { runtime, bus, signal } = opts;
  let stack = opts.stack;
  const stops = opts.print === false ? [] : [printWatchEvents(bus), printProgress(bus)];
  const stopPrinting = () => stops.forEach((stop) => stop());
  let raw = opts.raw;
  const configFiles = (s: Stack) => watchedConfigFiles(s, raw, opts.envFiles);
  // A reload and a rebuild may finish together: their converges run one at a time, never racing on a container.
  let last: Promise<unknown> = Promise.resolve();
  const locked = async <T>(fn: () => Promise<T>): Promise<T> => {
    const unlock = opts.lock ? await opts.lock() : () => {};
    try {
      return await fn();
    } finally {
      unlock();
    }
  };
  const oneAtATime = <T>(fn: () => Promise<T>): Promise<T> => {
    const next = last.then(() => locked(fn));
    last = next.catch(() => {});
    return next;
  };
  let ctl: WatchController | undefined;
  try {
    ctl = await startWatch({
      stack,
      runtime,
      bus,
      signal,
      configFiles,
      reload: async () => {
        // A SpecError thrown here is shown by the controller (stack.invalid); nothing is touched.
        return oneAtATime(async () => {
          const loaded = await opts.load();
          await converge(runtime, loaded.stack, {
            services: opts.services,
            bus,
            signal,
            processes: opts.processes,
          });
          stack = loaded.stack;
          raw = loaded.raw;
          return stack;
        });
      },
      rebuild: async (service) => {
        const spec = stack.services[service];
        if (!spec?.build) throw new Error(`service ${service} has a rebuild watch rule but no build section`);
        await buildService(runtime, stack, spec, { bus, signal });
        await oneAtATime(() =>
          converge(runtime, stack, { services: [service], bus, signal, processes: opts.processes }),
        );
      },
      ...(opts.processes ? { processes: processActions(opts.processes, () => stack, bus) } : {}),
    });
    const manual = Object.keys(stack.services).filter((s) => ctl?.triggerMode(s) === 'manual');
    opts.onReady?.(ctl);
    const stopKeys =
      (opts.keys ?? process.stdin.isTTY) && manual.length > 0 ? readTriggers(ctl, bus) : () => {};
    const rules = [...Object.values(stack.services), ...Object.values(stack.processes ?? {})].reduce(
      (n, s) => n + (s.develop?.watch.length ?? 0),
      0,
    );
    if (opts.print !== false)
      process.stderr.write(
        `watching ${configFiles(stack).length} stack and env files and ${rules} develop.watch rule${rules === 1 ? '' : 's'}${
          manual.length > 0
            ? `; manual trigger: ${manual.join(', ')} (press Enter to apply, or type a service name)`
            : ''
        } (Ctrl-C to stop)\n`,
      );
    await new Promise<void>((resolve) => {
      if (signal.aborted) resolve();
      else signal.addEventListener('abort', () => resolve(), { once: true });
    });
    stopKeys();
  } finally {
    await ctl?.close();
    stopPrinting();
  }
}

/** The files whose change reloads the stack: stack files, extends/include targets, `.env`, `--env-file`s, every `env_file`. */
export function watchedConfigFiles(stack: Stack, raw: RawProject | undefined, envFiles: string[]): string[] {
  const files = new Set<string>([path.join(stack.projectDir, '.env'), ...envFiles]);
  for (const f of stack.files) if (f !== '-') files.add(f);
  // Every file loading read: extends and include targets, env files.
  for (const f of raw?.sources ?? []) if (f !== '-' && path.isAbsolute(f)) files.add(f);
  const services = (raw?.data.services ?? {}) as Record<string, { env_file?: unknown }>;
  for (const s of Object.values(services)) {
    const list = s && typeof s === 'object' ? s.env_file : undefined;
    for (const entry of Array.isArray(list) ? list : list === undefined ? [] : [list]) {
      const p = typeof entry === 'string' ? entry : (entry as { path?: unknown } | null)?.path;
      if (typeof p === 'string') files.add(path.resolve(stack.projectDir, p));
    }
  }
  return [...files];
}

/** Enter applies every service waiting in manual mode; a service name applies that one. */
function readTriggers(ctl: WatchController | undefined, bus: EventBus): () => void {
  const rl = createInterface({ input: process.stdin, terminal: false });
  rl.on('line', (line) => {
    const name = line.trim();
    const targets = name ? [name] : (ctl?.pendingServices() ?? []);
    if (targets.length === 0) bus.emit({ kind: 'warning', message: 'no change is waiting for a trigger' });
    for (const s of targets) void ctl?.trigger(s).catch(() => {});
  });
  return () => rl.close();
}

/** One line per watch event on stderr: `watch: web sync 3 files in 112 ms`. */
export function printWatchEvents(bus: EventBus, out: NodeJS.WritableStream = process.stderr): () => void {
  const color = wantsColor(out, process.env);
  const paint = (f: (s: string) => string, s: string): string => (color ? f(s) : s);
  const who = (service?: string) => (service ? `${service} ` : '');
  return bus.subscribe((e) => {
    switch (e.kind) {
      case 'watch.applied':
        out.write(
          `${paint(pc.cyan, 'watch:')} ${who(e.service)}${e.action} ${e.files} file${e.files === 1 ? '' : 's'} in ${Math.round(e.ms)} ms\n`,
        );
        break;
      case 'watch.pending':
        out.write(
          `${paint(pc.cyan, 'watch:')} ${e.service} ${e.action} waiting for a trigger (${e.files} files)\n`,
        );
        break;
      case 'watch.failed':
        out.write(`${paint(pc.red, 'watch:')} ${who(e.service)}${e.action} failed: ${e.error}\n`);
        break;
      case 'stack.invalid':
        out.write(`${paint(pc.red, 'invalid stack, still running the previous one:')}\n${e.message}\n`);
        break;
      default:
        break;
    }
  });
}
