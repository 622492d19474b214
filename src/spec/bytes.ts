// Compose byte sizes follow Docker's go-units RAMInBytes: binary multiples, case-insensitive, optional `i` and `b`.

const MULTIPLIER: Record<string, number> = {
  '': 1,
  k: 1024,
  m: 1024 ** 2,
  g: 1024 ** 3,
  t: 1024 ** 4,
  p: 1024 ** 5,
};

const SIZE = /^(\d+(?:\.\d+)?) ?([kmgtp])?(i?b)?$/i;

/** Parses `512m`, `1g`, `1.5gb`, `100k`, `1024b` or a plain number into bytes; undefined when it is not a size. */
export function parseBytes(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? Math.floor(value) : undefined;
  if (typeof value !== 'string') return undefined;
  const m = SIZE.exec(value.trim());
  if (!m) return undefined;
  // `1ib` is not a size: an `i` needs a unit letter before it.
  if (m[3] && m[3].length === 2 && !m[2]) return undefined;
  const mult = MULTIPLIER[(m[2] ?? '').toLowerCase()] ?? 1;
  return Math.floor(Number(m[1]) * mult);
}
