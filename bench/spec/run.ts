// Spec benchmark: load + validate + normalize of a generated stack in process, and `config -q` as a whole
// process for tsstack and Docker Compose v2 (`docker compose`), side by side: tsstack and Compose take
// turns run by run, so a shared machine slows both alike. Run with `npx tsx bench/spec/run.ts [runs]`.
// Goal (issue 11): `config -q` on 1,000 services ≤ 0.5× Compose v2.
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
import {
  composeNote,
  conditions,
  findComposeV2,
  markdownTable,
  median,
  ratio,
  TSSTACK_COMMAND,
} from '../anchors.js';
import { generateStack } from './generate.js';

const RUNS = Number(process.argv[2] ?? 7);
const ROOT = resolve(import.meta.dirname, '../..');
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

interface Subject {
  name: string;
  cmd: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  /** Run before each measured run, not timed. */
  before?: () => void;
}

/** Each subject once per round, in turn, `runs` rounds; a subject that fails becomes its error text. */
function measureInterleaved(subjects: Subject[], runs: number, cwd: string): (Row | string)[] {
  const out: (Row | string)[] = subjects.map((x) => ({ name: x.name, wall: [], cpu: [] }));
  for (let i = 0; i < runs; i++)
    subjects.forEach((x, k) => {
      const row = out[k];
      if (typeof row === 'string' || !row) return;
      x.before?.();
      const r = measureProcess(x.name, 1, x.cmd, x.args, cwd, x.env);
      if (typeof r === 'string') out[k] = r;
      else {
        row.wall.push(...r.wall);
        row.cpu.push(...r.cpu);
      }
    });
  return out;
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
  const head = await conditions(findComposeV2());
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
    const compose = findComposeV2();
    const headline: string[][] = [];
    if (!existsSync(join(ROOT, 'bundle/build.json')))
      notes.push('bundle/ missing: run `npm run build` for the whole-process rows');
    else {
      const version = measureProcess(
        'tsstack --version, whole process (startup only)',
        RUNS,
        TSSTACK_COMMAND,
        ['--version'],
        dir,
      );
      if (typeof version === 'string') notes.push(version);
      else rows.push(version);
      // Caches (src/spec/parse-cache.ts for the parse, src/cli/code-cache.ts for the CLI's compiled code)
      // live in a folder of this run. "changed file": the code cache is warm, the file differs every run
      // (a comment line), so it is parsed; "unchanged file": both caches hit; "no cache": TSSTACK_NO_CACHE=1,
      // a first run ever. Files under 4 KiB are never parse-cached.
      const cache = join(dir, 'cache');
      for (const n of sizes) {
        const file = files[n] as string;
        const text = generateStack(n);
        let edit = 0;
        const subjects: Subject[] = [
          {
            name: `tsstack config -q, changed file (${n})`,
            cmd: TSSTACK_COMMAND,
            args: ['-f', file, 'config', '-q'],
            env: { ...process.env, TSSTACK_CACHE_DIR: cache },
            before: () => writeFileSync(file, `${text}# edit ${++edit}\n`),
          },
          {
            name: `tsstack config -q, unchanged file (${n})`,
            cmd: TSSTACK_COMMAND,
            args: ['-f', file, 'config', '-q'],
            env: { ...process.env, TSSTACK_CACHE_DIR: cache },
            before: () => writeFileSync(file, text),
          },
          {
            name: `tsstack config -q, no cache (${n})`,
            cmd: TSSTACK_COMMAND,
            args: ['-f', file, 'config', '-q'],
            env: { ...process.env, TSSTACK_NO_CACHE: '1' },
          },
          ...(compose.available
            ? [
                {
                  name: `docker compose ${compose.version} config -q (${n})`,
                  cmd: 'docker',
                  args: ['compose', '-f', file, 'config', '-q'],
                  env: process.env,
                },
              ]
            : []),
        ];
        // Warm-up: fills the caches; not counted.
        for (const x of subjects) {
          x.before?.();
          spawnSync(x.cmd, x.args, { cwd: dir, env: x.env });
        }
        const measured = measureInterleaved(subjects, n >= 1000 ? Math.min(RUNS, 5) : RUNS, dir);
        writeFileSync(file, text);
        for (const r of measured) if (typeof r === 'string') notes.push(r);
        const ok = measured.filter((r): r is Row => typeof r !== 'string');
        rows.push(...ok);
        const dc = ok.find((r) => r.name.startsWith('docker compose'));
        for (const r of ok.filter((x) => x.name.startsWith('tsstack'))) {
          const ts = median(r.wall);
          const anchor = dc ? median(dc.wall) : NaN;
          const what = r.name.replace(/^tsstack config -q, /, '').replace(/ \(\d+\)$/, '');
          headline.push([
            `${n}`,
            what,
            `${ts.toFixed(0)} ms`,
            dc ? `${anchor.toFixed(0)} ms` : '–',
            ratio(ts, anchor),
            n >= 1000
              ? `≤ 0.5× Compose ${Number.isFinite(ts / anchor) ? (ts / anchor <= 0.5 ? '✔' : '✘') : '–'}`
              : '',
          ]);
        }
      }
    }
    const note = composeNote(compose);
    if (note) notes.push(note);
    console.log(`${head}; whole-process medians, runs interleaved`);
    console.log(
      markdownTable(
        ['services', '`config -q`', 'tsstack', 'Compose v2', 'tsstack / Compose', 'goal'],
        headline,
      ),
    );
    printRows(`spec: load, validate, normalize (ms; node ${process.version})`, rows);
    // The machine may be shared: CPU time moves much less than wall time when it is busy.
    const load = (l: number[]) => l.map((x) => x.toFixed(2)).join(' ');
    console.log(
      `load average: ${load(loadAtStart)} at the start, ${load(loadavg())} at the end (${cpus().length} cores)`,
    );
    for (const note of notes) console.log(`note: ${note}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
