import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { afterEach } from 'vitest';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { LoadOptions } from '../../../src/spec/index.js';
import { loadRawProject, type LoadResult } from '../../../src/spec/load.js';
import type { LMap } from '../../../src/spec/locate.js';
import { parseYaml } from '../../../src/spec/yaml.js';

/** A temporary folder holding the given files (paths relative to it); remove it with `cleanup`. */
export function tempProject(
  files: Record<string, string>,
  name = 'proj',
): { dir: string; cleanup: () => void } {
  const root = mkdtempSync(path.join(tmpdir(), 'tsstack-spec-'));
  const dir = path.join(root, name);
  mkdirSync(dir, { recursive: true });
  for (const [rel, text] of Object.entries(files)) {
    const abs = path.join(dir, rel);
    mkdirSync(path.dirname(abs), { recursive: true });
    writeFileSync(abs, text);
  }
  return { dir, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

/**
 * For a test file: returns `project(files, name?)`, which makes a temporary project and answers its folder;
 * every project made during a test is removed after that test.
 */
export function tempProjects(): (files: Record<string, string>, name?: string) => string {
  const cleanups: (() => void)[] = [];
  afterEach(() => {
    for (const c of cleanups.splice(0)) c();
  });
  return (files, name) => {
    const t = tempProject(files, name);
    cleanups.push(t.cleanup);
    return t.dir;
  };
}

/** loadRawProject with test defaults: no env, no flags. */
export function load(cwd: string, options: Partial<LoadOptions> = {}): Promise<LoadResult> {
  return loadRawProject({ files: [], cwd, envFiles: [], profiles: [], env: {}, ...options });
}

/** Parses YAML text that must be valid into a located mapping. */
export function yamlMap(text: string, file = 'test.yml'): LMap {
  const parsed = parseYaml(text, file);
  if (!parsed.node) throw new Error(`bad test YAML: ${parsed.problems.map((p) => p.message).join('; ')}`);
  return parsed.node;
}
