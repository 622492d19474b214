// Differential test against Docker Compose v2: for every valid fixture and for generated stacks,
// `tsstack config --format json --no-redact` and `docker compose config --format json` must describe the same
// project in the canonical form of docs/spec-loading.md, apart from the deliberate differences listed there.
// Skipped, with the reason in the test's name, where `docker compose` v2 is not installed.
import { execFile, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { canonicalProject, type Json } from '../unit/spec/helpers/compose-canonical.js';
import { FIXTURES_DIR, fixtureNames } from '../unit/spec/helpers/fixtures.js';
import { document } from '../unit/spec/helpers/generators.js';
import { BIN, ensureBuilt } from './helpers/built-cli.js';
import {
  COMPOSE_ONLY_REFUSALS,
  TSSTACK_ONLY_REFUSALS,
  forgiveDeliberate,
} from './helpers/compose-exceptions.js';

/** Only what both tools need: no stack variables of the machine running the tests leak in. */
const ENV = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? tmpdir(), NO_COLOR: '1' };

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a program without blocking the test worker (vitest reports progress meanwhile); never throws. */
function run(file: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = ENV): Promise<Run> {
  return new Promise((resolve) => {
    execFile(file, args, { cwd, env, timeout: 60_000, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : null) : 0;
      resolve({ code, stdout, stderr: stderr || (err && code === null ? String(err) : '') });
    });
  });
}

/** Why the test cannot run here, or undefined when `docker compose` is v2. */
function composeMissing(): string | undefined {
  const r = spawnSync('docker', ['compose', 'version', '--short'], { env: ENV, encoding: 'utf8' });
  if (r.status !== 0) return `"docker compose version" failed (${(r.stderr || String(r.error)).trim()})`;
  const version = r.stdout.trim();
  return /^v?2\./.test(version) ? undefined : `docker compose is ${version}, not v2`;
}

/** Both canonical documents, Compose's with the deliberate differences forgiven. */
async function compared(cwd: string): Promise<{ tsstack: Json; compose: Json; runs: [Run, Run] }> {
  // The CLI runs with the same small environment as Compose.
  const env = { ...ENV, TSSTACK_CACHE_DIR: process.env.TSSTACK_CACHE_DIR };
  const [a, b] = await Promise.all([
    run(process.execPath, [BIN, 'config', '--format', 'json', '--no-redact'], cwd, env),
    run('docker', ['compose', 'config', '--format', 'json'], cwd),
  ]);
  const mine = a.code === 0 ? canonicalProject(JSON.parse(a.stdout) as Json) : null;
  const theirs = b.code === 0 ? canonicalProject(JSON.parse(b.stdout) as Json) : null;
  return { tsstack: mine, compose: mine && theirs && forgiveDeliberate(mine, theirs), runs: [a, b] };
}

/** The `file:line:col path: message` lines of a tsstack refusal, without code frames. */
function problemLines(stderr: string): string[] {
  return stderr.split('\n').filter((l) => /^\S+:\d+:\d+ /.test(l));
}

const missing = composeMissing();
if (missing) console.warn(`differential test against Compose skipped: ${missing}`);

/** Generated stacks per run; `TSSTACK_DIFF_RUNS=1000` for a longer search. */
const RUNS = Number(process.env.TSSTACK_DIFF_RUNS ?? 80);

if (missing) {
  describe('config matches docker compose config', () => {
    it.skip(`skipped: ${missing}`, () => undefined);
  });
} else
  describe('config matches docker compose config', { timeout: 300_000 }, () => {
    let root: string;
    beforeAll(async () => {
      await ensureBuilt();
      root = mkdtempSync(path.join(tmpdir(), 'tsstack-compose-diff-'));
    }, 300_000);
    afterAll(() => {
      if (root) rmSync(root, { recursive: true, force: true });
    });

    it.each(fixtureNames(FIXTURES_DIR))('fixture %s', async (name) => {
      const { tsstack: mine, compose: theirs, runs } = await compared(path.join(FIXTURES_DIR, name));
      expect(
        runs.map((r) => r.code),
        runs.map((r) => r.stderr).join('\n'),
      ).toEqual([0, 0]);
      expect(mine).toEqual(theirs);
    });

    it(
      'generated stacks: the same project, or a refusal for a listed reason',
      { timeout: RUNS * 15_000 },
      async () => {
        let n = 0;
        const tally = { compared: 0, tsstackRefused: 0, composeRefused: 0, bothRefused: 0 };
        await fc.assert(
          fc.asyncProperty(document, async (doc) => {
            const dir = path.join(root, `gen-${n++}`);
            mkdirSync(dir);
            writeFileSync(path.join(dir, 'compose.yaml'), stringify(doc));
            const { tsstack: mine, compose: theirs, runs } = await compared(dir);
            const [a, b] = runs;
            if (a.code === 0 && b.code === 0) {
              tally.compared++;
              expect(mine).toEqual(theirs);
            } else if (a.code === 0) {
              tally.composeRefused++;
              expectListed(b.stderr, COMPOSE_ONLY_REFUSALS);
            } else if (b.code === 0) {
              tally.tsstackRefused++;
              expect(a.code, a.stderr).toBe(2);
              expect(problemLines(a.stderr).length, a.stderr).toBeGreaterThan(0);
              for (const line of problemLines(a.stderr)) expectListed(line, TSSTACK_ONLY_REFUSALS);
            } else {
              tally.bothRefused++;
              expect(a.code, a.stderr).toBe(2);
            }
          }),
          { numRuns: RUNS },
        );
        console.info(`generated stacks: ${JSON.stringify(tally)}`);
        // About a third of generated stacks are valid for both; none would mean the test compares nothing.
        expect(tally.compared).toBeGreaterThan(0);
      },
    );
  });

function expectListed(message: string, reasons: RegExp[]): void {
  expect(
    reasons.some((r) => r.test(message)),
    `refused for a reason not listed in docs/spec-loading.md: ${message}`,
  ).toBe(true);
}
