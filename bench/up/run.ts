/**
 * `up -d` cold, `up -d` no-op, `ps`, `down -t 1` on an N-service stack (default 50), and `down` at the
 * default grace period of 12 services whose main process ignores SIGTERM, side by side:
 *   - tsstack through its built CLI (the `bin/tsstack` command, the whole process),
 *   - Docker Compose v2 (`docker compose`, the whole process) on the same file, when it is installed,
 *   - the engine's floor: the same containers created and started (then stopped and removed) straight
 *     through the API, all in parallel.
 * Runs are paired and interleaved: every round measures each subject once per operation, the order
 * rotating from round to round, so a machine shared with other work slows them alike. Medians.
 * Goals (issue 11): cold up ≤ 0.9× Compose v2 and ≤ 1.15× the floor; no-op up, ps and both downs
 * ≤ 1.0× Compose v2.
 * Run: npm run build && node --import tsx bench/up/run.ts [--rounds N] [sizes...]   (default: 3 rounds, 50)
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Docker from 'dockerode';
import {
  composeNote,
  conditions,
  findComposeV2,
  loadAverage,
  markdownTable,
  median,
  ratio,
  rotate,
  TSSTACK_COMMAND,
} from '../anchors.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const IMAGE = 'tsstack-test/busybox:latest';
/** `sleep` as PID 1 ignores SIGTERM (PID 1 has no default handlers): every stop waits out its grace. */
const COMMAND = ['sleep', '3600'];
/** Services of the SIGTERM-ignoring `down` at the default grace period (10 s). */
const IGNORE_TERM_SERVICES = 12;
const NOOP_PAIRS = 3;
const docker = new Docker();
const compose = findComposeV2();

function stackYaml(n: number, grace?: string): string {
  const lines = ['services:'];
  for (let i = 1; i <= n; i++) {
    lines.push(`  s${i}:`, `    image: ${IMAGE}`, `    command: ${JSON.stringify(COMMAND)}`);
    if (grace) lines.push(`    stop_grace_period: ${grace}`);
  }
  return `${lines.join('\n')}\n`;
}

const TIME = '/usr/bin/time';
const HAS_TIME = existsSync(TIME);
/** CPU seconds (user + system, the process and what it waited for) of the no-op and ps runs, by subject. */
let cpu: Record<string, Record<'noop' | 'ps', number[]>> = {};

/**
 * Wall time of a command in seconds; NaN (printed "failed") when it fails, so one failure does not lose
 * the table. With `cpuOf`, its CPU time is recorded too (through GNU time, when installed).
 */
function timed(cmd: string, args: string[], cpuOf?: [string, 'noop' | 'ps']): Promise<number> {
  const withTime = cpuOf && HAS_TIME;
  const t0 = performance.now();
  return new Promise((resolve) =>
    execFile(
      withTime ? TIME : cmd,
      withTime ? ['-f', '@@cpu %U %S', cmd, ...args] : args,
      { cwd: ROOT, maxBuffer: 64 * 2 ** 20 },
      (err, _out, stderr) => {
        const wall = (performance.now() - t0) / 1000;
        if (err) {
          const last = (stderr || err.message).trim().split('\n').slice(-1)[0];
          process.stderr.write(`failed: ${cmd} ${args.join(' ')}: ${last}\n`);
          return resolve(Number.NaN);
        }
        const m = /@@cpu ([\d.]+) ([\d.]+)/.exec(stderr);
        if (cpuOf && m) {
          const [who, op] = cpuOf;
          ((cpu[who] ??= { noop: [], ps: [] })[op] ??= []).push(Number(m[1]) + Number(m[2]));
        }
        resolve(wall);
      },
    ),
  );
}

async function cleanup(project: string): Promise<void> {
  for (const label of [`io.tsstack.project=${project}`, `com.docker.compose.project=${project}`]) {
    const filters = JSON.stringify({ label: [label] });
    const cs = await docker.listContainers({ all: true, filters });
    await Promise.all(
      cs.map((c) =>
        docker
          .getContainer(c.Id)
          .remove({ force: true })
          .catch(() => undefined),
      ),
    );
    const ns = await docker.listNetworks({ filters });
    await Promise.all(
      ns.map((n) =>
        docker
          .getNetwork(n.Id)
          .remove()
          .catch(() => undefined),
      ),
    );
  }
}

/** A subject runs the stack's operations; the floor has no no-op `up` and no `ps`. */
interface Subject {
  key: 'tsstack' | 'compose' | 'floor';
  up(file: string, project: string, n: number): Promise<number>;
  noop?(file: string, project: string): Promise<number>;
  ps?(file: string, project: string): Promise<number>;
  /** `down`, with `-t` when given (else each container's own grace period). */
  down(file: string, project: string, t?: number): Promise<number>;
}

function cliSubject(key: 'tsstack' | 'compose', cmd: string, pre: string[]): Subject {
  const run = (file: string, project: string, args: string[], cpuOf?: 'noop' | 'ps') =>
    timed(cmd, [...pre, '-f', file, '-p', project, ...args], cpuOf && [key, cpuOf]);
  return {
    key,
    up: (file, project) => run(file, project, ['up', '-d']),
    noop: (file, project) => run(file, project, ['up', '-d'], 'noop'),
    ps: (file, project) => run(file, project, ['ps'], 'ps'),
    down: (file, project, t) => run(file, project, ['down', ...(t === undefined ? [] : ['-t', String(t)])]),
  };
}

/** The engine's own floor: one network, N creates+starts in parallel; N stops+removes in parallel. */
function floorSubject(): Subject {
  const made = new Map<string, { net: Docker.Network; containers: Docker.Container[] }>();
  return {
    key: 'floor',
    async up(_file, project, n) {
      const labels = { 'io.tsstack.project': project };
      const t0 = performance.now();
      try {
        const net = await docker.createNetwork({ Name: `${project}_default`, Labels: labels });
        const containers = await Promise.all(
          Array.from({ length: n }, async (_, i) => {
            const c = await docker.createContainer({
              name: `${project}-s${i + 1}-1`,
              Image: IMAGE,
              Cmd: COMMAND,
              Labels: labels,
              HostConfig: { NetworkMode: `${project}_default` },
            });
            await c.start();
            return c;
          }),
        );
        made.set(project, { net, containers });
        return (performance.now() - t0) / 1000;
      } catch (err) {
        process.stderr.write(`failed: engine floor up: ${(err as Error).message}\n`);
        return NaN;
      }
    },
    async down(_file, project, t) {
      const m = made.get(project);
      if (!m) return NaN;
      made.delete(project);
      const t0 = performance.now();
      try {
        await Promise.all(
          m.containers.map(async (c) => {
            await c.stop(t === undefined ? {} : { t });
            await c.remove();
          }),
        );
        await m.net.remove();
        return (performance.now() - t0) / 1000;
      } catch (err) {
        process.stderr.write(`failed: engine floor down: ${(err as Error).message}\n`);
        return NaN;
      }
    },
  };
}

type Op = 'cold' | 'noop' | 'ps' | 'down' | 'downTerm';
type Samples = Record<Subject['key'], Record<Op, number[]>>;

function emptySamples(): Samples {
  const ops = (): Record<Op, number[]> => ({ cold: [], noop: [], ps: [], down: [], downTerm: [] });
  return { tsstack: ops(), compose: ops(), floor: ops() };
}

/** One round on an n-service stack: every subject once per operation, in `order`. */
async function round(subjects: Subject[], file: string, n: number, s: Samples, k: number): Promise<void> {
  const project = (x: Subject) => `bench-up-${x.key}-${n}`;
  for (const x of subjects) await cleanup(project(x));
  for (const x of rotate(subjects, k)) s[x.key].cold.push(await x.up(file, project(x), n));
  for (let i = 0; i < NOOP_PAIRS; i++)
    for (const x of rotate(subjects, k + i)) if (x.noop) s[x.key].noop.push(await x.noop(file, project(x)));
  for (let i = 0; i < NOOP_PAIRS; i++)
    for (const x of rotate(subjects, k + i)) if (x.ps) s[x.key].ps.push(await x.ps(file, project(x)));
  for (const x of rotate(subjects, k)) s[x.key].down.push(await x.down(file, project(x), 1));
  for (const x of subjects) await cleanup(project(x));
}

/** The SIGTERM-ignoring stack: brought up (not measured), then `down` at the default grace, measured. */
async function termRound(subjects: Subject[], file: string, s: Samples, k: number): Promise<void> {
  const project = (x: Subject) => `bench-up-term-${x.key}`;
  for (const x of subjects) await cleanup(project(x));
  for (const x of subjects) await x.up(file, project(x), IGNORE_TERM_SERVICES);
  for (const x of rotate(subjects, k)) s[x.key].downTerm.push(await x.down(file, project(x)));
  for (const x of subjects) await cleanup(project(x));
}

const fmt = (xs: number[]): string => {
  if (xs.length === 0) return '–';
  const m = median(xs);
  return Number.isNaN(m) ? 'failed' : `${m.toFixed(2)} s`;
};

function goal(op: Op, ts: number, dc: number, fl: number): string {
  const mark = (ok: boolean) => (ok ? '✔' : '✘');
  const vsDc = ts / dc;
  const vsFl = ts / fl;
  switch (op) {
    case 'cold':
      return `≤ 0.9× Compose ${Number.isFinite(vsDc) ? mark(vsDc <= 0.9) : '–'}, ≤ 1.15× floor ${Number.isFinite(vsFl) ? mark(vsFl <= 1.15) : '–'}`;
    default:
      return `≤ 1.0× Compose ${Number.isFinite(vsDc) ? mark(vsDc <= 1.0) : '–'}`;
  }
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const at = args.indexOf('--rounds');
  const rounds = at >= 0 ? Number(args[at + 1]) : 3;
  const sizes = args.filter((a, i) => i !== at && i !== at + 1 && Number(a) > 0).map(Number);
  const head = await conditions(compose);
  const subjects: Subject[] = [
    cliSubject('tsstack', TSSTACK_COMMAND, []),
    ...(compose.available ? [cliSubject('compose', 'docker', ['compose'])] : []),
    floorSubject(),
  ];
  const tmp = await mkdtemp(join(tmpdir(), 'tsstack-bench-up-'));
  const rows: string[][] = [];
  const spread: string[] = [];
  const cpuBySize: [number, typeof cpu][] = [];
  try {
    const termFile = join(tmp, 'term.yml');
    await writeFile(termFile, stackYaml(IGNORE_TERM_SERVICES));
    const results: [number, Samples][] = [];
    for (const n of sizes.length > 0 ? sizes : [50]) {
      const file = join(tmp, `stack-${n}.yml`);
      await writeFile(file, stackYaml(n, '1s'));
      const s = emptySamples();
      cpu = {};
      for (let k = 0; k < rounds; k++) await round(subjects, file, n, s, k);
      results.push([n, s]);
      cpuBySize.push([n, cpu]);
    }
    const term = emptySamples();
    for (let k = 0; k < rounds; k++) await termRound(subjects, termFile, term, k);
    const ops: [Op, string][] = [
      ['cold', '`up -d` cold'],
      ['noop', '`up -d` no-op'],
      ['ps', '`ps`'],
      ['down', '`down -t 1`'],
    ];
    const addRow = (n: number, s: Samples, op: Op, label: string) => {
      const [ts, dc, fl] = [s.tsstack[op], s.compose[op], s.floor[op]].map(median) as [
        number,
        number,
        number,
      ];
      rows.push([
        `${n}`,
        label,
        fmt(s.tsstack[op]),
        fmt(s.compose[op]),
        fmt(s.floor[op]),
        ratio(ts, dc),
        ratio(ts, fl),
        goal(op, ts, dc, fl),
      ]);
      const runs = (xs: number[]) => xs.map((x) => x.toFixed(2)).join(' ');
      spread.push(
        `${n} ${label}: tsstack ${runs(s.tsstack[op])}; compose ${runs(s.compose[op]) || '–'}; floor ${runs(s.floor[op]) || '–'}`,
      );
    };
    for (const [n, s] of results) for (const [op, label] of ops) addRow(n, s, op, label);
    addRow(IGNORE_TERM_SERVICES, term, 'downTerm', '`down`, SIGTERM ignored, grace 10 s');
  } finally {
    for (const x of ['tsstack', 'compose', 'floor'])
      for (const p of [`bench-up-term-${x}`, ...[1, 10, 50, ...sizes].map((n) => `bench-up-${x}-${n}`)])
        await cleanup(p).catch(() => undefined);
    await rm(tmp, { recursive: true, force: true });
  }
  console.log(`${head}; ${rounds} rounds, paired and interleaved; medians`);
  console.log(
    markdownTable(
      [
        'services',
        'operation',
        'tsstack',
        'Compose v2',
        'engine floor',
        'tsstack / Compose',
        'tsstack / floor',
        'goal',
      ],
      rows,
    ),
  );
  const note = composeNote(compose);
  if (note) console.log(`note: ${note}`);
  // CPU time moves much less than wall time when the machine is shared.
  if (HAS_TIME) {
    const ms = (xs: number[] | undefined) => (xs?.length ? `${(median(xs) * 1000).toFixed(0)} ms` : '–');
    console.log('CPU time (user + system of the whole process, medians):');
    for (const [n, c] of cpuBySize)
      for (const op of ['noop', 'ps'] as const) {
        const [ts, dc] = [median(c.tsstack?.[op] ?? []), median(c.compose?.[op] ?? [])];
        console.log(
          `  ${n} ${op === 'noop' ? '`up -d` no-op' : '`ps`'}: tsstack ${ms(c.tsstack?.[op])}, Compose v2 ${ms(c.compose?.[op])}, tsstack / Compose ${ratio(ts, dc)}`,
        );
      }
  }
  console.log(`load average at the end: ${loadAverage()}`);
  console.log('runs (s):');
  for (const line of spread) console.log(`  ${line}`);
}

await main();
