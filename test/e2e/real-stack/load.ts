/** HTTP load from wrk (Debian's `wrk` package) until stopped, and what it reports: requests, failures, latency. */
import { spawn, spawnSync } from 'node:child_process';

export const HAS_WRK = spawnSync('wrk', ['--version']).error === undefined;

export interface LoadReport {
  requests: number;
  seconds: number;
  /** Responses with a status of 400 or more. */
  non2xx: number;
  /** Connections refused, reads and writes that failed, and requests with no answer within the timeout. */
  socketErrors: { connect: number; read: number; write: number; timeout: number };
  /** non2xx plus every socket error. */
  failures: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  /** wrk's own output. */
  raw: string;
}

export interface LoadOptions {
  connections?: number;
  threads?: number;
  /** A request with no answer after this long counts as failed (default 10 s: slow is not failed). */
  timeoutSeconds?: number;
}

export interface RunningLoad {
  /** Ends the load (SIGINT: wrk then prints its report) and parses the report. */
  stop(): Promise<LoadReport>;
}

/** Starts wrk against `url`; it runs until `stop()` (at most 10 minutes). */
export function startLoad(url: string, o: LoadOptions = {}): RunningLoad {
  const args = [
    `-t${o.threads ?? 2}`,
    `-c${o.connections ?? 8}`,
    '-d600s',
    `--timeout`,
    `${o.timeoutSeconds ?? 10}s`,
    '--latency',
    url,
  ];
  const child = spawn('wrk', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    async stop() {
      child.kill('SIGINT');
      const force = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(force);
      return parseWrk(out);
    },
  };
}

const UNIT_MS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000 };

function ms(value: string): number {
  const m = /^([\d.]+)(us|ms|s|m)$/.exec(value.trim());
  if (!m) throw new Error(`wrk: cannot read the duration "${value}"`);
  return Number(m[1]) * (UNIT_MS[m[2] ?? 'ms'] ?? 1);
}

/** Reads wrk's report (with `--latency`). */
export function parseWrk(raw: string): LoadReport {
  const total = /(\d+) requests in ([\d.]+)(us|ms|s|m),/.exec(raw);
  if (!total) throw new Error(`wrk printed no report:\n${raw}`);
  const errors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(raw);
  const socketErrors = {
    connect: Number(errors?.[1] ?? 0),
    read: Number(errors?.[2] ?? 0),
    write: Number(errors?.[3] ?? 0),
    timeout: Number(errors?.[4] ?? 0),
  };
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(raw)?.[1] ?? 0);
  const pct = (p: number): number => {
    const m = new RegExp(`^\\s+${p}%\\s+(\\S+)`, 'm').exec(raw);
    return m?.[1] ? ms(m[1]) : NaN;
  };
  const latency = /^\s+Latency\s+(\S+)\s+(\S+)\s+(\S+)/m.exec(raw);
  return {
    requests: Number(total[1]),
    seconds: ms(`${total[2]}${total[3]}`) / 1000,
    non2xx,
    socketErrors,
    failures: non2xx + socketErrors.connect + socketErrors.read + socketErrors.write + socketErrors.timeout,
    p50Ms: pct(50),
    p90Ms: pct(90),
    p99Ms: pct(99),
    maxMs: latency?.[3] ? ms(latency[3]) : NaN,
    raw,
  };
}
