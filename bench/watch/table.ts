/** One measured path of a bench: its name and the milliseconds of each run. */
export interface Row {
  name: string;
  ms: number[];
}

export function stats(xs: number[]): { median: number; p90: number; min: number; max: number } {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? NaN;
  return { median: at(0.5), p90: at(0.9), min: s[0] ?? NaN, max: s[s.length - 1] ?? NaN };
}

/** Prints rows as a fixed-width table: median, p90, min, max. */
export function printTable(title: string, rows: Row[]): void {
  const width = Math.max(48, ...rows.map((r) => r.name.length));
  const f = (n: number) => n.toFixed(1).padStart(8);
  console.log(`\n${title}\n`);
  console.log(
    `${'path'.padEnd(width)} ${'n'.padStart(3)} ${'median'.padStart(8)} ${'p90'.padStart(8)} ${'min'.padStart(8)} ${'max'.padStart(8)}`,
  );
  for (const r of rows) {
    const s = stats(r.ms);
    console.log(
      `${r.name.padEnd(width)} ${String(r.ms.length).padStart(3)} ${f(s.median)} ${f(s.p90)} ${f(s.min)} ${f(s.max)}`,
    );
  }
}
