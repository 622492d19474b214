/**
 * The real stack (examples/todo: nginx → app ×2 → PostgreSQL, Redis), tsstack beside Docker Compose v2 in
 * one run, on the same engine, images and file:
 *   - cold `up -d --wait` until every service is healthy (from nothing but the images),
 *   - a no-op `up -d --wait` (nothing changed),
 *   - an update of the app's environment under load: wrk sends reads through nginx on 127.0.0.1 while
 *     `APP_VERSION=N up -d --wait` runs (tsstack rolls the replicas start-first; Compose has no rolling
 *     update on one engine and recreates them), with the requests, failures and p99 during it,
 *   - `down` (volumes kept; removed afterwards, untimed).
 * Subjects alternate within each round; the table gives medians. Goal: tsstack at or under Compose v2.
 * Run: npm run bench:real [rounds]   (default 3; scripts/bench-real.sh runs this on the real-stack engine)
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startLoad, type LoadReport } from '../../test/e2e/real-stack/load.js';
import { TSSTACK_COMMAND } from '../anchors.js';
import { freePort, uniqueName } from '../../test/integration/helpers/stack-cli.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const FILE = join(ROOT, 'examples/todo/compose.yaml');
const ROUNDS = Number(process.argv[2] ?? 3);

interface Subject {
  name: string;
  /** argv for an action on `project`. */
  argv: (project: string, args: string[]) => [string, string[]];
}

const SUBJECTS: Subject[] = [
  {
    name: 'tsstack CLI',
    argv: (p, args) => [TSSTACK_COMMAND, ['-f', FILE, '-p', p, ...args]],
  },
  { name: 'Docker Compose v2', argv: (p, args) => ['docker', ['compose', '-f', FILE, '-p', p, ...args]] },
];

interface Sample {
  cold: number;
  noop: number;
  update: number;
  load: LoadReport;
  probe: Probe;
  down: number;
}

/** What one client saw, asking once every 50 ms (a request at a time, 2 s timeout). */
interface Probe {
  sent: number;
  failed: number;
  /** From the first failed request to the last one's end: how long the service was out for it. */
  outageSeconds: number;
}

/** Polls `url` until `signal` aborts. wrk reconnects at once after a refused connection, so its failure
 * count measures its own speed more than the outage; this client measures the outage. */
async function probe(url: string, signal: AbortSignal): Promise<Probe> {
  const p: Probe = { sent: 0, failed: 0, outageSeconds: 0 };
  let first: number | undefined;
  while (!signal.aborted) {
    const t0 = performance.now();
    p.sent++;
    const ok = await fetch(url, { signal: AbortSignal.timeout(2000) }).then(
      async (r) => (await r.arrayBuffer(), r.ok),
      () => false,
    );
    if (!ok) {
      p.failed++;
      first ??= t0;
      p.outageSeconds = (performance.now() - first) / 1000;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return p;
}

/** Wall time in seconds; throws with the command's last stderr line when it fails. */
function timed(cmd: [string, string[]], env: Record<string, string>): Promise<number> {
  const t0 = performance.now();
  return new Promise((resolve, reject) =>
    execFile(
      cmd[0],
      cmd[1],
      { cwd: ROOT, env: { ...process.env, NO_COLOR: '1', ...env } },
      (err, _o, stderr) => {
        if (err)
          reject(
            new Error(
              `${cmd[1].join(' ')}: ${(stderr || err.message).trim().split('\n').slice(-3).join(' | ')}`,
            ),
          );
        else resolve((performance.now() - t0) / 1000);
      },
    ),
  );
}

async function measure(s: Subject, round: number): Promise<Sample> {
  const project = uniqueName(`bench-real-${s.name.startsWith('tsstack') ? 'ts' : 'cv2'}`);
  const port = await freePort();
  const env = { TODO_PORT: String(port) };
  const go = (args: string[], extra: Record<string, string> = {}) =>
    timed(s.argv(project, args), { ...env, ...extra });
  try {
    const cold = await go(['up', '-d', '--wait']);
    const noop = await go(['up', '-d', '--wait']);
    const load = startLoad(`http://127.0.0.1:${port}/api/todos`);
    const stopProbe = new AbortController();
    const probed = probe(`http://127.0.0.1:${port}/api/todos`, stopProbe.signal);
    await new Promise((r) => setTimeout(r, 2000));
    let update: number;
    try {
      update = await go(['up', '-d', '--wait'], { APP_VERSION: String(round + 1) });
    } finally {
      await new Promise((r) => setTimeout(r, 1000));
      stopProbe.abort();
    }
    const [report, seen] = await Promise.all([load.stop(), probed]);
    const down = await go(['down'], { APP_VERSION: String(round + 1) });
    return { cold, noop, update, load: report, probe: seen, down };
  } finally {
    await go(['down', '-v', '-t', '5']).catch(() => 0);
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

const secs = (x: number) => `${x.toFixed(2)} s`;

async function main(): Promise<void> {
  // The app image, built once for both (both files name tsstack-example/todo-app:latest).
  await timed(SUBJECTS[0]!.argv(uniqueName('bench-real-build'), ['build', '-q']), {});
  const samples = new Map<string, Sample[]>(SUBJECTS.map((s) => [s.name, []]));
  for (let round = 1; round <= ROUNDS; round++) {
    const order = round % 2 ? SUBJECTS : [...SUBJECTS].reverse();
    for (const s of order) {
      const sample = await measure(s, round);
      samples.get(s.name)!.push(sample);
      const l = sample.load;
      process.stderr.write(
        `round ${round} ${s.name}: cold ${secs(sample.cold)}, no-op ${secs(sample.noop)}, update ${secs(sample.update)} ` +
          `(wrk: ${l.requests} answered, ${l.failures} failed, p99 ${l.p99Ms.toFixed(0)} ms; probe: ` +
          `${sample.probe.failed} of ${sample.probe.sent} failed over ${secs(sample.probe.outageSeconds)}), ` +
          `down ${secs(sample.down)}\n`,
      );
    }
  }
  const rows: [string, (x: Sample[]) => string][] = [
    ['`up -d --wait` cold → all healthy', (x) => secs(median(x.map((s) => s.cold)))],
    ['`up -d --wait` no-op', (x) => secs(median(x.map((s) => s.noop)))],
    ['update of the app (`APP_VERSION=N up -d --wait`)', (x) => secs(median(x.map((s) => s.update)))],
    [
      'wrk during the update: requests answered, failed (all rounds)',
      (x) => `${x.reduce((a, s) => a + s.load.requests, 0)}, ${x.reduce((a, s) => a + s.load.failures, 0)}`,
    ],
    [
      'a client asking every 50 ms: failed of sent (all rounds); longest outage',
      (x) =>
        `${x.reduce((a, s) => a + s.probe.failed, 0)} of ${x.reduce((a, s) => a + s.probe.sent, 0)}; ` +
        secs(Math.max(...x.map((s) => s.probe.outageSeconds))),
    ],
    [
      'p99 latency during the update (median of rounds)',
      (x) => `${median(x.map((s) => s.load.p99Ms)).toFixed(0)} ms`,
    ],
    ['`down`', (x) => secs(median(x.map((s) => s.down)))],
  ];
  const [a, b] = SUBJECTS.map((s) => samples.get(s.name)!);
  console.log(`\nexamples/todo, ${ROUNDS} rounds (medians), wrk -t2 -c8 during the update\n`);
  console.log(`| | ${SUBJECTS.map((s) => s.name).join(' | ')} |`);
  console.log(`|---|---|---|`);
  for (const [label, cell] of rows) console.log(`| ${label} | ${cell(a!)} | ${cell(b!)} |`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
