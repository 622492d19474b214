import { readFileSync } from 'node:fs';
import type { PathSegment } from '../types.js';
import { describe, isRecord, type NormalizeContext } from './context.js';
import { parseDotenv } from '../dotenv.js';

type Env = Record<string, string | null>;

/**
 * `env_file` (string, list, or long form `{path, required, format}`) read in order, then `environment`
 * (list or map) on top: values from `environment` win. A bare `KEY` takes its value from the project's variables
 * (process environment over `.env`), or stays unset (null) as in Compose.
 */
export function normalizeEnvironment(
  ctx: NormalizeContext,
  service: Record<string, unknown>,
  path: PathSegment[],
): Env {
  const fromShell = (key: string): string | null => ctx.raw.env[key] ?? null;
  const out: Env = {};
  for (const file of envFileEntries(ctx, service.env_file, [...path, 'env_file'])) {
    Object.assign(out, readEnvFile(ctx, file, fromShell));
  }
  Object.assign(out, ctx.keyValues<string | null>(service.environment, [...path, 'environment'], fromShell));
  return out;
}

interface EnvFileEntry {
  path: string;
  required: boolean;
  format?: string;
  at: PathSegment[];
}

function envFileEntries(ctx: NormalizeContext, value: unknown, path: PathSegment[]): EnvFileEntry[] {
  if (value === undefined || value === null) return [];
  const items = Array.isArray(value) ? value : [value];
  const out: EnvFileEntry[] = [];
  items.forEach((item, i) => {
    const at = Array.isArray(value) ? [...path, i] : path;
    if (typeof item === 'string') out.push({ path: item, required: true, at });
    else if (isRecord(item)) {
      const p = ctx.str(item.path, [...at, 'path']);
      if (p === undefined) return ctx.problem(at, 'an env_file entry needs a path');
      const format = ctx.str(item.format, [...at, 'format']);
      out.push({
        path: p,
        required: ctx.bool(item.required, [...at, 'required']) ?? true,
        ...(format !== undefined ? { format } : {}),
        at,
      });
    } else ctx.problem(at, `expected a file path or {path, required}, got ${describe(item)}`);
  });
  return out;
}

function readEnvFile(
  ctx: NormalizeContext,
  entry: EnvFileEntry,
  fromShell: (k: string) => string | null,
): Env {
  const file = ctx.absPath(entry.path);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && !entry.required) return {};
    ctx.problem(
      entry.at,
      code === 'ENOENT' ? `env file ${file} not found` : `cannot read env file ${file} (${code})`,
    );
    return {};
  }
  if (entry.format === 'raw') return parseRawEnv(text);
  // Compose interpolates env_file values from the project's variables; a bare KEY takes its value from them.
  const parsed = parseDotenv(text, file, (name) => fromShell(name) ?? undefined);
  for (const p of parsed.problems) ctx.problems.push({ ...p, path: entry.at });
  return parsed.vars;
}

// `format: raw` keeps values verbatim: no quotes removed, no interpolation.
function parseRawEnv(text: string): Env {
  const out: Env = {};
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === '' || line.trimStart().startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq > 0) out[line.slice(0, eq).trim()] = line.slice(eq + 1);
  }
  return out;
}
