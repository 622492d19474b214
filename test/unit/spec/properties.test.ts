// Property tests of the spec layer: normalizing is idempotent through the printer, and no mutation of a
// document makes the spec layer throw anything but a located SpecError.
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { checkStack } from '../../../src/spec/check.js';
import { SpecError, type SpecProblem } from '../../../src/spec/errors.js';
import { loadStack } from '../../../src/spec/index.js';
import { normalizeProject } from '../../../src/spec/normalize/index.js';
import { printStack } from '../../../src/spec/print.js';
import type { PathSegment } from '../../../src/spec/types.js';
import { document } from './helpers/generators.js';
import { formatted } from './helpers/normalize.js';
import { rawFromYaml } from './helpers/raw-from-yaml.js';

const FIXTURES = join(import.meta.dirname, '../../fixtures');

// --- mutations: replace, delete or retype any node of a document ---

type Json = unknown;

const junk = fc.oneof(
  fc.string({ maxLength: 10 }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constantFrom('80:80:80', '1m30x', '-1', '../../x', 'service:nope', 'a\nb', '${', '0400', '*'),
  fc.array(fc.oneof(fc.string({ maxLength: 5 }), fc.integer()), { maxLength: 3 }),
  fc.dictionary(
    fc.string({ maxLength: 5 }),
    fc.oneof(fc.string({ maxLength: 5 }), fc.integer(), fc.constant(null)),
    { maxKeys: 3 },
  ),
);

function paths(value: Json, at: PathSegment[] = [], out: PathSegment[][] = []): PathSegment[][] {
  out.push(at);
  if (Array.isArray(value)) value.forEach((v, i) => paths(v, [...at, i], out));
  else if (value !== null && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) paths(v, [...at, k], out);
  return out;
}

function mutate(doc: Json, path: PathSegment[], replacement: Json, remove: boolean): Json {
  if (path.length === 0) return remove ? {} : replacement;
  const copy = structuredClone(doc) as Record<string | number, Json>;
  let cur: Record<string | number, Json> = copy;
  for (const seg of path.slice(0, -1)) cur = cur[seg] as Record<string | number, Json>;
  const last = path[path.length - 1] as string | number;
  if (remove && Array.isArray(cur)) cur.splice(last as number, 1);
  else if (remove) delete cur[last];
  else cur[last] = replacement;
  return copy;
}

const mutation = (doc: Json) =>
  fc
    .tuple(fc.constantFrom(...paths(doc)), junk, fc.boolean())
    .map(([p, j, remove]) => mutate(doc, p, j, remove));

function fixtureDocuments(): { name: string; doc: Json }[] {
  return readdirSync(FIXTURES)
    .filter((n) => n !== 'invalid' && statSync(join(FIXTURES, n)).isDirectory())
    .sort()
    .map((name) => ({
      name,
      doc: parse(readFileSync(join(FIXTURES, name, 'compose.yaml'), 'utf8'), { merge: true }) as Json,
    }));
}

/** What interpolation does to a printed document without variables: `$$` back to `$` in string values. */
function unescapeDollars(value: Json): Json {
  if (typeof value === 'string') return value.replaceAll('$$', '$');
  if (Array.isArray(value)) return value.map(unescapeDollars);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unescapeDollars(v)]));
}

function expectLocated(problems: SpecProblem[]): void {
  for (const p of problems) {
    expect(typeof p.message).toBe('string');
    expect(p.location, p.message).toBeDefined();
  }
}

// --- in memory: rawFromYaml → normalize → check → print ---

describe('normalize, in memory', () => {
  it('is idempotent: normalize(print(normalize(x))) equals normalize(x)', () => {
    fc.assert(
      fc.property(document, fc.subarray(['dev', 'debug']), (doc, profiles) => {
        const first = normalizeProject(rawFromYaml(stringify(doc), 'stack.yml', { profiles }));
        fc.pre(first.problems.length === 0);
        const printed = printStack(first.stack, 'yaml');
        // Loading would interpolate the printed `$$` escapes; rawFromYaml does not, so undo them here.
        const reread = rawFromYaml(printed, 'stack.yml', { profiles });
        reread.data = unescapeDollars(reread.data) as Record<string, unknown>;
        const second = normalizeProject(reread);
        expect(formatted(second.problems)).toEqual([]);
        expect(second.stack).toEqual(first.stack);
        expect(printStack(second.stack, 'yaml')).toBe(printed);
      }),
      { numRuns: 150 },
    );
  });

  it('mutated documents only ever give located problems', () => {
    const docs = [...fixtureDocuments().map((f) => f.doc)];
    const arb = fc.oneof(fc.constantFrom(...docs).chain(mutation), document.chain(mutation));
    fc.assert(
      fc.property(arb, (doc) => {
        const raw = rawFromYaml(stringify(doc, { aliasDuplicateObjects: false }), 'stack.yml');
        const { stack, problems } = normalizeProject(raw);
        expectLocated(problems);
        for (const target of ['local', 'swarm'] as const) expectLocated(checkStack(stack, raw, { target }));
        expect(typeof printStack(stack, 'yaml')).toBe('string');
      }),
      { numRuns: 250 },
    );
  });
});

// --- through loadStack, from text files in a temp folder ---

describe('normalize, through loadStack', () => {
  const root = mkdtempSync(join(tmpdir(), 'tsstack-props-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  let n = 0;
  const options = (file: string, dir: string) => ({
    files: [file],
    cwd: dir,
    envFiles: [],
    profiles: [],
    env: {},
  });

  it('is idempotent from files: load → print → load gives the same stack', async () => {
    await fc.assert(
      fc.asyncProperty(document, async (doc) => {
        const dir = join(root, `idem-${n++}`);
        mkdirSync(dir, { recursive: true });
        const file = join(dir, 'compose.yaml');
        writeFileSync(file, stringify(doc));
        let first;
        try {
          first = await loadStack(options(file, dir));
        } catch (err) {
          if (err instanceof SpecError) return; // generated documents may clash on ports or carry cycles
          throw err;
        }
        for (const format of ['yaml', 'json'] as const) {
          writeFileSync(file, printStack(first.stack, format));
          const second = await loadStack(options(file, dir));
          expect(second.stack).toEqual(first.stack);
        }
      }),
      { numRuns: 60 },
    );
  });

  it('mutated fixtures (with their extends and include files) fail only with a located SpecError', async () => {
    const fixtures = fixtureDocuments();
    const arb = fc
      .constantFrom(...fixtures)
      .chain((f) => mutation(f.doc).map((doc) => ({ name: f.name, doc })));
    await fc.assert(
      fc.asyncProperty(arb, async ({ name, doc }) => {
        const dir = join(root, `mut-${n++}`);
        cpSync(join(FIXTURES, name), dir, { recursive: true });
        const file = join(dir, 'compose.yaml');
        writeFileSync(file, stringify(doc, { aliasDuplicateObjects: false }));
        try {
          await loadStack(options(file, dir));
        } catch (err) {
          expect(err).toBeInstanceOf(SpecError);
          const problems = (err as SpecError).problems;
          expect(problems.length).toBeGreaterThan(0);
          for (const p of problems) expect(typeof p.message).toBe('string');
        }
      }),
      { numRuns: 150 },
    );
  });
});
