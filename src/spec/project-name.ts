import path from 'node:path';
import type { SourceLocation } from './types.js';

const VALID = /^[a-z0-9][a-z0-9_-]*$/;

/** Compose's rule for a folder name: lowercase, keep only [a-z0-9_-], drop leading `_` and `-`. */
export function normalizeProjectName(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9_-]/g, '')
    .replace(/^[_-]+/, '');
}

export function isValidProjectName(name: string): boolean {
  return VALID.test(name);
}

export interface ProjectNameSources {
  /** `-p` */
  flag?: string;
  /** Variables (process environment over .env). */
  env: Record<string, string | undefined>;
  /** Top-level `name:` of the merged document, with where it is written. */
  topLevel?: { value: string; location?: SourceLocation };
  projectDir: string;
}

export type ProjectNameResult =
  { ok: true; name: string } | { ok: false; message: string; location?: SourceLocation; source: string };

/**
 * `-p`, then TSSTACK_PROJECT_NAME, COMPOSE_PROJECT_NAME, top-level `name:`, else the project folder's name.
 * A name given explicitly must already be valid; only the folder name is normalized.
 */
export function resolveProjectName(src: ProjectNameSources): ProjectNameResult {
  const explicit: [string, string | undefined, SourceLocation | undefined][] = [
    ['-p', src.flag, undefined],
    ['TSSTACK_PROJECT_NAME', src.env.TSSTACK_PROJECT_NAME, undefined],
    ['COMPOSE_PROJECT_NAME', src.env.COMPOSE_PROJECT_NAME, undefined],
    ['name', src.topLevel?.value, src.topLevel?.location],
  ];
  for (const [source, value, location] of explicit) {
    if (value === undefined || value === '') continue;
    if (isValidProjectName(value)) return { ok: true, name: value };
    return {
      ok: false,
      source,
      location,
      message: `invalid project name "${value}": use only lowercase letters, digits, "-" and "_", starting with a letter or digit`,
    };
  }
  const folder = path.basename(path.resolve(src.projectDir));
  const name = normalizeProjectName(folder);
  if (name === '') {
    return {
      ok: false,
      source: 'folder',
      message: `cannot derive a project name from the folder "${folder}"; set one with -p or top-level name:`,
    };
  }
  return { ok: true, name };
}
