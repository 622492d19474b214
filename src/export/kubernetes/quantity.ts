/** Compose numbers (cpus, bytes, milliseconds) as Kubernetes quantities and seconds. */

/** `0.5` → `500m`, `2` → `2`. */
export function cpuQuantity(cpus: number): string {
  const milli = Math.max(1, Math.round(cpus * 1000));
  return milli % 1000 === 0 ? String(milli / 1000) : `${milli}m`;
}

const BINARY_UNITS: [string, number][] = [
  ['Ti', 2 ** 40],
  ['Gi', 2 ** 30],
  ['Mi', 2 ** 20],
  ['Ki', 2 ** 10],
];

/** `536870912` → `512Mi`; sizes that are not a whole binary unit stay plain bytes. */
export function byteQuantity(bytes: number): string {
  const whole = Math.max(0, Math.round(bytes));
  for (const [unit, factor] of BINARY_UNITS) {
    if (whole >= factor && whole % factor === 0) return `${whole / factor}${unit}`;
  }
  return String(whole);
}

/** Whole seconds for a duration in ms, at least `min` (Kubernetes probe fields are whole seconds ≥ 1). */
export function seconds(ms: number, min = 1): number {
  return Math.max(min, Math.ceil(ms / 1000));
}

const QUANTITY = /^\d+(\.\d+)?(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$/;
const COMPOSE_SIZE = /^(\d+(?:\.\d+)?)\s*([bkmgt]?)b?$/i;
const COMPOSE_FACTORS: Record<string, number> = {
  '': 1,
  b: 1,
  k: 2 ** 10,
  m: 2 ** 20,
  g: 2 ** 30,
  t: 2 ** 40,
};

/** A storage size from `x-tsstack.size`: bytes, a Kubernetes quantity (`10Gi`) or a Compose size (`10g`); else undefined. */
export function storageQuantity(size: unknown): string | undefined {
  if (typeof size === 'number' && Number.isFinite(size) && size > 0) return byteQuantity(size);
  if (typeof size !== 'string') return undefined;
  const s = size.trim();
  if (QUANTITY.test(s) && Number.parseFloat(s) > 0) return s;
  const m = COMPOSE_SIZE.exec(s);
  if (!m) return undefined;
  const bytes = Number.parseFloat(m[1] ?? '0') * (COMPOSE_FACTORS[(m[2] ?? '').toLowerCase()] ?? 1);
  return bytes > 0 ? byteQuantity(bytes) : undefined;
}
