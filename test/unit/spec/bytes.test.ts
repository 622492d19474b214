import { describe, expect, it } from 'vitest';
import { parseBytes } from '../../../src/spec/bytes.js';

describe('parseBytes', () => {
  it.each([
    ['512m', 512 * 1024 ** 2],
    ['1g', 1024 ** 3],
    ['1.5gb', 1.5 * 1024 ** 3],
    ['100k', 102_400],
    ['1024b', 1024],
    ['1024', 1024],
    ['2GiB', 2 * 1024 ** 3],
    ['64M', 64 * 1024 ** 2],
    ['1 g', 1024 ** 3],
    ['1t', 1024 ** 4],
  ])('%s → %d bytes', (text, bytes) => {
    expect(parseBytes(text)).toBe(bytes);
  });

  it('takes plain numbers as bytes', () => {
    expect(parseBytes(2048)).toBe(2048);
    expect(parseBytes(0)).toBe(0);
  });

  it.each(['', 'abc', '1x', '-1m', '1..5g', 'm', '1ib', '1 2m'])('rejects %j', (text) => {
    expect(parseBytes(text)).toBeUndefined();
  });

  it('rejects other types and negative numbers', () => {
    expect(parseBytes(true)).toBeUndefined();
    expect(parseBytes({})).toBeUndefined();
    expect(parseBytes(-5)).toBeUndefined();
  });
});
