// E2E helper: the built CLI (bin/tsstack.js runs bundle/), built at most once however many test files need it.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const BIN = path.join(REPO, 'bin', 'tsstack.js');
const BUNDLE = path.join(REPO, 'bundle', 'main.js');

/** Variables of the test's own environment that would change what the CLI loads. */
const STACK_VARIABLES = [
  'COMPOSE_FILE',
  'COMPOSE_PROJECT_NAME',
  'TSSTACK_PROJECT_NAME',
  'COMPOSE_PROFILES',
  'TSSTACK_PROFILES',
  'TSSTACK_FILE',
];

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI in `cwd` as a user would (in the test's environment, stack variables removed). */
export function tsstack(
  cwd: string,
  args: string[],
  input?: string,
  environment: NodeJS.ProcessEnv = process.env,
): CliResult {
  const env = { ...environment };
  for (const k of STACK_VARIABLES) delete env[k];
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd,
    input,
    encoding: 'utf8',
    env,
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * Builds the CLI unless bundle/ is newer than every source it is made from. Test files run in parallel, and a
 * build empties bundle/ first, so a lock folder makes the others wait instead of building over each other.
 */
export async function ensureBuilt(): Promise<void> {
  const lock = path.join(
    tmpdir(),
    `tsstack-build-${createHash('sha256').update(REPO).digest('hex').slice(0, 12)}`,
  );
  for (;;) {
    if (isFresh()) return;
    try {
      mkdirSync(lock);
    } catch {
      // Another file is building; a lock left by a killed run is taken over after five minutes.
      const since = statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now();
      if (Date.now() - since > 300_000) rmSync(lock, { force: true, recursive: true });
      await new Promise((resolve) => setTimeout(resolve, 500));
      continue;
    }
    try {
      if (!isFresh()) execFileSync('npm', ['run', 'build'], { cwd: REPO, stdio: 'pipe' });
    } finally {
      rmSync(lock, { force: true, recursive: true });
    }
  }
}

function isFresh(): boolean {
  const built = statSync(BUNDLE, { throwIfNoEntry: false })?.mtimeMs;
  if (built === undefined) return false;
  const sources = [path.join(REPO, 'package.json'), path.join(REPO, 'scripts', 'bundle.mjs')];
  return newest(path.join(REPO, 'src'), sources) <= built;
}

function newest(dir: string, extra: string[]): number {
  let max = Math.max(...extra.map((f) => statSync(f).mtimeMs));
  for (const name of readdirSync(dir, { recursive: true, encoding: 'utf8' }))
    max = Math.max(max, statSync(path.join(dir, name)).mtimeMs);
  return max;
}
