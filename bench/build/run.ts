/**
 * `build` of a 5-service stack, tsstack beside Docker Compose v2 (`docker compose build`) on the same
 * Dockerfiles (multi-stage, a cache mount, a COPY of a small source tree), both building with the
 * engine's BuildKit:
 *   - cold: every source file carries a fresh salt, so no layer of an earlier run matches;
 *   - rebuild: one source file of one service changed;
 *   - no change: the same build again.
 * Goal (issue 13): no slower than Compose v2 on each (ratio ≤ 1.0). One run each; the order alternates
 * which tool goes first per row to spread the machine's drift.
 * Run: npm run build && node --import tsx bench/build/run.ts
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Docker from 'dockerode';
import { TSSTACK_COMMAND } from '../anchors.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SERVICES = ['api', 'web', 'worker', 'auth', 'search'];
const docker = new Docker();

function dockerfile(service: string): string {
  return [
    'FROM tsstack-test/busybox:latest AS build',
    'WORKDIR /src',
    'COPY src/ ./',
    // Some work per build that the cache mount keeps between builds, as a package manager's cache would.
    `RUN --mount=type=cache,id=bench-${service},target=/cache sh -c 'cat *.txt | md5sum > /digest; for i in $(seq 1 200); do echo $i; done > /cache/list; cp /cache/list /list'`,
    'RUN find /src -type f | sort > /manifest',
    '',
    'FROM tsstack-test/busybox:latest',
    'COPY --from=build /digest /manifest /list /app/',
    'CMD ["cat", "/app/digest"]',
    '',
  ].join('\n');
}

async function writeStack(dir: string, salt: string): Promise<string> {
  const lines = ['services:'];
  for (const s of SERVICES) {
    await mkdir(join(dir, s, 'src'), { recursive: true });
    await writeFile(join(dir, s, 'Dockerfile'), dockerfile(s));
    for (let i = 0; i < 20; i++)
      await writeFile(join(dir, s, 'src', `f${i}.txt`), `${s} ${i} ${salt}\n${'x'.repeat(2000)}\n`);
    lines.push(`  ${s}:`, `    build: ./${s}`);
  }
  const file = join(dir, 'compose.yaml');
  await writeFile(file, `${lines.join('\n')}\n`);
  return file;
}

function run(cmd: string, args: string[]): Promise<number> {
  const t0 = performance.now();
  return new Promise((resolve) =>
    execFile(cmd, args, { cwd: ROOT, maxBuffer: 64 * 2 ** 20 }, (err, _out, stderr) => {
      if (err) {
        process.stderr.write(
          `failed: ${cmd} ${args.join(' ')}: ${(stderr || err.message).trim().split('\n').slice(-3).join(' | ')}\n`,
        );
        resolve(Number.NaN);
      } else resolve((performance.now() - t0) / 1000);
    }),
  );
}

type Tool = 'tsstack' | 'compose';

function buildCmd(tool: Tool, file: string, project: string): [string, string[]] {
  return tool === 'tsstack'
    ? [TSSTACK_COMMAND, ['-f', file, '-p', project, 'build', '-q']]
    : ['docker', ['compose', '-f', file, '-p', project, '--progress', 'quiet', 'build']];
}

async function removeImages(project: string): Promise<void> {
  for (const s of SERVICES)
    await docker
      .getImage(`${project}-${s}`)
      .remove({ force: true })
      .catch(() => {});
}

async function main(): Promise<void> {
  const tag = randomBytes(3).toString('hex');
  const dirs: Record<Tool, string> = {
    tsstack: await mkdtemp(join(tmpdir(), 'tsstack-bench-build-')),
    compose: await mkdtemp(join(tmpdir(), 'tsstack-bench-build-')),
  };
  const projects: Record<Tool, string> = { tsstack: `bench-build-t-${tag}`, compose: `bench-build-c-${tag}` };
  const files: Partial<Record<Tool, string>> = {};
  const rows: { name: string; t: Record<Tool, number> }[] = [];
  const load = loadavg()[0]?.toFixed(1);
  try {
    for (const tool of ['tsstack', 'compose'] as Tool[])
      files[tool] = await writeStack(dirs[tool], `${tool}-${tag}`);
    const step = async (name: string, prepare: (tool: Tool) => Promise<void>, first: Tool) => {
      const t = { tsstack: Number.NaN, compose: Number.NaN };
      for (const tool of first === 'tsstack'
        ? (['tsstack', 'compose'] as Tool[])
        : (['compose', 'tsstack'] as Tool[])) {
        await prepare(tool);
        const [cmd, args] = buildCmd(tool, files[tool] as string, projects[tool]);
        t[tool] = await run(cmd, args);
      }
      rows.push({ name, t });
    };
    await step('cold (no layer cached)', async () => {}, 'compose');
    await step(
      'rebuild after one source file changed',
      async (tool) =>
        writeFile(join(dirs[tool], 'web', 'src', 'f3.txt'), `changed ${randomBytes(4).toString('hex')}\n`),
      'tsstack',
    );
    await step('no-change build', async () => {}, 'compose');
  } finally {
    for (const tool of ['tsstack', 'compose'] as Tool[]) {
      await removeImages(projects[tool]);
      await rm(dirs[tool], { recursive: true, force: true });
    }
  }
  const fmt = (s: number) => (Number.isFinite(s) ? `${s.toFixed(2)} s` : 'failed');
  console.log(`\nbuild, ${SERVICES.length} services (load average ${load} at the start)\n`);
  console.log('| build | tsstack | Compose v2 | tsstack / Compose | goal ≤ 1.0 |');
  console.log('|---|---|---|---|---|');
  for (const r of rows) {
    const ratio = r.t.tsstack / r.t.compose;
    const ok = Number.isFinite(ratio) ? (ratio <= 1 ? '✔' : '✘') : '–';
    console.log(
      `| ${r.name} | ${fmt(r.t.tsstack)} | ${fmt(r.t.compose)} | ${Number.isFinite(ratio) ? `${ratio.toFixed(2)}×` : '–'} | ${ok} |`,
    );
  }
}

await main();
