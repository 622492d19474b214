import { statSync } from 'node:fs';
import path from 'node:path';
import { parseDotenv } from './dotenv.js';
import type { SpecProblem } from './errors.js';
import { lookupIn } from './interpolate.js';

export interface EnvFileSource {
  /** Reads a file (reporting why when it cannot); undefined when unreadable. */
  read(file: string): string | undefined;
  /** The name errors show for a file. */
  display(file: string): string;
}

/**
 * Variables for interpolation: the process environment over the env files (`--env-file` in order, else
 * `.env` in the project folder when it exists). A missing `--env-file` is reported by `read`.
 */
export function projectEnv(
  processEnv: Record<string, string>,
  projectDir: string,
  envFiles: string[] | undefined,
  source: EnvFileSource,
  problems: SpecProblem[],
): Record<string, string> {
  const explicit = !!envFiles && envFiles.length > 0;
  const files = explicit ? envFiles : [path.join(projectDir, '.env')];
  let vars: Record<string, string> = {};
  const fromProcess = lookupIn(processEnv);
  for (const file of files) {
    if (!explicit && !isFile(file)) continue;
    const text = source.read(file);
    if (text === undefined) continue;
    const earlier = lookupIn(vars);
    const parsed = parseDotenv(text, source.display(file), (name) => fromProcess(name) ?? earlier(name));
    problems.push(...parsed.problems);
    // Spread, not Object.assign: a variable named __proto__ stays a plain key.
    vars = { ...vars, ...parsed.vars };
  }
  return variables(vars, processEnv);
}

/**
 * A variable table without a prototype, so that code reading `env[name]` anywhere never finds
 * `constructor` or `toString` for a variable nobody set. Later tables win.
 */
export function variables(...tables: Record<string, string>[]): Record<string, string> {
  return Object.assign(Object.create(null) as Record<string, string>, ...tables);
}

/** `--profile` values, else TSSTACK_PROFILES / COMPOSE_PROFILES (comma-separated), without repeats. */
export function enabledProfiles(cli: string[], env: Record<string, string>): string[] {
  if (cli.length > 0) return [...new Set(cli)];
  const fromEnv = env.TSSTACK_PROFILES ?? env.COMPOSE_PROFILES ?? '';
  return [
    ...new Set(
      fromEnv
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    ),
  ];
}

/** The process environment without unset entries. */
export function definedOnly(env: Record<string, string | undefined>): Record<string, string> {
  const out = variables();
  for (const [k, v] of Object.entries(env)) if (v !== undefined) out[k] = v;
  return out;
}

export function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}
