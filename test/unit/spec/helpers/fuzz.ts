// Input generators and the per-input oracle for the spec loader fuzz test (and bench/faults).
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { isMap, isScalar, isSeq, parseDocument, type Node } from 'yaml';
import { SpecError } from '../../../../src/spec/errors.js';

/** Values users (or attackers) write where a stack file expects something else. */
export const hostileValues: unknown[] = [
  '../../x',
  '/etc/passwd',
  'a\nb',
  'a\r\nb: c',
  '\u0000',
  '',
  ' ',
  null,
  [],
  {},
  -1,
  0,
  65536,
  1e308,
  Number.NaN,
  '1e400',
  '0x1F',
  '80:80:80',
  '99999:80',
  '127.0.0.1::80/udp',
  '${A:?boom}',
  '${',
  '$${A}',
  '${A:-${B:-${C}}}',
  'x'.repeat(5000),
  '-1s',
  '1h2x',
  '10gb',
  'service:../../x',
  'container:x',
  '<<',
  true,
  ['a', { b: 1 }],
  { '../../x': 'y' },
  { 'a\nb': 'c' },
  [[[[[[['deep']]]]]]],
];

/** Replaces the value at a random node of a fixture's document by a hostile value. */
function replaceAt(text: string, pick: number, value: unknown): string {
  const doc = parseDocument(text);
  const nodes: { parent: Node; key: unknown }[] = [];
  const walk = (n: unknown): void => {
    if (isMap(n))
      for (const item of n.items) {
        nodes.push({ parent: n, key: isScalar(item.key) ? item.key.value : item.key });
        walk(item.value);
      }
    else if (isSeq(n))
      n.items.forEach((item, i) => {
        nodes.push({ parent: n, key: i });
        walk(item);
      });
  };
  walk(doc.contents);
  const target = nodes[pick % Math.max(1, nodes.length)];
  if (!target) return text;
  (target.parent as unknown as { set(k: unknown, v: unknown): void }).set(target.key, doc.createNode(value));
  return doc.toString();
}

/** Renames a random mapping key (service names, label keys, volume names) to a hostile string. */
function renameKeyAt(text: string, pick: number, name: string): string {
  const doc = parseDocument(text);
  const keys: Node[] = [];
  const walk = (n: unknown): void => {
    if (isMap(n))
      for (const item of n.items) {
        if (isScalar(item.key)) keys.push(item.key);
        walk(item.value);
      }
    else if (isSeq(n)) for (const item of n.items) walk(item);
  };
  walk(doc.contents);
  const k = keys[pick % Math.max(1, keys.length)];
  if (!k || !isScalar(k)) return text;
  k.value = name;
  return doc.toString();
}

/** Text splices: a slice of one fixture inside another (indentation and structure broken on purpose). */
function splice(a: string, b: string, at: number, from: number, len: number): string {
  const i = at % (a.length + 1);
  const j = from % (b.length + 1);
  return a.slice(0, i) + b.slice(j, j + len) + a.slice(i);
}

/** An arbitrary of stack texts built from the corpus. */
export function fuzzInput(corpus: string[]): fc.Arbitrary<string> {
  const fixture = fc.integer({ min: 0, max: corpus.length - 1 }).map((i) => corpus[i] as string);
  const hostile = fc.oneof(fc.constantFrom(...hostileValues), fc.jsonValue({ maxDepth: 3 }));
  const hostileName = fc.oneof(
    fc.constantFrom(
      '../../x',
      'a/b',
      'a\nb',
      '',
      '.hidden',
      '-dash',
      'UPPER',
      'a b',
      'x'.repeat(300),
      '__proto__',
      'constructor',
    ),
    fc.string({ maxLength: 12 }),
  );
  return fc.oneof(
    fc
      .tuple(fixture, fc.array(fc.tuple(fc.nat(), hostile), { minLength: 1, maxLength: 3 }))
      .map(([t, edits]) => edits.reduce((acc, [pick, v]) => safe(() => replaceAt(acc, pick, v), acc), t)),
    fc
      .tuple(fixture, fc.nat(), hostileName)
      .map(([t, pick, name]) => safe(() => renameKeyAt(t, pick, name), t)),
    fc
      .tuple(fixture, fixture, fc.nat(), fc.nat(), fc.integer({ min: 1, max: 200 }))
      .map(([a, b, at, from, len]) => splice(a, b, at, from, len)),
  );
}

function safe(f: () => string, fallback: string): string {
  try {
    return f();
  } catch {
    return fallback; // the yaml library refused to build this document; the fixture itself is still an input
  }
}

export interface FuzzStats {
  inputs: number;
  loaded: number;
  specErrors: number;
  slowest: number;
}

/** Loose per-input bounds: a hang detector and a memory-balloon detector, not speed or size goals. */
// 10 s: inputs take well under 0.2 s alone, but CI runs this beside the engine tests on 2 cores.
export const PER_INPUT_MS = 10_000;
export const HEAP_LIMIT_BYTES = 1536 * 1024 * 1024;

/** Writes `text` as compose.yaml in `dir`, loads it, and throws unless the outcome is allowed. */
export async function checkOne(
  dir: string,
  text: string,
  stats: FuzzStats,
  load: (cwd: string) => Promise<unknown>,
): Promise<void> {
  writeFileSync(path.join(dir, 'compose.yaml'), text);
  stats.inputs++;
  const t0 = performance.now();
  try {
    await load(dir);
    stats.loaded++;
  } catch (err) {
    if (!(err instanceof SpecError)) throw err;
    for (const p of err.problems)
      if (!p.location) throw new Error(`problem not located: ${p.message}\n--- input ---\n${text}`);
    stats.specErrors++;
  }
  const ms = Math.round(performance.now() - t0);
  stats.slowest = Math.max(stats.slowest, ms);
  if (ms > PER_INPUT_MS)
    throw new Error(`one input took ${ms} ms (hang?)\n--- input ---\n${text.slice(0, 2000)}`);
  const heap = process.memoryUsage().heapUsed;
  if (heap > HEAP_LIMIT_BYTES) throw new Error(`heap at ${heap} bytes after one input`);
}
