// Time-bounded fuzzing of the whole spec pipeline (loadStack: YAML, interpolation, merge, schema,
// normalize, check). Structured mutations put hostile values at random paths of the fixture stacks, text
// mutations splice fixtures together. Every input must either load or fail with a SpecError whose every
// problem is located; nothing else may escape, and no input may hang or balloon memory.
// TSSTACK_FUZZ_MS sets the budget (default 20 s); bench/faults reports the number of inputs run.
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify, parse } from 'yaml';
import { SpecError } from '../../../src/spec/errors.js';
import { loadStack } from '../../../src/spec/index.js';
import { fuzzInput, hostileValues, type FuzzStats, checkOne } from './helpers/fuzz.js';

const FIXTURES = path.join(import.meta.dirname, '../../fixtures');
const corpus = readdirSync(FIXTURES)
  .map((d) => path.join(FIXTURES, d, 'compose.yaml'))
  .filter((f) => existsSync(f))
  .map((f) => readFileSync(f, 'utf8'));
const BUDGET_MS = Number(process.env.TSSTACK_FUZZ_MS ?? 20_000);
const dir = mkdtempSync(path.join(tmpdir(), 'tsstack-fuzz2-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('spec loader fuzzing (bounded time)', () => {
  it('the corpus parses as YAML and the hostile pool is not empty', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(10);
    for (const t of corpus) expect(parse(t)).toBeTypeOf('object');
    expect(hostileValues.length).toBeGreaterThan(10);
  });

  it('the checker catches an escaped non-SpecError (so the property can fail)', async () => {
    const stats: FuzzStats = { inputs: 0, loaded: 0, specErrors: 0, slowest: 0 };
    await expect(
      checkOne(dir, 'services: {}', stats, () => Promise.reject(new TypeError('boom'))),
    ).rejects.toThrow('boom');
    await expect(
      checkOne(dir, 'services: {}', stats, () => Promise.reject(new SpecError([{ path: [], message: 'x' }]))),
    ).rejects.toThrow(/not located/);
  });

  it(
    'loads or fails with a located SpecError, within 10 s and bounded memory per input',
    async () => {
      const stats: FuzzStats = { inputs: 0, loaded: 0, specErrors: 0, slowest: 0 };
      const load = (cwd: string) =>
        loadStack({
          files: ['compose.yaml'],
          cwd,
          envFiles: [],
          profiles: [],
          env: { HOME: '/root', A: 'a', TSSTACK_CACHE_DIR: path.join(dir, 'parse-cache') },
        });
      await fc.assert(
        fc.asyncProperty(fuzzInput(corpus), async (text) => {
          await checkOne(dir, text, stats, load);
        }),
        { numRuns: 1_000_000, interruptAfterTimeLimit: BUDGET_MS, markInterruptAsFailure: false },
      );
      process.stderr.write(
        `spec fuzz: ${stats.inputs} inputs, ${stats.loaded} loaded, ${stats.specErrors} SpecErrors, slowest ${stats.slowest} ms\n`,
      );
      expect(stats.inputs).toBeGreaterThan(50);
      // Both outcomes are exercised: the mutations are not all fatal, nor all harmless.
      expect(stats.loaded).toBeGreaterThan(0);
      expect(stats.specErrors).toBeGreaterThan(0);
    },
    BUDGET_MS + 60_000,
  );

  it('an alias bomb and a deep nesting fail as SpecErrors, not as a hang or a crash', async () => {
    const bomb = [
      'a: &a ["x","x","x","x","x","x","x","x","x"]',
      ...Array.from(
        { length: 9 },
        (_, i) =>
          `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(9)
            .fill(`*${String.fromCharCode(97 + i)}`)
            .join(',')}]`,
      ),
      'services: { web: { image: x, command: *j } }',
    ].join('\n');
    const deep = `services:\n  web:\n    image: x\n    labels: ${'['.repeat(5000)}${']'.repeat(5000)}\n`;
    const stats: FuzzStats = { inputs: 0, loaded: 0, specErrors: 0, slowest: 0 };
    const load = (cwd: string) =>
      loadStack({ files: ['compose.yaml'], cwd, envFiles: [], profiles: [], env: {} });
    for (const text of [bomb, deep, stringify({ services: { '../../x': { image: 'x' } } })])
      await checkOne(dir, text, stats, load);
    expect(stats.specErrors).toBe(3);
  });
});
