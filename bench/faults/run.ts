/**
 * Fault trials, run and survived, for the README: SIGKILL of the built CLI at engine-event points of
 * `up -d` (network create, Nth create, Nth start, mid-recreate), `down` on an N-service stack and rolling updates;
 * concurrent `up -d` on one project; engine outages under the headless supervisor (a unix-socket proxy
 * cut and restored); spec-loader fuzz inputs. A trial survives when the next command converges to exactly
 * the desired containers (running, hashes current, named volume data intact) with nothing lost.
 * Run: npm run build && node --import tsx bench/faults/run.ts [--services 50] [--outages 3] [--fuzz-seconds 30]
 */
import { EventEmitter } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import fc from 'fast-check';
import { superviseAttached } from '../../src/session/supervise.js';
import { EventBus } from '../../src/events/bus.js';
import { converge } from '../../src/reconciler/converge.js';
import { connectRuntime } from '../../src/runtime/index.js';
import { loadStack } from '../../src/spec/index.js';
import { CrashProject, IMAGE, type KillPoint } from '../../test/integration/helpers/crash.js';
import { SocketProxy } from '../../test/integration/helpers/socket-proxy.js';
import {
  ROOT,
  docker,
  eventually,
  execIn,
  projectObjects,
  removeProject,
  uniqueName,
} from '../../test/integration/helpers/stack-cli.js';
import { checkOne, fuzzInput, type FuzzStats } from '../../test/unit/spec/helpers/fuzz.js';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

const N = arg('services', 50);
const OUTAGES = arg('outages', 3);
const FUZZ_SECONDS = arg('fuzz-seconds', 30);
/** `--only down`: just the SIGKILL-during-down trials (after the seed up); `--only crash`: all SIGKILL trials of the N-service stack. */
const ONLY = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined;

interface Row {
  fault: string;
  run: number;
  survived: number;
  notes: string[];
}
const rows: Row[] = [];
function row(fault: string): Row {
  const r = { fault, run: 0, survived: 0, notes: [] };
  rows.push(r);
  return r;
}

async function crashTrials(tmp: string): Promise<void> {
  const project = uniqueName('b-crash');
  const p = new CrashProject(project, tmp, N, { XDG_RUNTIME_DIR: tmp, TSSTACK_PARALLEL: '8' });
  await p.write();
  let gen = 1;
  const kill = async (r: Row, args: string[], point: KillPoint, bump: boolean, before?: string[]) => {
    if (before) {
      // A failed `down` before a trial leaves state behind (say, a network the engine will not remove).
      const b = await p.cli(before, { GEN: String(gen) });
      if (b.code !== 0)
        r.notes.push(
          `before ${point.action}#${point.n}: ${before.join(' ')} exit ${b.code}: ${b.stderr
            .split('\n')
            .filter((l) => l && !l.includes('Removed') && !l.includes('Stopped'))
            .join(' | ')}`,
        );
    }
    if (bump) gen++;
    const k = await p.killAt(args, point, { GEN: String(gen) });
    r.run++;
    if (!k.killed) {
      r.notes.push(`${point.action}#${point.n}: finished before the kill point`);
      return;
    }
    const up = await p.cli(['up', '-d'], { GEN: String(gen) });
    const problems =
      up.code === 0 ? await p.convergedProblems(String(gen), 'kept') : [`up exit ${up.code}: ${up.stderr}`];
    if (problems.length === 0) r.survived++;
    else r.notes.push(`${point.action}#${point.n}: ${problems.join('; ')}`);
  };
  try {
    // Seed: converge once and write the volume marker every later trial checks.
    await p.cli(['up', '-d'], { GEN: '1' });
    await execIn(`${project}-s0-1`, 'echo kept > /data/marker');
    const down = ['down', '-t', '0'];
    if (ONLY === 'down') return await downTrials();
    const upRow = row(`SIGKILL during up -d (${N} services, from nothing but the volume)`);
    await kill(upRow, ['up', '-d'], { type: 'network', action: 'create', n: 1 }, false, down);
    for (const n of [1, Math.ceil(N / 4), Math.ceil(N / 2), N - 1])
      await kill(upRow, ['up', '-d'], { type: 'container', action: 'create', n }, false, down);
    for (const n of [1, Math.ceil(N / 5), Math.ceil(N / 2)])
      await kill(upRow, ['up', '-d'], { type: 'container', action: 'start', n }, false, down);
    const recRow = row(`SIGKILL mid-recreate (${Math.ceil(N / 2)} of ${N} services changed)`);
    for (const n of [1, Math.ceil(N / 10), Math.ceil(N / 4)])
      await kill(recRow, ['up', '-d'], { type: 'container', action: 'destroy', n }, true);
    for (const n of [1, Math.ceil(N / 10), Math.ceil(N / 4)])
      await kill(recRow, ['up', '-d'], { type: 'container', action: 'create', n }, true);
    await downTrials();
  } finally {
    await removeProject(project);
  }

  async function downTrials(): Promise<void> {
    const down = ['down', '-t', '0'];
    const downRow = row(`SIGKILL during down (${N} services), then down, then up`);
    for (const n of [1, Math.ceil(N / 3), N - 1]) {
      const k = await p.killAt(down, { type: 'container', action: 'destroy', n }, { GEN: String(gen) });
      downRow.run++;
      const d = await p.cli(down, { GEN: String(gen) });
      const left = await projectObjects(project);
      const clean =
        k.killed &&
        d.code === 0 &&
        left.containers.length === 0 &&
        left.networks.length === 0 &&
        JSON.stringify(left.volumes) === JSON.stringify([`${project}_data`]);
      await p.cli(['up', '-d'], { GEN: String(gen) });
      const problems = await p.convergedProblems(String(gen), 'kept');
      if (clean && problems.length === 0) downRow.survived++;
      else
        downRow.notes.push(
          `destroy#${n}: killed=${k.killed} second down exit ${d.code} ${d.stderr
            .split('\n')
            .filter((l) => !l.includes('Removed'))
            .join(' | ')} left=${JSON.stringify(left)} ${problems.join('; ')}`,
        );
    }
  }
}

const rollingYaml = (order: string) => `services:
  web:
    image: ${IMAGE}
    command: ["sh", "-c", "mkdir -p /www && echo v$$V > /www/index.html && exec httpd -f -p 80 -h /www"]
    environment: { V: "\${GEN:-1}" }
    stop_signal: SIGKILL
    healthcheck: { test: ["CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1/"], interval: 300ms, timeout: 2s, retries: 3 }
    deploy:
      replicas: 3
      update_config: { parallelism: 1, order: ${order} }
`;

async function rollingTrials(tmp: string): Promise<void> {
  const project = uniqueName('b-roll');
  const p = new CrashProject(project, tmp, 0, { XDG_RUNTIME_DIR: tmp });
  const r = row('SIGKILL during a rolling update (3 replicas)');
  let gen = 1;
  const problemsOf = async (): Promise<string[]> => {
    const problems: string[] = [];
    const { containers } = await projectObjects(project);
    const names = containers.map((c) => c.Names[0]?.replace(/^\//, '') ?? '').sort();
    if (JSON.stringify(names) !== JSON.stringify([1, 2, 3].map((i) => `${project}-web-${i}`)))
      problems.push(`containers ${JSON.stringify(names)}`);
    for (const c of containers) if (c.State !== 'running') problems.push(`${c.Names[0]} ${c.State}`);
    const dry = await p.cli(['up', '-d', '--dry-run'], { GEN: String(gen) });
    if (dry.stdout !== 'nothing to do\n') problems.push(`a further up would do: ${dry.stdout}`);
    return problems;
  };
  try {
    for (const order of ['start-first', 'stop-first']) {
      writeFileSync(p.file, rollingYaml(order));
      await p.cli(['up', '-d'], { GEN: String(gen) });
      const points: KillPoint[] = [
        { type: 'container', action: 'create', n: 1 },
        { type: 'container', action: 'destroy', n: 1 },
        { type: 'container', action: 'destroy', n: 2 },
        ...(order === 'start-first' ? [{ type: 'container' as const, action: 'rename', n: 1 }] : []),
      ];
      for (const point of points) {
        gen++;
        const k = await p.killAt(['up', '-d'], point, { GEN: String(gen) });
        r.run++;
        const up = await p.cli(['up', '-d'], { GEN: String(gen) });
        const problems = !k.killed
          ? ['kill point not reached']
          : up.code !== 0
            ? [up.stderr]
            : await problemsOf();
        if (problems.length === 0) r.survived++;
        else r.notes.push(`${order} ${point.action}#${point.n}: ${problems.join('; ')}`);
      }
    }
  } finally {
    await removeProject(project);
  }
}

async function concurrentTrials(tmp: string): Promise<void> {
  const project = uniqueName('b-lock');
  const p = new CrashProject(project, tmp, 10, { XDG_RUNTIME_DIR: tmp });
  await p.write();
  const r = row('concurrent up -d on one project (3 at once, 10 services)');
  try {
    for (let gen = 1; gen <= 4; gen++) {
      r.run++;
      const rs = await Promise.all([1, 2, 3].map(() => p.cli(['up', '-d'], { GEN: String(gen) })));
      const problems = [
        ...rs.filter((x) => x.code !== 0).map((x) => x.stderr),
        ...(await p.convergedProblems(String(gen))),
      ];
      if (problems.length === 0) r.survived++;
      else r.notes.push(`gen ${gen}: ${problems.join('; ')}`);
    }
  } finally {
    await removeProject(project);
  }
}

async function outageTrials(tmp: string): Promise<void> {
  const project = uniqueName('b-outage');
  const proxy = new SocketProxy(join(tmp, 'docker.sock'));
  await proxy.up();
  const file = join(tmp, 'outage.yml');
  const svc = (n: string) =>
    `  ${n}:\n    image: ${IMAGE}\n    command: ["sleep", "86400"]\n    stop_signal: SIGKILL\n`;
  writeFileSync(file, `services:\n${svc('a')}${svc('b')}${svc('c')}`);
  const { stack } = await loadStack({
    files: [file],
    cwd: tmp,
    projectName: project,
    envFiles: [],
    profiles: [],
    env: {},
  });
  const runtime = await connectRuntime({ env: { DOCKER_HOST: `unix://${proxy.path}` } });
  const bus = new EventBus();
  let reconnects = 0;
  bus.subscribe((e) => {
    if (e.kind === 'engine.reconnected') reconnects++;
  });
  const signals = new EventEmitter();
  const ids = async () =>
    Object.fromEntries((await projectObjects(project)).containers.map((c) => [c.Names[0] ?? '', c.Id]));
  const r = row('engine outage under the headless supervisor (proxy cut 3 s)');
  // The first converge goes straight to the engine; only the supervisor's own calls pass the proxy.
  await converge(await connectRuntime({ env: process.env }), stack, {});
  const done = superviseAttached({
    runtime,
    stack,
    ui: false,
    logFormat: 'json',
    bus,
    stdout: new PassThrough() as unknown as NodeJS.WriteStream,
    signals: signals as unknown as NodeJS.Process,
    env: {},
  });
  try {
    await eventually(async () => Object.keys(await ids()).length === 3, 60_000);
    for (let i = 0; i < OUTAGES; i++) {
      r.run++;
      const before = await ids();
      await proxy.cut();
      await docker.getContainer(`${project}-c-1`).remove({ force: true });
      await new Promise((res) => setTimeout(res, 3000));
      const seen = reconnects;
      await proxy.up();
      const ok =
        (await eventually(async () => reconnects > seen, 30_000)) &&
        (await eventually(async () => {
          const now = await ids();
          return (
            Object.keys(now).length === 3 &&
            now[`/${project}-a-1`] === before[`/${project}-a-1`] &&
            now[`/${project}-b-1`] === before[`/${project}-b-1`] &&
            (await docker.getContainer(`${project}-c-1`).inspect()).State.Running
          );
        }, 60_000));
      if (ok) r.survived++;
      else r.notes.push(`outage ${i + 1}: ${JSON.stringify(await ids())}`);
    }
  } finally {
    signals.emit('SIGTERM');
    await done;
    await proxy.cut();
    await removeProject(project);
  }
}

async function fuzzTrials(tmp: string): Promise<void> {
  const fixtures = join(ROOT, 'test/fixtures');
  const corpus = readdirSync(fixtures)
    .map((d) => join(fixtures, d, 'compose.yaml'))
    .filter((f) => existsSync(f))
    .map((f) => readFileSync(f, 'utf8'));
  const stats: FuzzStats = { inputs: 0, loaded: 0, specErrors: 0, slowest: 0 };
  const r = row(`spec loader fuzz inputs (${FUZZ_SECONDS} s)`);
  let failure = '';
  try {
    await fc.assert(
      fc.asyncProperty(fuzzInput(corpus), (text) =>
        checkOne(tmp, text, stats, (cwd) =>
          loadStack({ files: ['compose.yaml'], cwd, envFiles: [], profiles: [], env: { HOME: '/root' } }),
        ),
      ),
      { numRuns: 10_000_000, interruptAfterTimeLimit: FUZZ_SECONDS * 1000, markInterruptAsFailure: false },
    );
  } catch (err) {
    failure = err instanceof Error ? err.message.split('\n').slice(0, 3).join(' ') : String(err);
  }
  r.run = stats.inputs;
  r.survived = stats.inputs - (failure ? 1 : 0);
  r.notes.push(`${stats.loaded} loaded, ${stats.specErrors} located SpecErrors, slowest ${stats.slowest} ms`);
  if (failure) r.notes.push(failure);
}

async function main(): Promise<void> {
  const tmp = mkdtempSync(join(tmpdir(), 'tsstack-faults-'));
  const t0 = Date.now();
  try {
    if (ONLY !== 'down' && ONLY !== 'crash') {
      await fuzzTrials(tmp);
      await concurrentTrials(tmp);
      await outageTrials(tmp);
      await rollingTrials(tmp);
    }
    await crashTrials(tmp);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  const w = Math.max(...rows.map((r) => r.fault.length));
  console.log(`\n${'fault'.padEnd(w)} | trials | survived`);
  console.log(`${'-'.repeat(w)}-|--------|---------`);
  for (const r of rows)
    console.log(`${r.fault.padEnd(w)} | ${String(r.run).padStart(6)} | ${String(r.survived).padStart(8)}`);
  for (const r of rows) for (const n of r.notes) console.log(`  ${r.fault}: ${n}`);
  console.log(`\n(${Math.round((Date.now() - t0) / 1000)} s)`);
  if (rows.some((r) => r.survived < r.run)) process.exitCode = 1;
}

await main();
