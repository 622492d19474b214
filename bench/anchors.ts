/**
 * What every benchmark prints beside tsstack: the anchors (Docker Compose v2, run as `docker compose`, and
 * the engine's own floor) and the conditions of the run (date, engine version, load). Compose v2 may be
 * missing: its cells then print "–" and the table says why.
 */
import { spawnSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import Docker from 'dockerode';

export type ComposeV2 = { available: true; version: string } | { available: false; why: string };

/** `docker compose version --short`, once. */
export function findComposeV2(): ComposeV2 {
  const r = spawnSync('docker', ['compose', 'version', '--short'], { encoding: 'utf8' });
  if (r.error) return { available: false, why: `docker CLI not found (${r.error.message})` };
  if (r.status !== 0)
    return {
      available: false,
      why: `\`docker compose version\` failed: ${(r.stderr || r.stdout).trim().split('\n')[0] ?? ''}`,
    };
  const version = r.stdout.trim();
  if (!/^v?2\./.test(version))
    return { available: false, why: `\`docker compose\` is ${version}, not Compose v2` };
  return { available: true, version };
}

/** The note printed under a table when Compose v2 is missing. */
export function composeNote(c: ComposeV2): string | undefined {
  return c.available ? undefined : `Compose v2 not measured: ${c.why}; its cells show "–"`;
}

/** The engine's version and API version, as the engine says (DOCKER_HOST or the default socket). */
export async function engineVersion(): Promise<string> {
  try {
    const v = await new Docker().version();
    return `Docker Engine ${v.Version} (API ${v.ApiVersion})`;
  } catch (err) {
    return `engine version unknown (${(err as Error).message})`;
  }
}

export function loadAverage(): string {
  return loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');
}

/**
 * The `tsstack` command as npm installs it: bin/tsstack, the shell script that runs bin/tsstack.js (moving
 * NODE_EXTRA_CA_CERTS aside while Node starts). Whole-process rows run it, as a user's shell would.
 */
export const TSSTACK_COMMAND = fileURLToPath(new URL('../bin/tsstack', import.meta.url));

/** One line of conditions for the top of a table. */
export async function conditions(compose: ComposeV2): Promise<string> {
  const date = new Date().toISOString().replace('T', ' ').slice(0, 16);
  const dc = compose.available ? `Docker Compose ${compose.version}` : 'no Compose v2';
  // It costs a plain Node start about 30 ms here (src/core/extra-ca.ts): say whether the run had it.
  const ca = `NODE_EXTRA_CA_CERTS ${process.env.NODE_EXTRA_CA_CERTS ? 'set' : 'unset'}`;
  return `${date} UTC, ${await engineVersion()}, ${dc}, node ${process.version}, ${cpus().length} cores, load average ${loadAverage()}, ${ca}`;
}

export function median(xs: number[]): number {
  const s = xs.filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/** `a / b` as "0.87×", or "–" when either side is missing. */
export function ratio(a: number, b: number): string {
  const r = a / b;
  return Number.isFinite(r) && r > 0 ? `${r.toFixed(2)}×` : '–';
}

/** A markdown table with padded columns. */
export function markdownTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

/** Rotates `xs` by `k`: round k of a paired benchmark lets a different subject go first. */
export function rotate<T>(xs: T[], k: number): T[] {
  const n = xs.length;
  if (n === 0) return xs;
  const s = ((k % n) + n) % n;
  return [...xs.slice(s), ...xs.slice(0, s)];
}
