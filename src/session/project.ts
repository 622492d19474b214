import type { Runtime } from '../runtime/types.js';
import { loadStack, type LoadOptions, type LoadedStack } from '../spec/index.js';
import type { Target } from '../spec/types.js';

/** Which project a session works on: the global options every command sees (they come before the command). */
export interface GlobalOptions {
  file: string[];
  projectName?: string;
  projectDirectory?: string;
  envFile: string[];
  profile: string[];
  debug?: boolean;
  /** false with --no-lock-wait */
  lockWait?: boolean;
  /** `--dry-run`: print what would change and change nothing. */
  dryRun?: boolean;
  /** `--compatibility`: containers named `<project>_<service>_<n>`, as Compose v1 named them. */
  compatibility?: boolean;
  /** `--all-resources`: create every declared network and volume, whether a service uses it or not. */
  allResources?: boolean;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** What the spec layer is asked to skip (`config --no-interpolate`, `--no-path-resolution`, `--no-consistency`). */
export type SpecSwitches = Pick<LoadOptions, 'interpolate' | 'resolvePaths' | 'consistency'>;

/** The spec layer's load options for the global options. */
export function specOptions(
  g: GlobalOptions,
  opts: { allowMissing?: boolean; target?: Target } & SpecSwitches = {},
): LoadOptions {
  return {
    files: g.file,
    cwd: process.cwd(),
    projectName: g.projectName,
    projectDirectory: g.projectDirectory,
    envFiles: g.envFile,
    profiles: g.profile,
    env: process.env,
    readStdin,
    ...opts,
  };
}

/**
 * Loads the stack named by the global options and checks it for `target` (default local: checks that hold
 * on one engine only, such as fixed host ports of replicated services, are skipped for Swarm); prints
 * spec warnings to stderr.
 */
export async function loadProject(
  g: GlobalOptions,
  opts: { allowMissing?: boolean; target?: Target; spec?: SpecSwitches } = {},
): Promise<LoadedStack> {
  const loaded = await loadStack(
    specOptions(g, { allowMissing: opts.allowMissing, target: opts.target, ...opts.spec }),
  );
  if (g.compatibility) loaded.stack.nameSeparator = '_';
  for (const w of loaded.warnings) {
    const where = w.location ? `${w.location.file}:${w.location.line}:${w.location.col} ` : '';
    process.stderr.write(`warning: ${where}${w.path}: ${w.message}\n`);
  }
  return loaded;
}

/** Connects to the engine from the environment (DOCKER_HOST or the default socket). */
export async function runtimeFromEnv(signal?: AbortSignal): Promise<Runtime> {
  // Loaded on first use: dockerode and its protocol buffers are not needed by `config` or `export`.
  const { connectRuntime } = await import('../runtime/index.js');
  return connectRuntime({ env: process.env, signal });
}

/**
 * loadProject and runtimeFromEnv, the engine's answer to the connect (one GET /_ping) arriving while the
 * stack files are read: on a busy machine every wait for the engine is a trip through the run queue, and
 * this takes one off every command. Errors in the stack file, and those `check` throws (the command's own
 * checks of it), still come first (exit 2), and then the connect is abandoned.
 */
export async function loadProjectAndConnect<T = LoadedStack>(
  g: GlobalOptions,
  opts: { allowMissing?: boolean; target?: Target; check?: (loaded: LoadedStack) => T } = {},
): Promise<{ loaded: T; runtime: Runtime }> {
  const abandon = new AbortController();
  const connecting = runtimeFromEnv(abandon.signal);
  // Awaited below, after the stack file's own errors; until then a failure must not go unhandled.
  connecting.catch(() => undefined);
  // One turn of the event loop sends the ping before reading the files keeps the thread busy.
  await new Promise((resolve) => setImmediate(resolve));
  let loaded: T;
  try {
    const project = await loadProject(g, opts);
    loaded = opts.check ? opts.check(project) : (project as T);
  } catch (err) {
    abandon.abort();
    throw err;
  }
  return { loaded, runtime: await connecting };
}
