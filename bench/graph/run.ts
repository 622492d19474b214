/**
 * Time from `up` to all-healthy for a 20-service stack whose `depends_on: service_healthy` chain is 5
 * deep (4 services per level, each depending on every service of the level before), beside:
 *   - Docker Compose v2 (`docker compose up -d --wait`, the whole process) when it is installed,
 *   - the lower bound: the sum, along the critical path, of each service's own health wait (from its
 *     start to its first passing probe, as the engine recorded them) for the run being measured.
 * tsstack is measured in-process (converge + waitForServices, what `up --wait` runs) and through the
 * built CLI (the `bin/tsstack` command, `up --wait`, including Node start-up) when it exists.
 * Subjects take turns run by run, so a shared machine slows them alike. Medians.
 * Goal (issue 4): overhead above the lower bound under 10%; issue 11: not slower than Compose v2.
 * Run: npm run build && node --import tsx bench/graph/run.ts [runs]   (default 3 runs each)
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Docker from 'dockerode';
import { converge } from '../../src/reconciler/converge.js';
import { connectRuntime } from '../../src/runtime/index.js';
import type { Runtime } from '../../src/runtime/types.js';
import {
  composeNote,
  conditions,
  findComposeV2,
  markdownTable,
  median,
  ratio,
  TSSTACK_COMMAND,
} from '../anchors.js';
import { waitForServices } from '../../src/scheduler/wait.js';
import { loadStack } from '../../src/spec/index.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const IMAGE = 'tsstack-test/busybox:latest';
const LEVELS = 5;
const WIDTH = 4;
/** Each service needs this long before its probe can pass (its "warm-up"). */
const WARMUP_S = 1;
const docker = new Docker();
const compose = findComposeV2();

const name = (level: number, i: number): string => `l${level}s${i}`;

function stackYaml(project: string): string {
  const lines = ['services:'];
  for (let level = 1; level <= LEVELS; level++)
    for (let i = 1; i <= WIDTH; i++) {
      lines.push(
        `  ${name(level, i)}:`,
        `    image: ${IMAGE}`,
        `    command: ["sh", "-c", "trap 'exit 0' TERM; sleep ${WARMUP_S}; touch /tmp/ok; sleep 3600 & wait"]`,
        `    labels: { io.tsstack.project: ${project} }`,
        `    healthcheck: { test: ["CMD", "test", "-f", "/tmp/ok"], interval: 100ms, timeout: 1s, retries: 50 }`,
      );
      if (level > 1) {
        lines.push('    depends_on:');
        for (let j = 1; j <= WIDTH; j++)
          lines.push(`      ${name(level - 1, j)}: { condition: service_healthy }`);
      }
    }
  lines.push('networks:', '  default:', `    labels: { io.tsstack.project: ${project} }`);
  return `${lines.join('\n')}\n`;
}

function run(cmd: string, args: string[], env: Record<string, string> = {}): Promise<void> {
  return new Promise((resolve, reject) =>
    execFile(
      cmd,
      args,
      { cwd: ROOT, env: { ...process.env, ...env }, maxBuffer: 64 * 2 ** 20 },
      (err, _o, stderr) => (err ? reject(new Error(`${cmd} failed: ${stderr.slice(-500)}`)) : resolve()),
    ),
  );
}

/** Engine events of a project from now on: container start and first healthy times (ms), by service. */
function recordHealth(project: string): {
  stop: () => void;
  start: Map<string, number>;
  healthy: Map<string, number>;
} {
  const start = new Map<string, number>();
  const healthy = new Map<string, number>();
  const abort = new AbortController();
  void (async () => {
    const stream = await docker.getEvents({
      filters: { type: ['container'], label: [`io.tsstack.project=${project}`] },
      abortSignal: abort.signal,
    } as Docker.GetEventsOptions);
    let buf = '';
    stream.on('data', (d: Buffer) => {
      buf += d.toString();
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const e = JSON.parse(buf.slice(0, nl)) as {
          Action: string;
          timeNano: number;
          Actor: { Attributes: Record<string, string> };
        };
        buf = buf.slice(nl + 1);
        const a = e.Actor.Attributes;
        const service = a['io.tsstack.service'] ?? a['com.docker.compose.service'] ?? '';
        const t = e.timeNano / 1e6;
        if (e.Action === 'start' && !start.has(service)) start.set(service, t);
        if (e.Action === 'health_status: healthy' && !healthy.has(service)) healthy.set(service, t);
      }
    });
    stream.on('error', () => undefined);
  })().catch(() => undefined);
  return { stop: () => abort.abort(), start, healthy };
}

/** Critical-path sum of health waits (start → healthy event) and when the last service became healthy. */
function lowerBound(rec: ReturnType<typeof recordHealth>): { boundS: number; lastHealthyMs: number } {
  let boundS = 0;
  for (let level = 1; level <= LEVELS; level++) {
    const waits = Array.from({ length: WIDTH }, (_, i) => {
      const s = name(level, i + 1);
      const h = rec.healthy.get(s);
      const st = rec.start.get(s);
      if (h === undefined || st === undefined) throw new Error(`no start/healthy event for ${s}`);
      return (h - st) / 1000;
    });
    boundS += Math.max(...waits);
  }
  return { boundS, lastHealthyMs: Math.max(...rec.healthy.values()) };
}

/** Sum over levels of the time from the level before being all healthy to this level's last start. */
function startGaps(rec: ReturnType<typeof recordHealth>, t0: number): number {
  let prevHealthy = t0;
  let gaps = 0;
  for (let level = 1; level <= LEVELS; level++) {
    const services = Array.from({ length: WIDTH }, (_, i) => name(level, i + 1));
    gaps += Math.max(...services.map((s) => rec.start.get(s) ?? NaN)) - prevHealthy;
    prevHealthy = Math.max(...services.map((s) => rec.healthy.get(s) ?? NaN));
  }
  return gaps / 1000;
}

async function cleanup(project: string): Promise<void> {
  for (const c of await docker.listContainers({
    all: true,
    filters: { label: [`io.tsstack.project=${project}`] },
  }))
    await docker.getContainer(c.Id).remove({ force: true });
  for (const n of await docker.listNetworks({ filters: { label: [`io.tsstack.project=${project}`] } }))
    await docker.getNetwork(n.Id).remove();
}

/** Waits (polling the engine every 50 ms; the bench's own watcher, same for every subject) until all 20 are healthy. */
async function allHealthy(project: string): Promise<void> {
  for (;;) {
    const list = await docker.listContainers({ filters: { label: [`io.tsstack.project=${project}`] } });
    if (list.length === LEVELS * WIDTH && list.every((c) => /\(healthy\)/.test(c.Status))) return;
    await new Promise((r) => setTimeout(r, 50));
  }
}

interface Sample {
  totalS: number;
  boundS: number;
  /** Time on the critical path spent between a level being healthy and the next level's last start. */
  gapsS: number;
}

async function measure(
  subject: string,
  dir: string,
  rt: Runtime,
  up: (file: string, project: string) => Promise<void>,
): Promise<Sample> {
  const project = `bench-graph-${subject}-${Math.random().toString(36).slice(2, 7)}`;
  const file = join(dir, `${project}.yml`);
  await writeFile(file, stackYaml(project));
  const rec = recordHealth(project);
  await new Promise((r) => setTimeout(r, 200)); // the event stream is open before anything starts
  try {
    const t0 = Date.now();
    await up(file, project);
    await allHealthy(project);
    await new Promise((r) => setTimeout(r, 100));
    const { boundS, lastHealthyMs } = lowerBound(rec);
    // The end is when the last service became healthy (engine time), not when our watcher noticed.
    return {
      totalS: (Math.min(Date.now(), lastHealthyMs) - t0) / 1000,
      boundS,
      gapsS: startGaps(rec, t0),
    };
  } finally {
    void rt;
    rec.stop();
    await cleanup(project);
  }
}

async function main(): Promise<void> {
  const runs = Number(process.argv[2] ?? 3);
  const dir = await mkdtemp(join(tmpdir(), 'tsstack-bench-graph-'));
  const rt = await connectRuntime({ env: process.env });
  const subjects: [string, (file: string, project: string) => Promise<void>][] = [
    [
      'tsstack (in-process up --wait)',
      async (file, project) => {
        const { stack } = await loadStack({
          files: [file],
          cwd: dir,
          projectName: project,
          envFiles: [],
          profiles: [],
          env: {},
        });
        const { desired } = await converge(rt, stack);
        await waitForServices(rt, desired, { services: Object.keys(stack.services) });
      },
    ],
    ...(existsSync(TSSTACK_COMMAND)
      ? [
          [
            'tsstack CLI (up -d --wait)',
            (file: string, project: string) =>
              run(TSSTACK_COMMAND, ['-f', file, '-p', project, 'up', '-d', '--wait']),
          ] as [string, (file: string, project: string) => Promise<void>],
        ]
      : []),
    ...(compose.available
      ? [
          [
            `Docker Compose ${compose.version} (up -d --wait)`,
            (file: string, project: string) =>
              run('docker', ['compose', '-f', file, '-p', project, 'up', '-d', '--wait']),
          ] as [string, (file: string, project: string) => Promise<void>],
        ]
      : []),
  ];
  const head = await conditions(compose);
  const samples: Sample[][] = subjects.map(() => []);
  for (let i = 0; i < runs; i++)
    for (const [k, [label, up]] of subjects.entries())
      samples[k]?.push(await measure(label.split(' ')[0]?.toLowerCase() as string, dir, rt, up));
  await rm(dir, { recursive: true, force: true });
  const composeTotal = compose.available ? median((samples.at(-1) ?? []).map((s) => s.totalS)) : NaN;
  const rows = subjects.map(([label], k) => {
    const ss = samples[k] ?? [];
    const total = median(ss.map((s) => s.totalS));
    const bound = median(ss.map((s) => s.boundS));
    return [
      label,
      `${total.toFixed(2)} s`,
      `${bound.toFixed(2)} s`,
      `${(((total - bound) / bound) * 100).toFixed(0)}%`,
      `${median(ss.map((s) => s.gapsS)).toFixed(2)} s`,
      label.startsWith('Docker Compose') ? '' : ratio(total, composeTotal),
      ss.map((s) => s.totalS.toFixed(2)).join(' '),
    ];
  });
  console.log(
    `${head}; 20 services, service_healthy chain depth ${LEVELS}, warm-up ${WARMUP_S}s, probe interval 100ms; median of ${runs}, runs interleaved`,
  );
  console.log(
    markdownTable(
      ['subject', 'up → all healthy', 'lower bound', 'overhead', 'start gaps', '/ Compose v2', 'runs (s)'],
      rows,
    ),
  );
  const note = composeNote(compose);
  if (note) console.log(`note: ${note}`);
  console.log(
    'lower bound: sum over the 5 levels of the slowest health wait (start event → first healthy event).',
  );
  console.log(
    'start gaps: sum over levels of (last start of a level − the level before all healthy): the tool reacting plus the engine creating/starting.',
  );
}

await main();
