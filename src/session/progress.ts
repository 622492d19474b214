/**
 * Plain progress lines for commands that change things (up -d, down, start, stop, ...), written to
 * stderr like Compose does: ` ✔ Container demo-web-1  Started`. A bus subscriber; knows nothing else.
 */
import pc from 'picocolors';
import type { EventBus } from '../events/bus.js';
import { wantsColor } from './headless.js';

const PAST: Record<string, string> = {
  create: 'Created',
  start: 'Started',
  stop: 'Stopped',
  restart: 'Restarted',
  remove: 'Removed',
  kill: 'Killed',
  pause: 'Paused',
  unpause: 'Unpaused',
};

const IMAGE_DONE = { build: 'Built', pull: 'Pulled', push: 'Pushed' } as const;

export interface ProgressOptions {
  /** 'lines' (the default): also each build step, build output line and pull or push milestone, per service. */
  images?: 'lines' | 'done';
  /** `up --quiet-pull`: nothing about pulls. */
  quietPull?: boolean;
}

/** Subscribes and prints one line per finished or failed operation; returns the unsubscribe function. */
export function printProgress(
  bus: EventBus,
  out: NodeJS.WritableStream = process.stderr,
  opts: ProgressOptions = {},
): () => void {
  // `--progress quiet`: errors still reach the user as the command's own error message.
  if (process.env.TSSTACK_PROGRESS === 'quiet') return () => undefined;
  const color = wantsColor(out, process.env);
  const paint = (f: (s: string) => string, s: string): string => (color ? f(s) : s);
  return bus.subscribe((e) => {
    if (e.kind === 'operation.done' || e.kind === 'operation.failed') {
      const [verb = '', object = '', ...rest] = e.description.split(' ');
      const what = `${object.charAt(0).toUpperCase()}${object.slice(1)} ${rest.join(' ')}`;
      if (e.kind === 'operation.done') out.write(` ${paint(pc.green, '✔')} ${what}  ${PAST[verb] ?? verb}\n`);
      else out.write(` ${paint(pc.red, '✘')} ${what}  ${verb} failed\n`);
    } else if (e.kind === 'image.progress') {
      // Per service, as Compose's plain progress shows builds; live counters only in the UI.
      if ((opts.images ?? 'lines') !== 'lines' || e.transient || (opts.quietPull && e.action === 'pull'))
        return;
      out.write(`${paint(pc.cyan, e.service)} ${e.action} | ${e.message}\n`);
    } else if (e.kind === 'image.done' && !(opts.quietPull && e.action === 'pull')) {
      out.write(` ${paint(pc.green, '✔')} Image ${e.image}  ${IMAGE_DONE[e.action]}\n`);
    } else if (e.kind === 'warning') {
      out.write(`${paint(pc.yellow, 'warning:')} ${e.message}\n`);
    }
  });
}
