/**
 * Supervisor soak: a stack of SERVICES services that log steadily, plus one that crashes every few seconds
 * and is restarted by the engine, and one logging service after the other restarted every 5 s by this
 * bench (so log follows end and begin again all along), supervised headless with JSON lines to /dev/null. Goal (issue 5): RSS
 * under 80 MB with 50 services, no growth trend.
 *
 * Default: measures what a user runs, the built CLI as its own process,
 *   node bin/tsstack.js -f <stack> up --headless --log-format json > /dev/null
 * sampling that process's VmRSS (and VmHWM at the end) from /proc/<pid>/status; the engine's side is not
 * counted. `--in-process` runs the supervisor inside this process instead (compiled dist/ with
 * TSSTACK_DIST=1, else the sources under tsx) and adds the heap / external / array-buffer breakdown.
 *   npm run build && node --import tsx bench/soak/run.ts [seconds=600] [services=50] [lines-per-burst=20]
 *   node --expose-gc --import tsx bench/soak/run.ts 120 50 20 --in-process
 * Prints a table of RSS over time and the trend: the slope of a least-squares line over the second half
 * of the samples (MB per minute), so growth shows apart from the start-up ramp.
 */
import { spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import {
  createWriteStream,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
  closeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import type * as SuperviseModule from '../../src/session/supervise.js';
import type * as BusModule from '../../src/events/bus.js';
import type * as ConvergeModule from '../../src/reconciler/converge.js';
import type * as RuntimeModule from '../../src/runtime/index.js';
import type * as SpecModule from '../../src/spec/index.js';

const args = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const inProcess = process.argv.includes('--in-process');
const seconds = Number(args[0] ?? 600);
const services = Number(args[1] ?? 50);
const burst = Number(args[2] ?? 20);
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const base = process.env.TSSTACK_DIST ? '../../dist' : '../../src';
const project = `t-soak-${Math.random().toString(36).slice(2, 8)}`;
const dir = mkdtempSync(join(tmpdir(), 'tsstack-soak-'));
const file = join(dir, 'stack.yml');

const logger = (i: number) => `  s${i}:
    image: tsstack-test/busybox:latest
    command: ["sh", "-c", "trap 'exit 0' TERM; n=0; while true; do i=0; while [ $$i -lt ${burst} ]; do echo \\"s${i} request $$n path=/api/items/$$i status=200 bytes=1532 rt=0.012 upstream=10.0.0.7:8080\\"; i=$$((i+1)); n=$$((n+1)); done; sleep 0.1 & wait $$!; done"]
    stop_grace_period: 1s
`;
writeFileSync(
  file,
  `name: ${project}\nservices:\n${Array.from({ length: services }, (_, i) => logger(i)).join('')}  crasher:
    image: tsstack-test/busybox:latest
    command: ["sh", "-c", "echo starting; sleep 3; echo crashing >&2; exit 1"]
    restart: always
`,
);

const { connectRuntime } = (await import(`${base}/runtime/index.js`)) as typeof RuntimeModule;
const runtime = await connectRuntime({ env: process.env });
const mb = (n: number) => (n / 1048576).toFixed(1);

interface Sample {
  t: number;
  rss: number;
  cols: string[];
}
const samples: Sample[] = [];

/** Least-squares slope of RSS (MB per minute) over the second half of the samples. */
function trend(): number {
  const half = samples.slice(Math.floor(samples.length / 2));
  if (half.length < 2) return NaN;
  const n = half.length;
  const mx = half.reduce((s, p) => s + p.t, 0) / n;
  const my = half.reduce((s, p) => s + p.rss, 0) / n;
  let num = 0;
  let den = 0;
  for (const p of half) {
    num += (p.t - mx) * (p.rss - my);
    den += (p.t - mx) ** 2;
  }
  return den === 0 ? 0 : (num / den / 1048576) * 60;
}

async function cleanup(): Promise<void> {
  for (const c of await runtime.listContainers({ 'io.tsstack.project': project }, { all: true }))
    await runtime.removeContainer(c.id, { force: true }).catch(() => undefined);
  for (const n of await runtime.listNetworks({ 'io.tsstack.project': project }))
    await runtime.removeNetwork(n.id).catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
}

async function crasherRestarts(): Promise<number | undefined> {
  const list = await runtime.listContainers(
    { 'io.tsstack.project': project, 'io.tsstack.service': 'crasher' },
    { all: true },
  );
  const c = list[0] && (await runtime.inspectContainer(list[0].id));
  return c?.restartCount;
}

const restartEvery = Number(process.env.SOAK_RESTART_EVERY ?? 5);
const restartNote = restartEvery > 0 ? `one service restarted every ${restartEvery} s` : 'no restarts';

/**
 * Restarts one logging service every 5 s (SOAK_RESTART_EVERY seconds; 0: never), each in turn, so log
 * follows end and begin again all along.
 */
function startRestarter(): { stop: () => Promise<void>; count: () => number } {
  const seconds = restartEvery;
  if (!(seconds > 0)) return { stop: () => Promise.resolve(), count: () => 0 };
  let done = 0;
  let next = 0;
  let busy: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    busy = busy
      .then(async () => {
        const service = `s${next++ % services}`;
        const [c] = await runtime.listContainers({
          'io.tsstack.project': project,
          'io.tsstack.service': service,
        });
        if (!c) return;
        await runtime.restartContainer(c.id, 1);
        done++;
      })
      .catch(() => undefined);
  }, seconds * 1000);
  return {
    stop: async () => {
      clearInterval(timer);
      await busy;
    },
    count: () => done,
  };
}

/** The interval between samples and how often a row is printed (about 20 rows whatever the length). */
const every = 5;
const printEvery = Math.max(1, Math.round(seconds / every / 20));

/** The built CLI as a user runs it, stdout to /dev/null; RSS from /proc. */
async function soakCli(): Promise<void> {
  const devnull = openSync('/dev/null', 'w');
  const child = spawn(
    process.execPath,
    [join(root, 'bin/tsstack.js'), '-f', file, 'up', '--headless', '--log-format', 'json'],
    {
      cwd: dir,
      stdio: ['ignore', devnull, 'pipe'],
      // SOAK_NODE_OPTIONS reaches only the CLI (e.g. a --require that logs process.memoryUsage()).
      env: { ...process.env, NO_COLOR: '1', NODE_OPTIONS: process.env.SOAK_NODE_OPTIONS ?? '' },
    },
  );
  closeSync(devnull);
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  const pid = child.pid!;
  const status = (key: string): number => {
    const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : NaN;
  };
  const io = (key: string): number => {
    const m = new RegExp(`^${key}: (\\d+)`, 'm').exec(readFileSync(`/proc/${pid}/io`, 'utf8'));
    return m ? Number(m[1]) : NaN;
  };
  const ticks = (): number => {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return Number(f[11]) + Number(f[12]); // utime + stime, in clock ticks (100 a second here)
  };
  console.log(
    `project ${project}: CLI \`up --headless --log-format json > /dev/null\`, pid ${pid}; ` +
      `${services} logging services (${burst} lines / 0.1 s each) + 1 crashing every ~3 s; ${restartNote}; ${seconds} s`,
  );
  console.log('| t (s) | RSS MB | written MB (wchar) | CPU % since last row |');
  console.log('|---|---|---|---|');
  const t0 = Date.now();
  let lastTicks = 0;
  let lastT = 0;
  let i = 0;
  const sample = (print: boolean) => {
    const t = (Date.now() - t0) / 1000;
    const rss = status('VmRSS');
    const tk = ticks();
    samples.push({ t, rss, cols: [] });
    if (!print) return;
    const cpu = t > lastT ? ((tk - lastTicks) / (t - lastT)).toFixed(0) : '-';
    lastTicks = tk;
    lastT = t;
    console.log(`| ${Math.round(t)} | ${mb(rss)} | ${(io('wchar') / 1e6).toFixed(0)} | ${cpu} |`);
  };
  const restarter = startRestarter();
  try {
    const timer = setInterval(() => sample(++i % printEvery === 0), every * 1000);
    const early = await Promise.race([
      new Promise<'time'>((r) => setTimeout(() => r('time'), seconds * 1000)),
      exited.then(() => 'exited' as const),
    ]);
    clearInterval(timer);
    await restarter.stop();
    if (early === 'exited') throw new Error(`the CLI exited early:\n${stderr}`);
    sample(true);
    const hwm = status('VmHWM');
    const restarts = await crasherRestarts();
    child.kill('SIGTERM');
    const code = await exited;
    console.log(
      `\npeak RSS (VmHWM) ${mb(hwm)} MB; trend over the second half ${trend().toFixed(2)} MB/min; ` +
        `crasher restarts ${restarts ?? '?'}; services restarted ${restarter.count()}; CLI exit code ${code}`,
    );
  } finally {
    await restarter.stop();
    if (child.exitCode === null) child.kill('SIGKILL');
    await cleanup();
  }
}

/** The supervisor in this process (heap breakdown available; with --expose-gc, sampled after a GC). */
async function soakInProcess(): Promise<void> {
  const { superviseAttached } = (await import(`${base}/cli/supervise.js`)) as typeof SuperviseModule;
  const { EventBus } = (await import(`${base}/events/bus.js`)) as typeof BusModule;
  const { converge } = (await import(`${base}/reconciler/converge.js`)) as typeof ConvergeModule;
  const { loadStack } = (await import(`${base}/spec/index.js`)) as typeof SpecModule;
  const { stack } = await loadStack({
    files: [file],
    cwd: dir,
    envFiles: [],
    profiles: [],
    env: process.env,
  });
  const bus = new EventBus();
  let lines = 0;
  let bytes = 0;
  let starts = 0;
  bus.subscribe((e) => {
    if (e.kind === 'log') {
      lines++;
      bytes += e.message.length + 1;
    } else if (e.kind === 'container.state' && e.service === 'crasher' && e.phase === 'running') starts++;
  });
  const signals = new EventEmitter();
  const out = createWriteStream('/dev/null') as unknown as NodeJS.WriteStream;
  const t0 = Date.now();
  const session = superviseAttached({
    runtime,
    stack,
    bus,
    ui: false,
    logFormat: 'json',
    since: Math.floor(t0 / 1000),
    prepare: async (b) => {
      await converge(runtime, stack, { bus: b });
    },
    stdout: out,
    signals: signals as unknown as NodeJS.Process,
    env: {},
  });
  console.log(
    `project ${project}: in process; ${services} logging services + 1 crashing every ~3 s; ${restartNote}; ${seconds} s`,
  );
  console.log(
    '| t (s) | RSS MB | heap used MB | external MB | array buffers MB | log lines | log MB | crasher starts |',
  );
  console.log('|---|---|---|---|---|---|---|---|');
  const gc = (globalThis as { gc?: () => void }).gc;
  let i = 0;
  const sample = (print: boolean) => {
    gc?.();
    const m = process.memoryUsage();
    const t = (Date.now() - t0) / 1000;
    samples.push({ t, rss: m.rss, cols: [] });
    if (!print) return;
    console.log(
      `| ${Math.round(t)} | ${mb(m.rss)} | ${mb(m.heapUsed)} | ${mb(m.external)} | ${mb(m.arrayBuffers)} | ${lines} | ${(bytes / 1e6).toFixed(0)} | ${starts} |`,
    );
  };
  const restarter = startRestarter();
  try {
    const timer = setInterval(() => sample(++i % printEvery === 0), every * 1000);
    await new Promise((r) => setTimeout(r, seconds * 1000));
    clearInterval(timer);
    await restarter.stop();
    sample(true);
    signals.emit('SIGTERM');
    const code = await session;
    console.log(
      `\ntrend over the second half ${trend().toFixed(2)} MB/min; services restarted ${restarter.count()}; supervisor exit code ${code}`,
    );
  } finally {
    await restarter.stop();
    await cleanup();
  }
}

process.once('SIGINT', () => {
  void cleanup().finally(() => process.exit(130));
});
await (inProcess ? soakInProcess() : soakCli());
