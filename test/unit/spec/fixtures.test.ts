import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatProblem } from '../../../src/spec/errors.js';
import { loadRawProject } from '../../../src/spec/load.js';
import { validateSchema } from '../../../src/spec/validate.js';
import {
  FIXTURES_DIR,
  KNOWN_DIVERGENCES,
  INVALID_DIR,
  fixtureErrors,
  fixtureNames,
  fixtureOptions,
  renderFixture,
} from './helpers/fixtures.js';

const valid = fixtureNames(FIXTURES_DIR);
const invalid = fixtureNames(INVALID_DIR);

describe('fixture corpus', () => {
  it('has at least 30 valid and 15 invalid stacks', () => {
    expect(valid.length).toBeGreaterThanOrEqual(30);
    expect(invalid.length).toBeGreaterThanOrEqual(15);
  });
});

describe.each(valid)('valid fixture %s', (name) => {
  const dir = join(FIXTURES_DIR, name);

  it('merged document passes the schema with no problems', async () => {
    const loaded = await loadRawProject(fixtureOptions(dir));
    expect(loaded.problems.map(formatProblem)).toEqual([]);
    expect(loaded.raw).toBeDefined();
    expect(validateSchema(loaded.raw!).problems.map(formatProblem)).toEqual([]);
  });

  const divergence = KNOWN_DIVERGENCES[name];
  it.skipIf(divergence !== undefined)(
    `normalizes to expected.yaml (regenerate with npx tsx scripts/update-fixtures.ts, then review)${divergence ? ` (skipped: ${divergence})` : ''}`,
    async () => {
      const { yaml, warnings } = await renderFixture(dir);
      expect(yaml).toBe(readFileSync(join(dir, 'expected.yaml'), 'utf8'));
      const warningsFile = join(dir, 'expected-warnings.txt');
      expect(warnings).toBe(existsSync(warningsFile) ? readFileSync(warningsFile, 'utf8') : '');
    },
  );
});

describe.each(invalid)('invalid fixture %s', (name) => {
  const dir = join(INVALID_DIR, name);
  const expected = readFileSync(join(dir, 'expected-errors.txt'), 'utf8').trimEnd().split('\n');
  const divergence = KNOWN_DIVERGENCES[`invalid/${name}`];

  it.skipIf(divergence !== undefined)(
    `fails with the lines of expected-errors.txt${divergence ? ` (skipped: ${divergence})` : ''}`,
    async () => {
      expect(await fixtureErrors(dir)).toEqual(expected);
    },
  );
});
