// Spec benchmark: load + validate + normalize of a generated stack in process, and `config -q` as a whole
// process for tsstack and Docker Compose 1.29, side by side. Run with `npx tsx bench/spec/run.ts [runs]`.
// Wall time is what a user waits; CPU time (user+sys) is printed beside it because it moves much less when
// other work shares the machine. In-process rows parse every time (parse cache off); the whole-process rows show
// both a first run and a run on an unchanged file (cache hit).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { checkStack } from '../../src/spec/check.js';
import { loadStack } from '../../src/spec/index.js';
import { loadRawProject } from '../../src/spec/load.js';
import { normalizeProject } from '../../src/spec/normalize/index.js';
import { validateSchema } from '../../src/spec/validate.js';
import { generateStack } from './generate.js';

const RUNS = Number(process.argv[2] ?? 7);
const ROOT = resolve(import.meta.dirname, '../..');
const CLI = join(ROOT, 'bin/tsstack.js');
const TIME = '/usr/bin/time';

interface Row {
  name: string;
  wall: number[];
  cpu: number[];
}

function cpuMs(since: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(since);
  return (d.user + d.system) / 1000;
}

async function measure(name: string, runs: number, f: () => Promise<unknown> | unknown): Promise<Row> {
  const row: Row = { name, wall: [], cpu: [] };
  for (let i = 0; i < runs; i++) {
    const c = process.cpuUsage();
    const t = performance.now();
    await f();
    row.wall.push(performance.now() - t);
    row.cpu.push(cpuMs(c));
  }
  return row;
}

/** Runs a command `runs` times; CPU time comes from GNU time when it is installed. */
function measureProcess(
  name: string,
  runs: number,
  cmd: string,
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv = process.env,
): Row | string {
  const withTime = existsSync(TIME);
  const row: Row = { name, wall: [], cpu: [] };
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    const r = withTime
      ? spawnSync(TIME, ['-f', '@@cpu %U %S', cmd, ...args], { cwd, env, encoding: 'utf8' })
      : spawnSync(cmd, args, { cwd, env, encoding: 'utf8' });
    row.wall.push(performance.now() - t);
    if (r.error) return `${cmd}: ${r.error.message}`;
    if (r.status !== 0)
      return `${cmd} exited ${r.status}: ${(r.stderr || r.stdout).split('\n').slice(0, 3).join(' | ')}`;
    const m = /@@cpu ([\d.]+) ([\d.]+)/.exec(r.stderr);
    if (m) row.cpu.push((Number(m[1]) + Number(m[2])) * 1000);
  }
  return row;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
}

function printRows(title: string, rows: Row[]): void {
  const width = Math.max(...rows.map((r) => r.name.length));
  const f = (n: number) => (Number.isNaN(n) ? '-' : n.toFixed(1)).padStart(10);
  console.log(`\n${title}\n`);
  console.log(
    `${'path'.padEnd(width)} ${'n'.padStart(3)} ${'wall med'.padStart(10)} ${'wall min'.padStart(10)} ${'cpu med'.padStart(10)}`,
  );
  for (const r of rows) {
    console.log(
      `${r.name.padEnd(width)} ${String(r.wall.length).padStart(3)} ${f(median(r.wall))} ${f(Math.min(...r.wall))} ${f(median(r.cpu))}`,
    );
  }
}

async function phases(file: string, dir: string, runs: number): Promise<Row[]> {
  const opts = { files: [file], cwd: dir, envFiles: [], profiles: [], env: { TSSTACK_NO_CACHE: '1' } };
  const rows: Row[] = ['load', 'validate', 'normalize', 'check'].map((p) => ({
    name: `  phase: ${p}`,
    wall: [],
    cpu: [],
  }));
  const step = <T>(row: Row, f: () => T): T => {
    const c = process.cpuUsage();
    const t = performance.now();
    const out = f();
    row.wall.push(performance.now() - t);
    row.cpu.push(cpuMs(c));
    return out;
  };
  const [load, validate, normalize, check] = rows as [Row, Row, Row, Row];
  for (let i = 0; i < runs; i++) {
    const c = process.cpuUsage();
    const t = performance.now();
    const loaded = await loadRawProject(opts);
    load.wall.push(performance.now() - t);
    load.cpu.push(cpuMs(c));
    const raw = loaded.raw!;
    step(validate, () => validateSchema(raw));
    const { stack } = step(normalize, () => normalizeProject(raw));
    step(check, () => checkStack(stack, raw, { target: 'local' }));
  }
  return rows;
}

async function main(): Promise<void> {
  const loadAtStart = loadavg();
  const dir = mkdtempSync(join(tmpdir(), 'tsstack-bench-spec-'));
  const notes: string[] = [];
  try {
    const sizes = [50, 1000];
    const files: Record<number, string> = {};
    for (const n of sizes) {
      files[n] = join(dir, `stack-${n}.yml`);
      writeFileSync(files[n], generateStack(n));
    }
    const rows: Row[] = [];
    for (const n of sizes) {
      const opts = {
        files: [files[n] as string],
        cwd: dir,
        envFiles: [],
        profiles: [],
        env: { TSSTACK_NO_CACHE: '1' },
      };
      await loadStack(opts); // warm-up, and proof that the generated stack is valid
      rows.push(
        await measure(`tsstack in-process load+validate+normalize+check (${n})`, RUNS, () => loadStack(opts)),
      );
      rows.push(...(await phases(files[n] as string, dir, RUNS)));
    }
    // bin/tsstack.js runs the esbuild bundle, not dist/.
    if (!existsSync(join(ROOT, 'bundle/main.js')))
      notes.push('bundle/ missing: run `npm run build` for the whole-process rows');
    else {
      const version = measureProcess(
        'tsstack --version, whole process (startup only)',
        RUNS,
        process.execPath,
        [CLI, '--version'],
        dir,
      );
      if (typeof version === 'string') notes.push(version);
      else rows.push(version);
      // The parse cache (src/spec/parse-cache.ts) is kept in a folder of this run: the first row parses
      // every time (cache off), the second reads the unchanged file's parse from the cache (one warm-up
      // run fills it first). Files under 4 KiB are never cached.
      const cache = join(dir, 'cache');
      for (const n of sizes) {
        for (const [what, env] of [
          ['first run / changed file', { ...process.env, TSSTACK_NO_CACHE: '1' }],
          ['unchanged file, cache hit', { ...process.env, TSSTACK_CACHE_DIR: cache }],
        ] as [string, NodeJS.ProcessEnv][]) {
          const args = [CLI, '-f', files[n] as string, 'config', '-q'];
          if (env.TSSTACK_CACHE_DIR) spawnSync(process.execPath, args, { cwd: dir, env });
          const r = measureProcess(
            `tsstack config -q, ${what} (${n})`,
            RUNS,
            process.execPath,
            args,
            dir,
            env,
          );
          if (typeof r === 'string') notes.push(r);
          else rows.push(r);
        }
      }
    }
    const compose = spawnSync('docker-compose', ['version', '--short'], { encoding: 'utf8' });
    if (compose.error || compose.status !== 0) notes.push('docker-compose not found: no Compose rows');
    else {
      for (const n of sizes) {
        const runs = n >= 1000 ? Math.min(RUNS, 3) : RUNS;
        const r = measureProcess(
          `docker-compose ${compose.stdout.trim()} config -q (${n})`,
          runs,
          'docker-compose',
          ['-f', files[n] as string, 'config', '-q'],
          dir,
        );
        if (typeof r === 'string') notes.push(r);
        else rows.push(r);
      }
    }
    printRows(`spec: load, validate, normalize (ms; node ${process.version})`, rows);
    // The machine may be shared: CPU time moves much less than wall time when it is busy.
    const load = (l: number[]) => l.map((x) => x.toFixed(2)).join(' ');
    console.log(
      `load average: ${load(loadAtStart)} at the start, ${load(loadavg())} at the end (${cpus().length} cores)`,
    );
    for (const note of notes) console.log(`note: ${note}`);
    console.log('goal: tsstack config -q on 1000 services under 500 ms as a whole process');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
