import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InterpolationError, interpolateString, interpolateTree } from '../../../src/spec/interpolate.js';
import { toPlain } from '../../../src/spec/locate.js';
import { yamlMap } from './load-helpers.js';

const env: Record<string, string> = { SET: 'value', EMPTY: '', A: 'a', B: 'b' };
const lookup = (n: string) => env[n];
const expand = (s: string) => interpolateString(s, lookup);

describe('interpolateString', () => {
  it('expands $VAR and ${VAR}', () => {
    expect(expand('x $SET y')).toBe('x value y');
    expect(expand('x${SET}y')).toBe('xvaluey');
    expect(expand('$SET.$A-$B')).toBe('value.a-b');
  });

  it('treats unset as empty and reports each unset variable', () => {
    const unset: string[] = [];
    expect(interpolateString('[$NOPE][${ALSO}]', lookup, (n) => unset.push(n))).toBe('[][]');
    expect(unset).toEqual(['NOPE', 'ALSO']);
  });

  it('applies :- and - defaults (empty vs unset)', () => {
    expect(expand('${SET:-d}')).toBe('value');
    expect(expand('${EMPTY:-d}')).toBe('d');
    expect(expand('${NOPE:-d}')).toBe('d');
    expect(expand('${EMPTY-d}')).toBe('');
    expect(expand('${NOPE-d}')).toBe('d');
    expect(expand('${NOPE:-}')).toBe('');
    expect(expand('${NOPE:-a b:c}')).toBe('a b:c');
  });

  it('applies :+ and + alternatives', () => {
    expect(expand('${SET:+alt}')).toBe('alt');
    expect(expand('${EMPTY:+alt}')).toBe('');
    expect(expand('${EMPTY+alt}')).toBe('alt');
    expect(expand('${NOPE+alt}')).toBe('');
  });

  it('fails on :? and ? when required variables have no value', () => {
    expect(expand('${SET:?need it}')).toBe('value');
    expect(expand('${EMPTY?need it}')).toBe('');
    expect(() => expand('${EMPTY:?need it}')).toThrow('required variable EMPTY is missing a value: need it');
    expect(() => expand('${NOPE?}')).toThrow(/^required variable NOPE is missing a value$/);
    expect(() => expand('${NOPE:?set $A}')).toThrow('required variable NOPE is missing a value: set a');
  });

  it('expands nested defaults lazily', () => {
    expect(expand('${NOPE:-${ALSO:-c}}')).toBe('c');
    expect(expand('${NOPE:-${A:-c}}')).toBe('a');
    expect(expand('${NOPE:-x${B}y}')).toBe('xby');
    const unset: string[] = [];
    // The default is not expanded when the variable is set, so ${MISSING} is never read.
    expect(interpolateString('${A:-${MISSING}}', lookup, (n) => unset.push(n))).toBe('a');
    expect(unset).toEqual([]);
    expect(() => expand('${SET:-${NOPE:?deep}}')).not.toThrow();
    expect(() => expand('${EMPTY:-${NOPE:?deep}}')).toThrow(
      'required variable NOPE is missing a value: deep',
    );
  });

  it('turns $$ into a literal dollar', () => {
    expect(expand('$$SET $${A} cost $$5')).toBe('$SET ${A} cost $5');
  });

  it('rejects invalid templates', () => {
    expect(() => expand('echo $1')).toThrow(InterpolationError);
    expect(() => expand('echo $1')).toThrow(/write \$\$ for a literal \$/);
    expect(() => expand('${A')).toThrow(/unclosed/);
    expect(() => expand('${}')).toThrow(/invalid variable substitution/);
    expect(() => expand('${A:x}')).toThrow(/invalid variable substitution "\$\{A:x\}"/);
    expect(() => expand('trailing $')).toThrow(InterpolationError);
  });

  it('leaves strings without $ unchanged (property)', () => {
    fc.assert(
      fc.property(
        fc.string().filter((s) => !s.includes('$')),
        (s) => expand(s) === s,
      ),
    );
  });

  it('escaping every $ round-trips any string (property)', () => {
    fc.assert(fc.property(fc.string(), (s) => expand(s.replaceAll('$', '$$$$')) === s));
  });
});

describe('interpolateTree', () => {
  it('interpolates values but not keys', () => {
    const doc = yamlMap('services:\n  $SET:\n    image: "${A}:${B}"\n    environment: {$A: $B}\n');
    const r = interpolateTree(doc, lookup);
    expect(r.problems).toEqual([]);
    expect(toPlain(r.node)).toEqual({ services: { $SET: { image: 'a:b', environment: { $A: 'b' } } } });
  });

  it('reports every failing value at its own position and keeps going', () => {
    const doc = yamlMap(
      'services:\n  web:\n    image: ${IMG:?set IMG}\n    command: echo $1\n    user: ${A}\n',
      'stack.yml',
    );
    const r = interpolateTree(doc, lookup);
    expect(r.problems).toEqual([
      {
        location: { file: 'stack.yml', line: 3, col: 12 },
        path: ['services', 'web', 'image'],
        message: 'required variable IMG is missing a value: set IMG',
      },
      {
        location: { file: 'stack.yml', line: 4, col: 19 },
        path: ['services', 'web', 'command'],
        message: expect.stringMatching(/invalid interpolation format in "echo \$1"/) as string,
      },
    ]);
    expect((toPlain(r.node) as { services: { web: { user: string } } }).services.web.user).toBe('a');
  });

  it('points at the failing $ inside a value written on one line, plain or quoted', () => {
    const doc = yamlMap(
      [
        'a: x ${NOPE:?one}',
        'b: "y ${EMPTY:-${NOPE?two}} ${SET}"',
        "c: 'z $SET ${EMPTY:?three}'",
        'd: |',
        '  block ${NOPE?four}',
        'e: "esc\\t ${NOPE?five}"',
      ].join('\n'),
      's.yml',
    );
    const where = interpolateTree(doc, lookup).problems.map((p) => `${p.location?.line}:${p.location?.col}`);
    // a: plain, at the ${; b: quoted, nested: at the inner ${; c: single-quoted;
    // d (block scalar) and e (escapes) do not spell the value verbatim: the start of the value.
    expect(where).toEqual(['1:6', '2:16', '3:12', '4:4', '6:4']);
  });

  it('gives the index of the failing $ in the error', () => {
    const at = (t: string) => {
      try {
        expand(t);
      } catch (err) {
        return (err as InterpolationError).index;
      }
      return undefined;
    };
    expect(at('ab $1')).toBe(3);
    expect(at('${A} ${NOPE?x}')).toBe(5);
    expect(at('x${NOPE:-${ALSO:-${GONE?deep}}}')).toBe(17);
    expect(at('${A')).toBe(0);
  });

  it('warns once per unset variable, located at its first use', () => {
    const doc = yamlMap('a: $NOPE\nb: ${NOPE}\nc: $OTHER\n', 'stack.yml');
    const r = interpolateTree(doc, lookup);
    expect(r.warnings).toEqual([
      {
        location: { file: 'stack.yml', line: 1, col: 4 },
        path: 'a',
        message: 'the NOPE variable is not set; using an empty string',
      },
      {
        location: { file: 'stack.yml', line: 3, col: 4 },
        path: 'c',
        message: 'the OTHER variable is not set; using an empty string',
      },
    ]);
  });

  it('casts interpolated numbers and booleans where Compose expects them', () => {
    const doc = yamlMap(
      [
        'services:',
        '  web:',
        '    deploy: {replicas: "${N}"}',
        '    read_only: "${T}"',
        '    cpus: ${C}',
        '    ports: [{target: "${N}"}]',
        '    image: "${N}"',
        'networks:',
        '  n: {external: "${F}"}',
      ].join('\n'),
    );
    const vars: Record<string, string> = { N: '3', T: 'yes', C: '0.5', F: 'false' };
    const r = interpolateTree(doc, (n) => vars[n]);
    expect(toPlain(r.node)).toEqual({
      services: {
        web: { deploy: { replicas: 3 }, read_only: true, cpus: 0.5, ports: [{ target: 3 }], image: '3' },
      },
      networks: { n: { external: false } },
    });
  });

  it('leaves a value that does not cast as a string for the schema to report', () => {
    const r = interpolateTree(yamlMap('services:\n  w:\n    scale: "${N}"\n'), () => 'many');
    expect(toPlain(r.node)).toEqual({ services: { w: { scale: 'many' } } });
  });

  it('shares unchanged subtrees and does not re-expand shared aliases', () => {
    const doc = yamlMap('x: &x {a: 1, b: two}\ny: *x\n');
    const r = interpolateTree(doc, lookup);
    expect(r.node).toBe(doc);
  });
});
