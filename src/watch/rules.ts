import { readFileSync } from 'node:fs';
import path from 'node:path';
import ignore from 'ignore';
import picomatch from 'picomatch';
import { dockerignoreMatcher, type DockerignoreMatcher } from '../runtime/build-context.js';
import type { ProcessSpec, ServiceSpec, WatchRule } from '../spec/types.js';

/** One compiled `develop.watch` rule: decides whether a changed host path triggers it. */
export interface RuleMatcher {
  service: string;
  rule: WatchRule;
  /** True when a change at `absPath` (a folder when `isDir`) should trigger this rule. */
  matches(absPath: string, isDir?: boolean): boolean;
  /** True when nothing under the folder `absPath` can ever match, so the watcher may skip it. */
  prunes(absDir: string): boolean;
}

/**
 * Editor and tool temp files that never trigger anything (the same set Compose and Tilt treat as ephemeral):
 * Emacs `.#x` and `#x#`, Vim `.x.swp`/`.x.swx`/`x~` and its `4913` probe, JetBrains safe-write files, `*.tmp`.
 */
const EDITOR_TEMP = picomatch(
  [
    '*~',
    '.*.swp',
    '.*.swx',
    '.*.swo',
    '.#*',
    '#*#',
    '4913',
    '*.tmp',
    '*___jb_tmp___',
    '*___jb_old___',
    '.DS_Store',
  ],
  { dot: true },
);

/** Relative path of `p` inside `root` in POSIX form ('' when equal), or undefined when outside. */
export function relativeInside(root: string, p: string): string | undefined {
  const rel = path.relative(root, p);
  if (rel === '') return '';
  if (rel.startsWith('..') || path.isAbsolute(rel)) return undefined;
  return rel.split(path.sep).join('/');
}

/** True for changes no rule should ever see: editor temp files, `.git/`, and `node_modules/` unless allowed. */
export function isBuiltinIgnored(rel: string, allowNodeModules: boolean): boolean {
  if (rel === '') return false;
  const segments = rel.split('/');
  if (segments.includes('.git')) return true;
  if (!allowNodeModules && segments.includes('node_modules')) return true;
  return EDITOR_TEMP(segments[segments.length - 1] ?? '');
}

/** Reads a file's text, or undefined when it does not exist. */
export type ReadText = (file: string) => string | undefined;

const readTextSync: ReadText = (file) => {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
};

interface DockerignoreScope {
  context: string;
  matcher: DockerignoreMatcher;
  /** Files the build always needs, even when `.dockerignore` lists them. */
  keep: Set<string>;
}

function dockerignoreScope(service: ServiceSpec, read: ReadText): DockerignoreScope | undefined {
  const build = service.build;
  if (!build || /^[a-z]+:\/\//i.test(build.context) || !path.isAbsolute(build.context)) return undefined;
  const dockerfileAbs = path.resolve(build.context, build.dockerfile ?? 'Dockerfile');
  // The same file and rules the build uses (src/runtime/build-context.ts): a change triggers exactly when
  // the changed file is part of what the engine receives.
  const text = read(path.join(build.context, '.dockerignore'));
  if (text === undefined) return undefined;
  const keep = new Set(['.dockerignore', relativeInside(build.context, dockerfileAbs) ?? '']);
  return { context: build.context, matcher: dockerignoreMatcher(text), keep };
}

/** `include` globs: a pattern without a slash matches the file name at any depth (as in .gitignore). */
function includeMatcher(patterns: string[]): (rel: string) => boolean {
  const byName = patterns.filter((p) => !p.includes('/'));
  const byPath = patterns.filter((p) => p.includes('/')).map((p) => p.replace(/^\/+/, ''));
  const name = byName.length > 0 ? picomatch(byName, { dot: true }) : () => false;
  const full = byPath.length > 0 ? picomatch(byPath, { dot: true }) : () => false;
  return (rel) => full(rel) || name(path.posix.basename(rel));
}

/** Compiles one rule; `dockerignore` applies to paths inside the service's build context. */
export function compileRule(service: string, rule: WatchRule, dockerignore?: DockerignoreScope): RuleMatcher {
  const ruleIgnore = rule.ignore.length > 0 ? ignore().add(rule.ignore) : undefined;
  const includes = rule.include?.filter((p) => p.length > 0) ?? [];
  const include = includes.length > 0 ? includeMatcher(includes) : undefined;
  const allowNodeModules = includes.some((p) => p.includes('node_modules'));

  const dockerIgnored = (absPath: string, isDir: boolean): boolean => {
    if (!dockerignore) return false;
    const rel = relativeInside(dockerignore.context, absPath);
    if (rel === undefined || rel === '' || dockerignore.keep.has(rel)) return false;
    // An excluded folder may hold an exception (`!dir/keep`): only its files decide.
    if (isDir && dockerignore.matcher.hasExceptions) return false;
    return dockerignore.matcher.ignores(isDir ? `${rel}/` : rel);
  };

  return {
    service,
    rule,
    matches(absPath, isDir = false) {
      const rel = relativeInside(rule.path, absPath);
      if (rel === undefined) return false;
      if (isBuiltinIgnored(rel, allowNodeModules)) return false;
      if (rel !== '' && ruleIgnore?.ignores(isDir ? `${rel}/` : rel)) return false;
      if (dockerIgnored(absPath, isDir)) return false;
      // Folders pass `include` (their files are checked one by one); files must match it.
      if (include && rel !== '' && !isDir && !include(rel)) return false;
      return true;
    },
    prunes(absDir) {
      // Never prune a folder that holds the rule's own path.
      if (relativeInside(absDir, rule.path) !== undefined) return false;
      const rel = relativeInside(rule.path, absDir);
      if (rel === undefined) return true;
      if (isBuiltinIgnored(rel, allowNodeModules) && !EDITOR_TEMP(path.basename(absDir))) return true;
      if (ruleIgnore?.ignores(`${rel}/`)) return true;
      return dockerIgnored(absDir, true);
    },
  };
}

/** Compiles every `develop.watch` rule of a service, reading its build context's `.dockerignore`. */
export function compileServiceRules(service: ServiceSpec, read: ReadText = readTextSync): RuleMatcher[] {
  const rules = service.develop?.watch ?? [];
  if (rules.length === 0) return [];
  const scope = dockerignoreScope(service, read);
  return rules.map((rule) => compileRule(service.name, rule, scope));
}

/** Compiles the `develop.watch` rules of a host process (`restart` and `rebuild`; no image, no .dockerignore). */
export function compileProcessRules(p: ProcessSpec): RuleMatcher[] {
  return (p.develop?.watch ?? []).map((rule) => compileRule(p.name, rule));
}

/** The rules of all services that match a changed path. */
export function matchingRules(rules: RuleMatcher[], absPath: string, isDir = false): RuleMatcher[] {
  return rules.filter((r) => r.matches(absPath, isDir));
}

/** True when the watcher may skip the folder: no rule can match anything under it. */
export function prunable(rules: RuleMatcher[], absDir: string): boolean {
  return rules.every((r) => r.prunes(absDir));
}
