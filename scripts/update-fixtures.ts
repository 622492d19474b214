// Regenerates expected.yaml (and expected-warnings.txt) for every valid fixture in test/fixtures.
// Run: npx tsx scripts/update-fixtures.ts [name...]   Then read the diff: these files are the reference output.
// Invalid fixtures' expected-errors.txt are written by hand and never generated.
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  FIXTURES_DIR,
  KNOWN_DIVERGENCES,
  fixtureNames,
  renderFixture,
} from '../test/unit/spec/helpers/fixtures.js';

const only = process.argv.slice(2);
for (const name of fixtureNames(FIXTURES_DIR)) {
  if (only.length > 0 && !only.includes(name)) continue;
  // A known divergence's expected file was corrected by hand; regenerating would bless the bug.
  if (KNOWN_DIVERGENCES[name] && !only.includes(name)) {
    console.log(`kept ${name} (known divergence: ${KNOWN_DIVERGENCES[name]})`);
    continue;
  }
  const dir = join(FIXTURES_DIR, name);
  const { yaml, warnings } = await renderFixture(dir);
  writeFileSync(join(dir, 'expected.yaml'), yaml);
  const warningsFile = join(dir, 'expected-warnings.txt');
  if (warnings) writeFileSync(warningsFile, warnings);
  else if (existsSync(warningsFile)) rmSync(warningsFile);
  console.log(`updated ${name}`);
}
