/**
 * BuildKit builds through the buildx CLI plugin (`docker-buildx`, run standalone: no docker CLI needed),
 * with the engine's own BuildKit (buildx's `docker` driver, the default builder), as Compose v2 builds.
 * buildx carries the BuildKit session: the context and Dockerfile sync, secrets, ssh forwarding and the
 * registry credentials of the Docker config for `FROM` images. Images land in the engine's store.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { basename, delimiter, join, resolve } from 'node:path';
import { EngineError } from '../core/errors.js';
import { BuildxProgress } from './buildx-progress.js';
import { LineSplitter } from './demux.js';
import type { BuildRequest, ProgressEvent } from './types.js';

type Env = Record<string, string | undefined>;

/** Where the Docker CLI looks for plugins, in its order, then PATH. */
export function buildxCandidates(env: Env): string[] {
  const configDir = env.DOCKER_CONFIG || join(env.HOME || homedir(), '.docker');
  const dirs = [
    join(configDir, 'cli-plugins'),
    '/usr/local/lib/docker/cli-plugins',
    '/usr/local/libexec/docker/cli-plugins',
    '/usr/lib/docker/cli-plugins',
    '/usr/libexec/docker/cli-plugins',
  ];
  const path = (env.PATH ?? '').split(delimiter).filter(Boolean);
  return [...dirs.map((d) => join(d, 'docker-buildx')), ...path.map((d) => join(d, 'docker-buildx'))];
}

/** The buildx plugin's path (`TSSTACK_BUILDX` first), or undefined when none is installed. */
export function findBuildx(env: Env): string | undefined {
  const candidates = env.TSSTACK_BUILDX ? [env.TSSTACK_BUILDX] : buildxCandidates(env);
  for (const c of candidates) {
    try {
      accessSync(c, constants.X_OK);
      return c;
    } catch {
      // Not there: the next one.
    }
  }
  return undefined;
}

/** The `buildx build` arguments for a request (the context path last; `-f -` when the Dockerfile is inline). */
export function buildxArgs(req: BuildRequest, iidfile: string): string[] {
  const a = ['build', '--progress=rawjson', '--iidfile', iidfile];
  // The default builder on a Docker Engine (the docker driver) loads into the engine's store by itself;
  // --load makes a docker-container builder chosen with BUILDX_BUILDER do the same.
  a.push('--load');
  if (req.dockerfileInline !== undefined) a.push('-f', '-');
  else if (req.dockerfile) a.push('-f', resolve(req.context, req.dockerfile));
  for (const t of req.tags) a.push('-t', t);
  for (const [k, v] of Object.entries(req.args)) a.push('--build-arg', `${k}=${v}`);
  for (const [k, v] of Object.entries(req.labels)) a.push('--label', `${k}=${v}`);
  if (req.target) a.push('--target', req.target);
  if (req.noCache) a.push('--no-cache');
  if (req.pull) a.push('--pull');
  if (req.network) a.push('--network', req.network);
  for (const h of req.extraHosts ?? []) a.push('--add-host', h);
  if (req.shmSize) a.push('--shm-size', String(req.shmSize));
  for (const [name, u] of Object.entries(req.ulimits ?? {}))
    a.push('--ulimit', `${name}=${u.soft}:${u.hard}`);
  for (const s of req.secrets ?? [])
    a.push('--secret', s.file ? `id=${s.id},src=${s.file}` : `id=${s.id},env=${s.env ?? s.id}`);
  for (const s of req.ssh ?? []) a.push('--ssh', s);
  for (const [name, where] of Object.entries(req.additionalContexts ?? {}))
    a.push('--build-context', `${name}=${where}`);
  for (const c of req.cacheFrom ?? []) a.push('--cache-from', c);
  for (const c of req.cacheTo ?? []) a.push('--cache-to', c);
  if (req.platforms?.length) a.push('--platform', req.platforms.join(','));
  for (const e of req.entitlements ?? []) a.push('--allow', e);
  a.push(req.context);
  return a;
}

/** The frontend image a Dockerfile's `# syntax=` directive names (only leading comment lines count). */
export function syntaxDirective(dockerfile: string): string | undefined {
  for (const line of dockerfile.split(/\r?\n/)) {
    const t = line.trim();
    if (t === '') continue;
    if (!t.startsWith('#')) return undefined;
    const m = t.match(/^#\s*syntax\s*=\s*(\S+)/i);
    if (m) return m[1];
  }
  return undefined;
}

/** BuildKit's words, plus what a user can do about the two failures that offline machines meet. */
export function explainFailure(words: string, dockerfile: string | undefined): string {
  const syntax = dockerfile ? syntaxDirective(dockerfile) : undefined;
  const short = syntax?.replace(/^docker\.io\//, '');
  if (syntax && short && (words.includes(short) || /gateway\.v0|resolve image config/.test(words)))
    return (
      `the Dockerfile's "# syntax=${syntax}" line names a BuildKit frontend image this machine cannot pull ` +
      `(${syntax}): ${words}\nRemove the line to build with the engine's built-in Dockerfile frontend, or make ` +
      `${syntax} available to the engine (pull or load it).`
    );
  if (dockerfile && /<<-?\s*["']?\w+/.test(dockerfile) && /unknown instruction/i.test(words))
    return (
      `${words}\nThe Dockerfile uses a heredoc (RUN <<EOF): that needs the Dockerfile frontend 1.4 or newer, ` +
      `which this engine's built-in BuildKit does not have (Docker Engine 23 and newer have it built in).`
    );
  return words;
}

/**
 * Older BuildKit (Docker 20.10's) names the failed step but not its Dockerfile line: find the line that
 * holds the step's instruction, to quote it as newer BuildKit does (`Dockerfile:3` and the line).
 */
export function locateStep(
  step: string | undefined,
  dockerfile: string | undefined,
  name: string,
): string | undefined {
  if (!step || !dockerfile) return undefined;
  const instruction = step.replace(/^\[[^\]]*\]\s*/, '').trim();
  if (!instruction) return undefined;
  const lines = dockerfile.split(/\r?\n/);
  const i = lines.findIndex(
    (l) => l.trim() === instruction || (instruction.length > 8 && l.trim().startsWith(instruction)),
  );
  return i < 0 ? undefined : `${name}:${i + 1}\n >>> ${lines[i]?.trim()}`;
}

/** The Dockerfile's text, for diagnostics; undefined when it cannot be read. */
export function dockerfileText(req: BuildRequest): string | undefined {
  if (req.dockerfileInline !== undefined) return req.dockerfileInline;
  try {
    return readFileSync(resolve(req.context, req.dockerfile ?? 'Dockerfile'), 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * Runs buildx with `args`, feeding each line it writes to stderr (its progress) to `onLine`; resolves with
 * its exit code. `stdin`: what to write to its standard input (a Dockerfile given as `-f -`), else none.
 */
export async function runBuildx(
  bin: string,
  args: string[],
  env: Env,
  o: { stdin?: string; signal?: AbortSignal; onLine: (line: string) => void },
): Promise<number> {
  const code = await new Promise<number>((resolveRun, reject) => {
    const child = spawn(bin, args, {
      env: env as NodeJS.ProcessEnv,
      stdio: [o.stdin === undefined ? 'ignore' : 'pipe', 'ignore', 'pipe'],
      signal: o.signal,
    });
    const lines = new LineSplitter();
    child.stderr?.on('data', (chunk: Buffer) => {
      for (const l of lines.push(chunk)) o.onLine(l);
    });
    child.on('error', (err: NodeJS.ErrnoException) => {
      if (err.name === 'AbortError') reject(new EngineError('cancelled'));
      else reject(new EngineError(`cannot run ${bin}: ${err.message}`));
    });
    child.on('close', (c) => {
      for (const l of lines.flush()) o.onLine(l);
      resolveRun(c ?? -1);
    });
    if (o.stdin !== undefined) {
      child.stdin?.on('error', () => {});
      child.stdin?.end(o.stdin);
    }
  });
  if (o.signal?.aborted) throw new EngineError('cancelled');
  return code;
}

/** BuildKit's words for a failed build, with the Dockerfile line it failed on (`prefix`: a bake target's). */
export function buildFailure(progress: BuildxProgress, req: BuildRequest, prefix?: RegExp): string {
  const text = dockerfileText(req);
  let words = prefix ? progress.failure().replace(prefix, '') : progress.failure();
  // Newer BuildKit prints `Dockerfile:3` and a code frame itself.
  if (!/^\S+:\d+$/m.test(words)) {
    const where = locateStep(progress.failedStep(), text, basename(req.dockerfile ?? 'Dockerfile'));
    if (where) words = `${words}\n${where}`;
  }
  return explainFailure(words, text);
}

/**
 * Runs one build; resolves with the image ID. `env` is the environment buildx runs in: the engine's
 * address (DOCKER_HOST), the Docker config for credentials, and the variables that secrets name.
 */
export async function buildWithBuildx(
  bin: string,
  env: Env,
  req: BuildRequest,
  onProgress?: (p: ProgressEvent) => void,
  signal?: AbortSignal,
): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'tsstack-build-'));
  const iidfile = join(dir, 'iid');
  try {
    const progress = new BuildxProgress();
    const code = await runBuildx(bin, buildxArgs(req, iidfile), env, {
      stdin: req.dockerfileInline ?? '',
      signal,
      onLine: (l) => {
        for (const p of progress.line(l)) onProgress?.(p);
      },
    });
    if (code !== 0) throw new EngineError(buildFailure(progress, req));
    const id = (await readFile(iidfile, 'utf8').catch(() => '')).trim();
    if (!id) throw new EngineError('buildx finished without writing the image ID');
    return id;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
