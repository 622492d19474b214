// The js-yaml fast path must give exactly the tree the `yaml` path gives, or decline: on every fixture
// and example, on generated stacks, and on mutated documents (fast-check).
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_DEPTH, parseYaml, sourcePositions } from '../../../src/spec/yaml.js';
import { parseYamlFast } from '../../../src/spec/yaml-fast.js';
import { generateStack } from '../../../bench/spec/generate.js';

const ROOT = path.join(import.meta.dirname, '../../..');

function yamlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) return name === 'node_modules' ? [] : yamlFiles(p);
    return /\.ya?ml$/.test(name) ? [p] : [];
  });
}

const files = ['test/fixtures', 'examples']
  .map((d) => path.join(ROOT, d))
  .filter(existsSync)
  .flatMap(yamlFiles);

/** Both paths on one text: equal results whenever the fast path answers; whether it did. */
function compare(text: string, file = 'stack.yml'): boolean {
  const slow = parseYaml(text, file, { noFastPath: true });
  const fast = parseYamlFast(text, sourcePositions(text, file), MAX_DEPTH);
  if (fast === undefined) return false;
  expect(parseYaml(text, file)).toEqual(slow);
  return true;
}

describe('the js-yaml fast path', () => {
  it('gives the same located tree as the yaml path on every fixture and example, or declines', () => {
    expect(files.length).toBeGreaterThan(50);
    let taken = 0;
    for (const f of files) if (compare(readFileSync(f, 'utf8'), f)) taken++;
    // Most stack files are plain YAML: the fast path must actually be taken.
    expect(taken).toBeGreaterThan(files.length / 2);
  });

  it('takes generated stacks of every size', () => {
    for (const n of [1, 10, 200]) expect(compare(generateStack(n))).toBe(true);
  });

  it('declines what it does not reproduce: anchors, aliases, tags, merge keys, duplicates, markers', () => {
    const declined = [
      'a: &x 1\nb: *x\n',
      'a: !reset null\n',
      'base: &b {x: 1}\nc:\n  <<: *b\n',
      'a: 1\na: 2\n',
      '---\na: 1\n',
      '? a\n: 1\n',
      'a:\n\tb: 1\n',
      'a: [1, 2\n',
      'w: multi\n  line plain\n',
      'w: "quoted over\n  two lines"\n',
      '\uFEFFa: 1\n',
    ];
    for (const text of declined) {
      expect(parseYamlFast(text, sourcePositions(text, 'f'), MAX_DEPTH), text).toBeUndefined();
      compare(text);
    }
  });

  it('types plain scalars as the yaml path does, and keeps quoted ones strings', () => {
    const text = [
      'a: 012',
      'b: 0o17',
      'c: 0x1F',
      'd: 1_000',
      'e: on',
      'f: True',
      'g: ~',
      'h: "12"',
      "i: '1e3'",
      'j: 1e3',
      'k: .inf',
      'l: -.5',
      'm:',
      'n: 123456789012345678901234567890',
      '80: port',
      'true: key',
      'o: |',
      '  block $X',
      'p: "$HOME"',
      "q: '${A:-b}'",
      'r: plain $V # comment',
      's: [ "x", 2, {t: 3}, ]',
      'u:',
      '  - a',
      '  - - nested',
      '  - k: v',
      '    k2:    # c',
      'v: >-',
      '  folded',
      '  text',
      '',
    ].join('\n');
    expect(compare(text)).toBe(true);
  });

  it('agrees with the yaml path on documents made of random YAML tokens', () => {
    const tokens = [
      ...['a', 'b', 'key', 'x y', ': ', ':', '- ', '-', '\n', '  ', '    ', '[', ']', '{', '}', ', ', ','],
      ...['"q"', '"a\\"b"', "'s'", "'it''s'", '#c', ' # c', '|\n', '>-\n', '1', '012', '0o7', '0x1F', '1_0'],
      ...[
        '1e3',
        '.5',
        '-1',
        'true',
        'on',
        'null',
        '~',
        '$V',
        '${A:-b}',
        '&a ',
        '*a',
        '!reset ',
        '<<: ',
        '? ',
      ],
    ];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...tokens), { minLength: 1, maxLength: 40 }), (parts) => {
        compare(parts.join(''));
      }),
      { numRuns: Number(process.env.YAML_FAST_RUNS ?? 3000), seed: Number(process.env.YAML_FAST_SEED ?? 7) },
    );
  });

  it('agrees with the yaml path on mutated fixtures', () => {
    const texts = files.map((f) => readFileSync(f, 'utf8'));
    const inserts = [
      ...[': ', '- ', '\n', '  ', '"', "'", '#', ' #', '[', '{', ']', '}', ',', '0', '~', 'x', '$'],
      ...['&a ', '*a', '!reset ', '? ', '|', '>', '|-\n  x', '\t', '---\n', '%', '@', '`', '<<: ', '\\'],
      ...[':', '-', 'null', 'true', 'on', '0x1F', '1e5', '012', '1_0', '.5', '"a"', "'b'", '- - '],
    ];
    fc.assert(
      fc.property(
        fc.nat({ max: texts.length - 1 }),
        fc.array(fc.tuple(fc.nat(), fc.nat({ max: inserts.length - 1 }), fc.boolean()), {
          minLength: 1,
          maxLength: 4,
        }),
        (which, edits) => {
          let text = texts[which]!;
          for (const [at, ins, del] of edits) {
            const i = at % (text.length + 1);
            text = del
              ? text.slice(0, i) + text.slice(i + 3)
              : text.slice(0, i) + inserts[ins] + text.slice(i);
          }
          compare(text);
        },
      ),
      { numRuns: Number(process.env.YAML_FAST_RUNS ?? 1500), seed: Number(process.env.YAML_FAST_SEED ?? 7) },
    );
  });
});
