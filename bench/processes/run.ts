/**
 * Host processes through the built CLI (the `bin/tsstack` command, wall time including Node start-up and the
 * start of the detached supervisor), three measurements (issue 17):
 *   1. `up -d --wait` of 50 processes, each with a health check (a command probe for a file the process
 *      writes after its own warm-up), against their own health waits (each process writes when it started
 *      and when it became ready, so the bound is what the processes themselves needed):
 *      - 50 independent processes (warm-ups 1.0–2.0 s): the bound is the longest wait;
 *      - 50 in a chain, each `service_healthy` on the one before (warm-up 0.2 s): the bound is the sum.
 *      Goal: overhead under 10%.
 *   2. RSS of the detached supervisor while 50 processes log 10,000 lines/s in total, sampled every
 *      second; the lines that reached the log files are counted from the sequence numbers the processes
 *      print. Goal: under 60 MB.
 *   3. `down` of 50 processes that ignore SIGTERM (stop_grace_period 2 s). Goal: one grace period, not 50.
 * Everything runs under a temporary XDG_RUNTIME_DIR / XDG_STATE_HOME and is removed at the end; the bench
 * checks through /proc that no process of it is left.
 * Run: npm run bench:processes   (or: npm run build && node --import tsx bench/processes/run.ts [rss-seconds]
 *      [health,rss,stop])
 */
import { execFile } from 'node:child_process';
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TSSTACK_COMMAND } from '../anchors.js';

const N = 50;
const GRACE_S = 2;
const LINES_PER_S = 10_000;
const RSS_SECONDS = Number(process.argv[2] ?? 30);
/** Which measurements to run (default all): health, rss, stop. */
const PARTS = new Set((process.argv[3] ?? 'health,rss,stop').split(','));

const pad = (i: number): string => String(i).padStart(2, '0');

interface Ctx {
  dir: string;
  env: NodeJS.ProcessEnv;
}

function cli(ctx: Ctx, project: string, args: string[]): Promise<number> {
  const t0 = performance.now();
  return new Promise((resolve, reject) =>
    execFile(
      TSSTACK_COMMAND,
      ['-p', project, '-f', join(ctx.dir, `${project}.yml`), ...args],
      { cwd: ctx.dir, env: ctx.env, maxBuffer: 64 * 2 ** 20 },
      (err, _out, stderr) =>
        err
          ? reject(new Error(`tsstack ${args.join(' ')} failed: ${stderr.slice(-800)}`))
          : resolve((performance.now() - t0) / 1000),
    ),
  );
}

/** Pids of processes whose working folder is inside the bench's folder (what must be gone after down). */
function leftovers(dir: string): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (readlinkSync(`/proc/${name}/cwd`).startsWith(dir)) pids.push(Number(name));
    } catch {
      // gone, or not ours to read
    }
  }
  return pids;
}

/** The detached supervisor of a project (it names itself `tsstack supervisor <project>`). */
function supervisorPid(project: string): number | undefined {
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const title = (readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0')[0] ?? '').trim();
      if (title === `tsstack supervisor ${project}`) return Number(name);
    } catch {
      // gone
    }
  }
  return undefined;
}

/** RSS, and its private part (RssAnon: what is not the node binary's pages, shared with every node). */
function rssMb(pid: number): { rss: number; anon: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string): number =>
    Number(new RegExp(`${key}:\\s+(\\d+) kB`).exec(status)?.[1] ?? NaN) / 1024;
  return { rss: kb('VmRSS'), anon: kb('RssAnon') };
}

/** User and system CPU time of a process so far, in seconds (clock ticks of 1/100 s, as on Linux). */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

function processYaml(name: string, lines: string[]): string[] {
  return [`    ${name}:`, ...lines.map((l) => `      ${l}`)];
}

/** 50 processes that note their start, warm up, note they are ready, then idle; a probe looks for the note. */
function healthYaml(ctx: Ctx, chain: boolean): string {
  const out = ['x-tsstack:', '  processes:'];
  for (let i = 1; i <= N; i++) {
    const name = `p${pad(i)}`;
    const warm = chain ? 0.2 : 1 + (i % 5) * 0.25;
    const t = join(ctx.dir, 't', name);
    const script = `date +%s%N > ${t}.start; sleep ${warm}; date +%s%N > ${t}.ok; exec sleep 3600`;
    const lines = [
      `command: ${JSON.stringify(['sh', '-c', script])}`,
      `healthcheck: { test: ["CMD", "test", "-f", "${t}.ok"], start_period: 120s, start_interval: 50ms, interval: 30s, retries: 3 }`,
      'stop_grace_period: 1s',
    ];
    if (chain && i > 1) lines.push(`depends_on: { p${pad(i - 1)}: { condition: service_healthy } }`);
    out.push(...processYaml(name, lines));
  }
  return `${out.join('\n')}\n`;
}

async function noteNs(ctx: Ctx, name: string, what: 'start' | 'ok'): Promise<number> {
  return Number((await readFile(join(ctx.dir, 't', `${name}.${what}`), 'utf8')).trim()) / 1e6;
}

interface HealthRow {
  subject: string;
  wallS: number;
  startupS: number;
  /** First process started → last process started. */
  spreadS: number;
  boundS: number;
  boundKind: string;
}

async function health(ctx: Ctx, chain: boolean): Promise<HealthRow> {
  const project = `bproc-${chain ? 'chain' : 'par'}-${process.pid}`;
  await rm(join(ctx.dir, 't'), { recursive: true, force: true });
  await mkdir(join(ctx.dir, 't'));
  await writeFile(join(ctx.dir, `${project}.yml`), healthYaml(ctx, chain));
  const wallStart = Date.now();
  try {
    const wallS = await cli(ctx, project, ['up', '-d', '--wait']);
    const waits: number[] = [];
    const starts: number[] = [];
    for (let i = 1; i <= N; i++) {
      const s = await noteNs(ctx, `p${pad(i)}`, 'start');
      starts.push(s);
      waits.push((await noteNs(ctx, `p${pad(i)}`, 'ok')) - s);
    }
    const boundMs = chain ? waits.reduce((a, b) => a + b, 0) : Math.max(...waits);
    return {
      subject: chain
        ? `50 in a chain (service_healthy), warm-up 0.2 s`
        : '50 independent, warm-ups 1.0–2.0 s',
      wallS,
      startupS: (Math.min(...starts) - wallStart) / 1000,
      spreadS: (Math.max(...starts) - Math.min(...starts)) / 1000,
      boundS: boundMs / 1000,
      boundKind: chain ? 'sum of waits' : 'longest wait',
    };
  } finally {
    await cli(ctx, project, ['down']).catch((e: Error) => console.error(e.message));
  }
}

/** 50 processes, 200 lines/s each, every line numbered. */
function loggingYaml(): string {
  const perProcess = LINES_PER_S / N;
  const perTick = perProcess / 10;
  const perl = `use Time::HiRes qw(sleep); $|=1; my $n=0; while (1) { for (1..${perTick}) { $n++; print "line $n ", "x" x 60, "\\n" } sleep(0.1) }`;
  const out = ['x-tsstack:', '  processes:'];
  for (let i = 1; i <= N; i++)
    out.push(
      ...processYaml(`l${pad(i)}`, [
        `command: ${JSON.stringify(['perl', '-e', perl.replaceAll('$', () => '$$')])}`,
      ]),
    );
  return `${out.join('\n')}\n`;
}

interface RssResult {
  samples: { rss: number; anon: number }[];
  linesPerS: number;
  /** The supervisor's CPU time over the sampled seconds, as a share of one core. */
  cpu: number;
  /** A bare `node -e` on this machine, for scale. */
  bareNodeMb: number;
}

async function rss(ctx: Ctx): Promise<RssResult> {
  const project = `bproc-log-${process.pid}`;
  await writeFile(join(ctx.dir, `${project}.yml`), loggingYaml());
  try {
    await cli(ctx, project, ['up', '-d']);
    const pid = supervisorPid(project);
    if (pid === undefined) throw new Error('no supervisor process found');
    const logDir = join(ctx.dir, 'state', 'tsstack');
    const lines = async (): Promise<number> => {
      let total = 0;
      for (let i = 1; i <= N; i++) total += await lastSeq(logDir, project, `l${pad(i)}`);
      return total;
    };
    await new Promise((r) => setTimeout(r, 3000)); // past start-up
    const l0 = await lines();
    const t0 = performance.now();
    const cpu0 = cpuSeconds(pid);
    const samples: RssResult['samples'] = [];
    for (let s = 0; s < RSS_SECONDS; s++) {
      await new Promise((r) => setTimeout(r, 1000));
      samples.push(rssMb(pid));
    }
    const cpu = (cpuSeconds(pid) - cpu0) / ((performance.now() - t0) / 1000);
    const linesPerS = ((await lines()) - l0) / ((performance.now() - t0) / 1000);
    return { samples, linesPerS, cpu, bareNodeMb: await bareNodeRss() };
  } finally {
    await cli(ctx, project, ['down', '-t', '1']).catch((e: Error) => console.error(e.message));
  }
}

function bareNodeRss(): Promise<number> {
  return new Promise((resolve) =>
    execFile(process.execPath, ['-e', 'console.log(process.memoryUsage().rss)'], (err, out) =>
      resolve(err ? NaN : Number(out) / 2 ** 20),
    ),
  );
}

/** The sequence number of the last line a replica's log file holds (0 when none yet). */
async function lastSeq(logDir: string, project: string, service: string): Promise<number> {
  const dirs = readdirSync(logDir).filter((d) => d.startsWith(project));
  for (const d of dirs) {
    try {
      const text = await readFile(join(logDir, d, `${service}-1.log`), 'utf8');
      const m = /line (\d+) x*\n?$/.exec(text.slice(-200));
      return m ? Number(m[1]) : 0;
    } catch {
      // not in this folder
    }
  }
  return 0;
}

async function stopAll(ctx: Ctx): Promise<{ downS: number; left: number[] }> {
  const project = `bproc-term-${process.pid}`;
  const out = ['x-tsstack:', '  processes:'];
  for (let i = 1; i <= N; i++)
    out.push(
      ...processYaml(`s${pad(i)}`, [
        `command: ${JSON.stringify(['sh', '-c', "trap '' TERM; sleep 3600"])}`,
        `stop_grace_period: ${GRACE_S}s`,
      ]),
    );
  await writeFile(join(ctx.dir, `${project}.yml`), `${out.join('\n')}\n`);
  await cli(ctx, project, ['up', '-d', '--wait']);
  const downS = await cli(ctx, project, ['down']);
  return { downS, left: leftovers(ctx.dir) };
}

const f = (n: number, d = 2): string => (Number.isFinite(n) ? n.toFixed(d) : 'failed');
const mark = (ok: boolean): string => (ok ? '✔' : '✘');

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'tsstack-bench-proc-'));
  const ctx: Ctx = {
    dir,
    env: { ...process.env, XDG_RUNTIME_DIR: join(dir, 'run'), XDG_STATE_HOME: join(dir, 'state') },
  };
  await mkdir(join(dir, 'run'), { mode: 0o700 });
  const load = (): string => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  console.log(`bench/processes  ${new Date().toISOString()}  load average at start: ${load()}`);
  try {
    if (PARTS.has('health')) {
      const rows = [await health(ctx, false), await health(ctx, true)];
      console.log(
        '\n| subject | `up -d --wait` | CLI start → first spawn | first → last spawn | bound | overhead (all / after start-up) | goal < 10% |',
      );
      console.log('|---|---|---|---|---|---|---|');
      for (const r of rows) {
        const all = (r.wallS - r.boundS) / r.boundS;
        const after = (r.wallS - r.startupS - r.boundS) / r.boundS;
        console.log(
          `| ${r.subject} | ${f(r.wallS)} s | ${f(r.startupS)} s | ${f(r.spreadS)} s | ${f(r.boundS)} s (${r.boundKind}) | ${f(all * 100, 0)}% / ${f(after * 100, 0)}% | ${mark(all < 0.1)} / ${mark(after < 0.1)} |`,
        );
      }
    }
    if (PARTS.has('rss')) {
      const { samples, linesPerS, cpu, bareNodeMb } = await rss(ctx);
      const stat = (xs: number[]): string => {
        const sorted = [...xs].sort((a, b) => a - b);
        const at = (q: number): number =>
          sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
        return `${f(at(0), 1)} / ${f(at(0.5), 1)} / ${f(at(1), 1)} MB`;
      };
      const peak = Math.max(...samples.map((x) => x.rss));
      console.log(
        `\n| detached supervisor, 50 processes logging (${RSS_SECONDS} s) | lines/s into the log files | RSS min / median / peak | private (RssAnon) | CPU (one core) | bare \`node -e\` | goal RSS < 60 MB |`,
      );
      console.log('|---|---|---|---|---|---|---|');
      console.log(
        `| 10,000 lines/s asked | ${f(linesPerS, 0)} | ${stat(samples.map((x) => x.rss))} | ${stat(samples.map((x) => x.anon))} | ${f(cpu * 100, 0)}% | ${f(bareNodeMb, 1)} MB | ${mark(peak < 60)} |`,
      );
    }
    if (PARTS.has('stop')) {
      const { downS, left } = await stopAll(ctx);
      console.log(
        `\n| \`down\`, 50 processes ignoring SIGTERM | wall | one grace period | fifty | processes left | goal |`,
      );
      console.log('|---|---|---|---|---|---|');
      console.log(
        `| stop_grace_period ${GRACE_S} s | ${f(downS)} s | ${GRACE_S} s | ${N * GRACE_S} s | ${left.length} | ${mark(downS < 2 * GRACE_S && left.length === 0)} |`,
      );
    }
    console.log(`\nload average at the end: ${load()}`);
  } finally {
    const left = leftovers(dir);
    if (left.length > 0) console.error(`processes left behind: ${left.join(' ')}`);
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
