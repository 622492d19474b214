// Public entry of the spec layer: files → a typed, normalized Stack, or one SpecError with every problem.
import { checkStack } from './check.js';
import { SpecError, formatPath, type SpecProblem } from './errors.js';
import { codeFrame } from './frame.js';
import { loadRawProject } from './load.js';
import { normalizeProject } from './normalize/index.js';
import { withoutUnusedResources } from './normalize/unused.js';
import { resolveProjectName } from './project-name.js';
import type { RawProject } from './raw.js';
import type { Stack, SpecWarning, Target } from './types.js';
import { validateSchema } from './validate.js';
import type { LoadOptions } from './options.js';
import { compareText } from '../core/compare.js';

export type { LoadOptions } from './options.js';

export interface LoadedStack {
  stack: Stack;
  warnings: SpecWarning[];
  /** The merged document before normalization (absent for the empty stack of `allowMissing`). */
  raw?: RawProject;
  /**
   * The volumes the file declares, used or not (`stack.volumes` keeps only the used ones): `run -v NAME:...`
   * of a declared volume mounts the project's volume.
   */
  declaredVolumes?: Stack['volumes'];
}

/** Problems beyond this many are listed without a code frame. */
const FRAMED_PROBLEMS = 10;

/** Loads, interpolates, merges, validates, normalizes and checks the stack files; throws SpecError (exit 2). */
export async function loadStack(options: LoadOptions): Promise<LoadedStack> {
  const loaded = await loadRawProject(options);
  const problems = [...loaded.problems];
  const warnings = [...loaded.warnings];
  const fail = () => new SpecError(present(problems, loaded.sourceText));
  if (loaded.missing) return { stack: emptyStack(options), warnings };
  const raw = loaded.raw;
  if (!raw || problems.some((p) => p.path.length === 0 && !p.location)) throw fail();
  const target = options.target ?? 'local';

  const schema = validateSchema(raw, target);
  warnings.push(...schema.warnings);
  problems.push(...withoutShadowed(schema.problems, problems));
  if (problems.length > 0) {
    // Still look for what only normalizing and checking can find, so that one run reports everything.
    problems.push(...withoutShadowed(bestEffortChecks(raw, target), problems));
    throw fail();
  }

  const normalized = normalizeProject(raw);
  problems.push(...normalized.problems);
  warnings.push(...normalized.warnings);
  if (options.consistency !== false)
    problems.push(...withoutShadowed(checkStack(normalized.stack, raw, { target }), normalized.problems));
  if (problems.length > 0) throw fail();
  // Checked as declared; what no enabled service uses is then left out of the stack, as in Compose's model.
  return {
    stack: withoutUnusedResources(normalized.stack, raw),
    warnings: dedupeWarnings(warnings),
    raw,
    declaredVolumes: normalized.stack.volumes,
  };
}

/**
 * The merged document before validation and normalization (`config --no-interpolate`, `--variables`):
 * files read, `include` and `extends` resolved; throws SpecError (exit 2) when they cannot be read.
 */
export async function loadRawStack(options: LoadOptions): Promise<RawProject> {
  const loaded = await loadRawProject(options);
  if (!loaded.raw || loaded.problems.length > 0)
    throw new SpecError(present(loaded.problems, loaded.sourceText));
  return loaded.raw;
}

/** Normalize and check a document already known to be invalid; whatever they cannot handle is left out. */
function bestEffortChecks(raw: RawProject, target: Target): SpecProblem[] {
  try {
    const normalized = normalizeProject(raw);
    return [...normalized.problems, ...checkStack(normalized.stack, raw, { target })];
  } catch {
    return [];
  }
}

/** A schema complaint about a value that already failed to interpolate says nothing new. */
function withoutShadowed(found: SpecProblem[], earlier: SpecProblem[]): SpecProblem[] {
  const bad = earlier.map((p) => formatPath(p.path)).filter((p) => p !== '');
  return found.filter((p) => {
    const at = formatPath(p.path);
    return !bad.some((b) => at === b || at.startsWith(`${b}.`) || at.startsWith(`${b}[`));
  });
}

/** Sorted by file and position, duplicates dropped, code frames added to the first few. */
function present(problems: SpecProblem[], sourceText: (file: string) => string | undefined): SpecProblem[] {
  const seen = new Set<string>();
  const unique = problems.filter((p) => {
    const key = `${p.location?.file}:${p.location?.line}:${p.location?.col} ${formatPath(p.path)} ${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  const order = (p: SpecProblem) => (p.location ? 1 : 0);
  const sorted = [...unique].sort(
    (a, b) =>
      order(a) - order(b) ||
      compareText(a.location?.file ?? '', b.location?.file ?? '') ||
      (a.location?.line ?? 0) - (b.location?.line ?? 0) ||
      (a.location?.col ?? 0) - (b.location?.col ?? 0),
  );
  return sorted.map((p, i) => {
    if (p.frame || !p.location || i >= FRAMED_PROBLEMS) return p;
    const text = sourceText(p.location.file);
    const frame = text === undefined ? undefined : codeFrame(text, p.location);
    return frame ? { ...p, frame } : p;
  });
}

function dedupeWarnings(warnings: SpecWarning[]): SpecWarning[] {
  const seen = new Set<string>();
  return warnings.filter((w) => {
    const key = `${w.location?.file}:${w.location?.line}:${w.location?.col} ${w.path} ${w.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** `ps -p x` / `down -p x` without a stack file: the project exists only by its name. */
function emptyStack(options: LoadOptions): Stack {
  const named = resolveProjectName({ flag: options.projectName, env: {}, projectDir: options.cwd });
  if (!named.ok) throw new SpecError([{ path: [], message: named.message }]);
  return {
    name: named.name,
    projectDir: options.cwd,
    files: [],
    profiles: options.profiles,
    services: {},
    processes: {},
    networks: {},
    volumes: {},
    secrets: {},
    configs: {},
    extensions: {},
  };
}
