import { describe, expect, it } from 'vitest';
import { locateIn, locateKeyIn, toPlain } from '../../../src/spec/locate.js';
import { parseYaml } from '../../../src/spec/yaml.js';

function ok(text: string) {
  const r = parseYaml(text, 'stack.yml');
  expect(r.problems).toEqual([]);
  if (!r.node) throw new Error('no node');
  return r.node;
}

describe('parseYaml', () => {
  it('keeps the line and column of every value and key', () => {
    const node = ok('services:\n  web:\n    image: nginx\n    ports:\n      - "80:80"\n');
    expect(locateIn(node, ['services', 'web', 'image'])).toEqual({ file: 'stack.yml', line: 3, col: 12 });
    expect(locateKeyIn(node, ['services', 'web', 'image'])).toEqual({ file: 'stack.yml', line: 3, col: 5 });
    expect(locateIn(node, ['services', 'web', 'ports', 0])).toEqual({ file: 'stack.yml', line: 5, col: 9 });
    // A path below a value falls back to the nearest ancestor that exists.
    expect(locateIn(node, ['services', 'web', 'ports', 0, 'target'])).toEqual({
      file: 'stack.yml',
      line: 5,
      col: 9,
    });
  });

  it('expands anchors, aliases and << merge keys; explicit keys win, earlier merge sources win', () => {
    const node = ok(
      [
        'x-a: &a {image: a, user: ua, tty: true}',
        'x-b: &b {image: b, user: ub, init: true}',
        'services:',
        '  one:',
        '    <<: [*a, *b]',
        '    user: mine',
        '  two:',
        '    user: first',
        '    <<: *b',
        '    labels: &l [x, y]',
        '  three:',
        '    labels: *l',
      ].join('\n'),
    );
    const data = toPlain(node) as { services: Record<string, Record<string, unknown>> };
    expect(data.services.one).toEqual({ image: 'a', user: 'mine', tty: true, init: true });
    expect(data.services.two).toEqual({ user: 'first', image: 'b', init: true, labels: ['x', 'y'] });
    expect(data.services.three).toEqual({ labels: ['x', 'y'] });
    // Merged values point at where they are written (the anchor), not at the << key.
    expect(locateIn(node, ['services', 'one', 'image'])).toMatchObject({ line: 1, col: 17 });
  });

  it('rejects duplicate keys with both positions', () => {
    const r = parseYaml('services:\n  web:\n    image: a\n    image: b\n', 'stack.yml');
    expect(r.problems).toEqual([
      {
        location: { file: 'stack.yml', line: 4, col: 5 },
        path: ['services', 'web', 'image'],
        message: 'duplicate key "image" (first written at line 3)',
      },
    ]);
  });

  it('locates YAML syntax errors', () => {
    const r = parseYaml('services:\n  web:\n    ports: [80, 81\n', 'stack.yml');
    expect(r.node).toBeUndefined();
    expect(r.problems.length).toBeGreaterThan(0);
    expect(r.problems[0]?.message).toMatch(/^YAML syntax error/);
    expect(r.problems[0]?.location?.file).toBe('stack.yml');
    expect(r.problems[0]?.location?.line).toBeGreaterThanOrEqual(3);
  });

  it('fails fast on a "billion laughs" document, at the alias that overflows', () => {
    const lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i <= 9; i++) {
      const refs = Array.from({ length: 10 }, () => `*a${i - 1}`).join(',');
      lines.push(`a${i}: &a${i} [${refs}]`);
    }
    const before = process.memoryUsage().heapUsed;
    const r = parseYaml(lines.join('\n'), 'bomb.yml');
    expect(r.node).toBeUndefined();
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]?.message).toMatch(/aliases expand to more than 500000 values/);
    expect(r.problems[0]?.location?.file).toBe('bomb.yml');
    expect(r.problems[0]?.location?.line).toBeGreaterThan(1);
    // Nothing close to the ~10^9 expanded values was ever materialized.
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(200 * 1024 * 1024);
  });

  it('allows many ordinary aliases (a big stack sharing one anchor)', () => {
    const lines = ['x-svc: &svc {image: busybox, restart: always}', 'services:'];
    for (let i = 0; i < 2000; i++) lines.push(`  s${i}:`, '    <<: *svc');
    const node = ok(lines.join('\n'));
    const data = toPlain(node) as { services: Record<string, unknown> };
    expect(Object.keys(data.services)).toHaveLength(2000);
    expect(data.services.s1999).toEqual({ image: 'busybox', restart: 'always' });
  });

  it('refuses files over the size cap before parsing', () => {
    const r = parseYaml('a: 1\n'.repeat(100), 'big.yml', { maxBytes: 100 });
    expect(r.problems[0]?.message).toMatch(/file is 500 bytes; stack files are limited to 100 bytes/);
    expect(r.problems[0]?.location).toEqual({ file: 'big.yml', line: 1, col: 1 });
  });

  it('requires a mapping at the top and treats an empty file as an empty mapping', () => {
    expect(parseYaml('- a\n- b\n', 's.yml').problems[0]?.message).toMatch(
      /top level of a stack file must be a mapping/,
    );
    expect(toPlain(ok(''))).toEqual({});
    expect(toPlain(ok('# only a comment\n'))).toEqual({});
  });

  it('keeps !reset and !override tags for merging', () => {
    const node = ok('a: !reset []\nb: !override {x: 1}\nc: !reset\n');
    expect(node.entries.get('a')?.value.tag).toBe('reset');
    expect(node.entries.get('b')?.value.tag).toBe('override');
    expect(node.entries.get('c')?.value.tag).toBe('reset');
  });

  it('keeps a key named __proto__ as a plain key', () => {
    const data = toPlain(ok('services:\n  __proto__:\n    image: x\n')) as { services: object };
    expect(Object.keys(data.services)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(data.services)).toBe(Object.prototype);
  });

  it('turns non-string keys into strings and rejects complex keys', () => {
    expect(toPlain(ok('1: a\ntrue: b\n'))).toEqual({ '1': 'a', true: 'b' });
    const r = parseYaml('? [a, b]\n: c\n', 's.yml');
    expect(r.problems[0]?.message).toMatch(/mapping keys must be strings or numbers/);
  });

  it('reads plain 0640 as octal like Compose, quoted "0640" as a string', () => {
    expect(toPlain(ok('a: 0640\nb: "0640"\nc: 0o17\nd: 089\ne: 0\n'))).toEqual({
      a: 416,
      b: '0640',
      c: 15,
      d: 89,
      e: 0,
    });
  });

  it('reports a document nested thousands of levels deep as an error, not a crash', () => {
    const r = parseYaml(`x: ${'['.repeat(20000)}${']'.repeat(20000)}\n`, 'deep.yml');
    expect(r.node).toBeUndefined();
    expect(r.problems[0]?.message).toBe('the document is nested too deeply');
    expect(r.problems[0]?.location?.line).toBe(1);
  });

  it('refuses values nested deeper than 200 levels, at the first one too deep', () => {
    const deep = parseYaml(`x: ${'['.repeat(300)}${']'.repeat(300)}\n`, 'deep.yml');
    expect(deep.node).toBeUndefined();
    expect(deep.problems).toEqual([
      {
        location: { file: 'deep.yml', line: 1, col: 203 },
        path: ['x', ...Array(199).fill(0)],
        message: 'values are nested more than 200 levels deep',
      },
    ]);
    expect(parseYaml(`x: ${'['.repeat(150)}${']'.repeat(150)}\n`, 'ok.yml').problems).toEqual([]);
  });
});
