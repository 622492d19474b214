// Merge laws on the fixture corpus, through the whole spec layer: loading a stack file twice (`-f a -f a`)
// or with an empty file after it gives the same normalized stack as loading it once.
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadStack, type LoadOptions } from '../../../src/spec/index.js';

const FIXTURES = path.join(import.meta.dirname, '../../fixtures');
const names = readdirSync(FIXTURES).filter(
  (n) => n !== 'invalid' && statSync(path.join(FIXTURES, n)).isDirectory(),
);
const scratch = mkdtempSync(path.join(tmpdir(), 'tsstack-merge-law-'));
const empty = path.join(scratch, 'empty.yml');
writeFileSync(empty, '');
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const options = (dir: string, files: string[]): LoadOptions => ({
  files,
  cwd: dir,
  projectDirectory: dir,
  envFiles: [],
  profiles: [],
  env: {},
});

/** The stack without the fields that name the files loaded. */
async function stackOf(dir: string, files: string[]) {
  const { stack } = await loadStack(options(dir, files));
  return { ...stack, files: [] };
}

describe('merge laws on the fixtures', () => {
  it('has fixtures', () => {
    expect(names.length).toBeGreaterThanOrEqual(20);
  });

  for (const name of names) {
    it(`${name}: a file merged over itself, or with an empty file, changes nothing`, async () => {
      const dir = path.join(FIXTURES, name);
      const once = await stackOf(dir, ['compose.yaml']);
      expect(await stackOf(dir, ['compose.yaml', 'compose.yaml'])).toEqual(once);
      expect(await stackOf(dir, ['compose.yaml', empty])).toEqual(once);
      expect(await stackOf(dir, [empty, 'compose.yaml'])).toEqual(once);
    });
  }
});
