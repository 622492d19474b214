/**
 * The build context as the engine wants it: a tar of the context folder without what `.dockerignore`
 * excludes. The Dockerfile and `.dockerignore` are always sent; an inline Dockerfile or one outside the
 * context is added under a generated name.
 */
import { lstatSync, readFileSync } from 'node:fs';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import ignore, { type Ignore } from 'ignore';
import { pack } from 'tar-fs';
import type { Pack } from 'tar-stream';

export interface BuildContextRequest {
  context: string;
  dockerfile?: string;
  dockerfileInline?: string;
}

export interface BuildContext {
  tar: NodeJS.ReadableStream;
  /** The Dockerfile's path inside the tar, for the engine's `dockerfile` parameter. */
  dockerfile: string;
}

const GENERATED_DOCKERFILE = '.tsstack.Dockerfile';

/** A parsed `.dockerignore`: whether a context path is excluded, and whether any `!` exception exists. */
export interface DockerignoreMatcher {
  ignores(rel: string): boolean;
  hasExceptions: boolean;
}

/**
 * Parses `.dockerignore` with Docker's rules, which differ from `.gitignore`: every pattern is anchored at
 * the context root (`foo` does not match `sub/foo`), a pattern matches a path or any of its parents, and the
 * last matching pattern wins, so `!dir/keep` re-includes a file under an excluded `dir`. Each pattern is
 * one `ignore` matcher, applied in order.
 */
export function dockerignoreMatcher(text: string): DockerignoreMatcher {
  const rules: { negated: boolean; ig: Ignore }[] = [];
  for (const rawLine of text.split(/\r?\n/)) {
    let line = rawLine.trim();
    if (!line || line.startsWith('#')) continue;
    const negated = line.startsWith('!');
    if (negated) line = line.slice(1).trim();
    line = line.replace(/^(\.\/)+/, '').replace(/^\/+/, '');
    if (!line || line === '.') continue;
    rules.push({ negated, ig: ignore().add(`/${line}`) });
  }
  return {
    hasExceptions: rules.some((r) => r.negated),
    ignores(rel: string): boolean {
      let excluded = false;
      for (const r of rules) if (r.ig.ignores(rel)) excluded = !r.negated;
      return excluded;
    },
  };
}

/** Which context paths the engine will receive: a predicate over paths relative to the context. */
export function contextFilter(
  contextDir: string,
  dockerfileRel: string | undefined,
): (rel: string, isDir: boolean) => boolean {
  let text = '';
  try {
    text = readFileSync(resolve(contextDir, '.dockerignore'), 'utf8');
  } catch {
    return () => true;
  }
  const { ignores, hasExceptions } = dockerignoreMatcher(text);
  const always = new Set(['.dockerignore', ...(dockerfileRel ? [dockerfileRel] : [])]);
  return (rel, isDir) => {
    if (always.has(rel)) return true;
    if (isDir) {
      // An excluded folder may still hold an exception (`!dir/keep`): walk it and filter its files instead.
      if (hasExceptions) return true;
      return !ignores(`${rel}/`);
    }
    return !ignores(rel);
  };
}

/** Packs the context; the returned tar streams as the engine reads it. */
export function buildContextTar(req: BuildContextRequest): BuildContext {
  const contextDir = resolve(req.context);
  let dockerfile = 'Dockerfile';
  let extra: Buffer | undefined;
  if (req.dockerfileInline !== undefined) {
    dockerfile = GENERATED_DOCKERFILE;
    extra = Buffer.from(req.dockerfileInline);
  } else if (req.dockerfile) {
    const abs = resolve(contextDir, req.dockerfile);
    const rel = relative(contextDir, abs);
    if (rel.startsWith('..') || isAbsolute(rel)) {
      dockerfile = GENERATED_DOCKERFILE;
      extra = readFileSync(abs);
    } else {
      dockerfile = rel.split(sep).join('/');
    }
  }
  const keep = contextFilter(contextDir, extra ? undefined : dockerfile);
  const tar = pack(contextDir, {
    ignore: (name: string) => {
      const rel = relative(contextDir, name).split(sep).join('/');
      let isDir = false;
      try {
        isDir = lstatSync(name).isDirectory();
      } catch {
        // Vanished while packing: let tar-fs skip it.
      }
      return !keep(rel, isDir);
    },
    finalize: extra === undefined,
    finish: (p: Pack) => {
      if (extra === undefined) return;
      p.entry({ name: dockerfile, mode: 0o644, mtime: new Date(0) }, extra);
      p.finalize();
    },
  });
  return { tar: tar as unknown as NodeJS.ReadableStream, dockerfile };
}
