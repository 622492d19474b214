// Compose durations are Go durations (`1m30s`, `500ms`, `1.5h`); tsstack stores them as milliseconds.

const UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  μs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

const PART = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/y;

/**
 * Parses a Compose duration into milliseconds, or undefined when it is not one.
 * A plain number (YAML number or digits-only string) counts as seconds, as Compose 1.x's timeparse does.
 */
export function parseDuration(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value * 1000 : undefined;
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text) * 1000;
  if (text === '') return undefined;
  let total = 0;
  PART.lastIndex = 0;
  let pos = 0;
  while (pos < text.length) {
    PART.lastIndex = pos;
    const m = PART.exec(text);
    if (!m) return undefined;
    total += Number(m[1]) * (UNIT_MS[m[2] as string] ?? 0);
    pos = PART.lastIndex;
  }
  return roundNs(total);
}

/** Milliseconds back to a Compose duration string: 90000 → `1m30s`, 1500 → `1s500ms`, 0 → `0s`. */
export function formatDuration(ms: number): string {
  let ns = Math.round(ms * 1e6);
  if (ns === 0) return '0s';
  const units: [string, number][] = [
    ['h', 3_600_000_000_000],
    ['m', 60_000_000_000],
    ['s', 1_000_000_000],
    ['ms', 1_000_000],
    ['us', 1_000],
    ['ns', 1],
  ];
  let out = '';
  for (const [unit, size] of units) {
    const n = Math.floor(ns / size);
    if (n > 0) {
      out += `${n}${unit}`;
      ns -= n * size;
    }
  }
  return out;
}

// Float sums of fractional units drift (0.1+0.2); keep whole nanoseconds.
function roundNs(ms: number): number {
  return Math.round(ms * 1e6) / 1e6;
}
