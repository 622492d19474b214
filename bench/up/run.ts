/**
 * `up -d` cold, `up -d` no-op, `ps`, and `down -t 1` for 1, 10 and 50 services, side by side:
 *   - tsstack through its built CLI (`node bin/tsstack.js`, wall time including Node start-up),
 *   - tsstack's reconcile pass in-process (same work, without process start-up and module loading),
 *   - Docker Compose 1.29 (`docker-compose`) on the same file,
 *   - the engine's floor: creating and starting the same containers directly through the API, all in
 *     parallel, and stopping + removing them the same way.
 * Goals (issue 3): cold up within 1.1x the floor, no-op up under 0.2 s, down within 1.2x the floor.
 * Run: npm run build && node --import tsx bench/up/run.ts [sizes...]   (default sizes: 1 10 50)
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Docker from 'dockerode';
import { applyPlan, throwIfFailed } from '../../src/scheduler/apply.js';
import { converge } from '../../src/reconciler/converge.js';
import { planDown } from '../../src/reconciler/lifecycle.js';
import { observe } from '../../src/reconciler/observe.js';
import { connectRuntime } from '../../src/runtime/index.js';
import { loadStack } from '../../src/spec/index.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const IMAGE = 'tsstack-test/busybox:latest';
const COMMAND = ['sh', '-c', "trap 'exit 0' TERM; sleep 3600 & wait"];
const docker = new Docker();

function stackYaml(n: number): string {
  const lines = ['services:'];
  for (let i = 1; i <= n; i++)
    lines.push(`  s${i}:`, `    image: ${IMAGE}`, `    command: ${JSON.stringify(COMMAND)}`);
  return `${lines.join('\n')}\n`;
}

/** Wall time of a command in seconds; NaN (reported as "failed") when it fails, so one failure does not lose the table. */
function run(cmd: string, args: string[]): Promise<number> {
  const t0 = performance.now();
  return new Promise((resolve) =>
    execFile(cmd, args, { cwd: ROOT, maxBuffer: 64 * 2 ** 20 }, (err, _out, stderr) => {
      if (err) {
        const last = (stderr || err.message).trim().split('\n').slice(-1)[0];
        process.stderr.write(`failed: ${cmd} ${args.join(' ')}: ${last}\n`);
        resolve(Number.NaN);
      } else resolve((performance.now() - t0) / 1000);
    }),
  );
}

/** Runs a measured step; a failure is reported and its cells become NaN. */
async function safely<T extends object>(what: string, f: () => Promise<T>, empty: T): Promise<T> {
  try {
    return await f();
  } catch (err) {
    process.stderr.write(`failed: ${what}: ${(err as Error).message}\n`);
    return empty;
  }
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

interface Row {
  cold: number;
  noop: number;
  ps: number;
  down: number;
}

async function tsstackCli(file: string, project: string): Promise<Row> {
  const cli = (...args: string[]) =>
    run(process.execPath, [join(ROOT, 'bin/tsstack.js'), '-f', file, '-p', project, ...args]);
  const cold = await cli('up', '-d');
  const noop = await cli('up', '-d');
  const ps = await cli('ps');
  const down = await cli('down', '-t', '1');
  return { cold, noop, ps, down };
}

/** The reconcile pass without Node start-up: load, connect, observe, plan, apply (and the same for down). */
async function tsstackInProcess(file: string, project: string): Promise<Pick<Row, 'cold' | 'noop' | 'down'>> {
  const once = async (): Promise<number> => {
    const t0 = performance.now();
    const { stack } = await loadStack({
      files: [file],
      cwd: ROOT,
      projectName: project,
      envFiles: [],
      profiles: [],
      env: process.env,
    });
    await converge(await connectRuntime({ env: process.env }), stack);
    return (performance.now() - t0) / 1000;
  };
  const cold = await once();
  const noop = await once();
  const t0 = performance.now();
  const runtime = await connectRuntime({ env: process.env });
  throwIfFailed(await applyPlan(runtime, planDown(await observe(runtime, project), { timeout: 1 })));
  return { cold, noop, down: (performance.now() - t0) / 1000 };
}

async function compose(file: string, project: string): Promise<Row> {
  const dc = (...args: string[]) => run('docker-compose', ['-f', file, '-p', project, ...args]);
  const cold = await dc('up', '-d');
  const noop = await dc('up', '-d');
  const ps = await dc('ps');
  const down = await dc('down', '-t', '1');
  return { cold, noop, ps, down };
}

/** The engine's own floor: one network, N creates+starts in parallel; then N stops (t=1)+removes in parallel. */
async function floor(n: number, project: string): Promise<Pick<Row, 'cold' | 'down'>> {
  const labels = { 'io.tsstack.project': project };
  const t0 = performance.now();
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
  const cold = (performance.now() - t0) / 1000;
  const t1 = performance.now();
  await Promise.all(
    containers.map(async (c) => {
      await c.stop({ t: 1 });
      await c.remove();
    }),
  );
  await net.remove();
  return { cold, down: (performance.now() - t1) / 1000 };
}

const fmt = (s: number | undefined): string =>
  s === undefined ? '-' : Number.isNaN(s) ? 'failed' : `${s.toFixed(2)} s`;
const ratio = (a: number, b: number): string => (Number.isFinite(a / b) ? `${(a / b).toFixed(2)}x` : '-');

async function main(): Promise<void> {
  const sizes = process.argv
    .slice(2)
    .map(Number)
    .filter((n) => n > 0);
  const tmp = await mkdtemp(join(tmpdir(), 'tsstack-bench-up-'));
  const rows: string[][] = [];
  try {
    for (const n of sizes.length > 0 ? sizes : [1, 10, 50]) {
      const file = join(tmp, `stack-${n}.yml`);
      await writeFile(file, stackYaml(n));
      const p = (tool: string) => `bench-${tool}-${n}`;
      for (const tool of ['ts', 'tsin', 'dc', 'floor']) await cleanup(p(tool));
      const ts = await tsstackCli(file, p('ts'));
      const tsin = await safely('tsstack in-process', () => tsstackInProcess(file, p('tsin')), {
        cold: NaN,
        noop: NaN,
        down: NaN,
      });
      const dc = await compose(file, p('dc'));
      const fl = await safely('engine floor', () => floor(n, p('floor')), { cold: NaN, down: NaN });
      rows.push([
        `${n}`,
        'up -d (cold)',
        fmt(ts.cold),
        fmt(tsin.cold),
        fmt(dc.cold),
        fmt(fl.cold),
        ratio(ts.cold, fl.cold),
        ratio(tsin.cold, fl.cold),
      ]);
      rows.push([`${n}`, 'up -d (no-op)', fmt(ts.noop), fmt(tsin.noop), fmt(dc.noop), '-', '-', '-']);
      rows.push([`${n}`, 'ps', fmt(ts.ps), '-', fmt(dc.ps), '-', '-', '-']);
      rows.push([
        `${n}`,
        'down -t 1',
        fmt(ts.down),
        fmt(tsin.down),
        fmt(dc.down),
        fmt(fl.down),
        ratio(ts.down, fl.down),
        ratio(tsin.down, fl.down),
      ]);
      for (const tool of ['ts', 'tsin', 'dc', 'floor']) await cleanup(p(tool));
    }
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
  const header = [
    'services',
    'operation',
    'tsstack CLI',
    'tsstack in-process',
    'compose 1.29',
    'engine floor',
    'CLI/floor',
    'in-proc/floor',
  ];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  console.log(line(header));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const r of rows) console.log(line(r));
}

await main();
