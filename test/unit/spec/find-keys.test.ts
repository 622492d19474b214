import { describe, expect, it } from 'vitest';
import { findKeys } from '../../../src/spec/unsupported.js';

describe('findKeys', () => {
  const data = {
    services: {
      web: { a: 1, b: [{ c: 1 }, { d: 1 }, { c: 2 }], 'x-a': 1 },
      'x-skip': { a: 1 },
      db: { b: [{ c: 3 }], a: 2 },
    },
    top: [1, 2],
  };

  it('lists matches pattern by pattern, each in document order, one walk for all', () => {
    expect(
      findKeys(data, [
        ['services', '*', 'b', '#', 'c'],
        ['services', '*', 'a'],
        ['top', '#'],
        ['services', 'db', 'a'],
        ['services', '*', 'a'],
        ['missing', '*'],
      ]),
    ).toEqual([
      ['services', 'web', 'b', 0, 'c'],
      ['services', 'web', 'b', 2, 'c'],
      ['services', 'db', 'b', 0, 'c'],
      ['services', 'web', 'a'],
      ['services', 'db', 'a'],
      ['top', 0],
      ['top', 1],
      ['services', 'db', 'a'],
      ['services', 'web', 'a'],
      ['services', 'db', 'a'],
    ]);
  });

  it('matches list items only in lists and keys only in mappings', () => {
    expect(
      findKeys({ a: { 0: 'x' }, b: ['y'] }, [
        ['a', '#'],
        ['b', '*'],
        ['b', '#'],
      ]),
    ).toEqual([['b', 0]]);
  });
});
