// Text-level mutations of the fixture stacks: loading must never throw, and every problem it reports
// must carry a file:line:col inside the text it was given.
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { load } from './load-helpers.js';

const FIXTURES = path.join(import.meta.dirname, '../../fixtures');
const texts = readdirSync(FIXTURES)
  .map((d) => path.join(FIXTURES, d, 'compose.yaml'))
  .filter((f) => existsSync(f))
  .map((f) => readFileSync(f, 'utf8'));
const dir = mkdtempSync(path.join(tmpdir(), 'tsstack-fuzz-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const mutation = fc.oneof(
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 8 }) }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    text: fc.oneof(
      fc.constantFrom(
        ': ',
        '- ',
        '\n',
        '  ',
        '"',
        "'",
        '&a ',
        '*a',
        '<<: *a\n',
        '${',
        '$',
        '}',
        '[',
        '{',
        '#',
        '!reset ',
        '\t',
      ),
      fc.string({ maxLength: 6 }),
    ),
  }),
  fc.record({ kind: fc.constant('dupline' as const), at: fc.nat() }),
);

interface Mutation {
  kind: 'delete' | 'insert' | 'dupline';
  at: number;
  len?: number;
  text?: string;
}

function mutate(text: string, muts: Mutation[]): string {
  let out = text;
  for (const m of muts) {
    const at = out.length === 0 ? 0 : m.at % out.length;
    if (m.kind === 'delete') out = out.slice(0, at) + out.slice(at + (m.len ?? 1));
    else if (m.kind === 'insert') out = out.slice(0, at) + (m.text ?? '') + out.slice(at);
    else {
      const lines = out.split('\n');
      const i = at % lines.length;
      lines.splice(i, 0, lines[i] ?? '');
      out = lines.join('\n');
    }
  }
  return out;
}

describe('loading mutated fixtures', () => {
  it('has fixtures to mutate', () => {
    expect(texts.length).toBeGreaterThanOrEqual(10);
  });

  it('never throws; every problem is located inside the file', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: texts.length - 1 }),
        fc.array(mutation, { minLength: 1, maxLength: 4 }),
        async (which, muts) => {
          const text = mutate(texts[which] as string, muts);
          writeFileSync(path.join(dir, 'compose.yaml'), text);
          const r = await load(dir, {
            files: ['compose.yaml'],
            projectName: 'fuzz',
            env: { HOME: '/root', TSSTACK_NO_CACHE: '1' },
          });
          const lineCount = text.split('\n').length;
          for (const p of r.problems) {
            expect(p.location, p.message).toBeDefined();
            // Problems about other files (an extends or include target) are located there.
            if (p.location?.file !== 'compose.yaml') continue;
            expect(p.location.line).toBeGreaterThanOrEqual(1);
            expect(p.location.line).toBeLessThanOrEqual(lineCount);
            expect(p.location.col).toBeGreaterThanOrEqual(1);
          }
          if (!r.raw) expect(r.problems.length).toBeGreaterThan(0);
        },
      ),
      { numRuns: 300 },
    );
  });
});
