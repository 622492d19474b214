// Test helper: runs the spec layer on the fixture corpus in test/fixtures the same way for the test and for
// scripts/update-fixtures.ts, so expected files are produced and checked by one code path.
import { readdirSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SpecError, formatProblem } from '../../../../src/spec/errors.js';
import { loadStack, type LoadOptions } from '../../../../src/spec/index.js';
import { printStack } from '../../../../src/spec/print.js';
import type { SpecWarning } from '../../../../src/spec/types.js';

export const FIXTURES_DIR = fileURLToPath(new URL('../../../fixtures/', import.meta.url));
export const INVALID_DIR = join(FIXTURES_DIR, 'invalid');

/**
 * Fixtures whose expected file (checked by hand) disagrees with what the spec layer produces today.
 * Each is a finding for the layer that produces it; remove the entry once it is fixed.
 */
export const KNOWN_DIVERGENCES: Record<string, string> = {};

/** Fixture folders (each holding a compose.yaml), sorted. */
export function fixtureNames(root: string): string[] {
  return readdirSync(root)
    .filter((name) => name !== 'invalid' && statSync(join(root, name)).isDirectory())
    .sort();
}

/** Options as a user running `tsstack config` inside the folder, with an empty process environment. */
export function fixtureOptions(dir: string): LoadOptions {
  return { files: [], cwd: dir, envFiles: [], profiles: [], env: {} };
}

/** Machine-specific absolute paths replaced by placeholders, so expected files are portable. */
export function portable(text: string, dir: string): string {
  return text.split(dir).join('<fixture>').split(homedir()).join('<home>');
}

export function formatWarning(w: SpecWarning): string {
  const where = w.location ? `${w.location.file}:${w.location.line}:${w.location.col} ` : '';
  return `${where}${w.path}: ${w.message}`;
}

/** The normalized stack as `tsstack config` prints it, and the warnings, for a valid fixture. */
export async function renderFixture(dir: string): Promise<{ yaml: string; warnings: string }> {
  const { stack, warnings } = await loadStack(fixtureOptions(dir));
  const lines = warnings.map(formatWarning);
  return {
    yaml: portable(printStack(stack, 'yaml'), dir),
    warnings: lines.length > 0 ? `${lines.join('\n')}\n` : '',
  };
}

/** The `file:line:col path: message` lines (without code frames) loading an invalid fixture fails with. */
export async function fixtureErrors(dir: string): Promise<string[]> {
  try {
    await loadStack(fixtureOptions(dir));
  } catch (error) {
    if (error instanceof SpecError)
      return error.problems.map((p) => portable(formatProblem({ ...p, frame: undefined }), dir));
    throw error;
  }
  return [];
}
