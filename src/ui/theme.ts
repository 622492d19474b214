/** Colours of the UI: one per service (stable by display order), one per state tone; none when colour is off. */
import type { Tone } from '../events/summary.js';

/**
 * One colour per service, in the order services first appear: the live UI, headless lines, `logs` and
 * attached `up` all use this list, so a service keeps its colour everywhere. Names of picocolors' (and
 * Ink's) colours.
 */
export const SERVICE_COLOURS = [
  'cyan',
  'yellow',
  'green',
  'magenta',
  'blue',
  'redBright',
  'cyanBright',
  'yellowBright',
] as const;

const TONE_COLOURS: Record<Tone, string | undefined> = {
  ok: 'green',
  progress: 'yellow',
  warn: 'yellow',
  bad: 'red',
  idle: 'gray',
};

export interface Theme {
  color: boolean;
  service(name: string): string | undefined;
  tone(tone: Tone): string | undefined;
  accent: string | undefined;
}

/** A theme colouring services by their position in `order`. */
export function makeTheme(color: boolean, order: readonly string[]): Theme {
  const index = new Map(order.map((name, i) => [name, i]));
  return {
    color,
    service: (name) => (color ? SERVICE_COLOURS[(index.get(name) ?? 0) % SERVICE_COLOURS.length] : undefined),
    tone: (tone) => (color ? TONE_COLOURS[tone] : undefined),
    accent: color ? 'cyan' : undefined,
  };
}
