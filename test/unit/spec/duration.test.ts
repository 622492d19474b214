import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from '../../../src/spec/duration.js';

describe('parseDuration', () => {
  it.each([
    ['1m30s', 90_000],
    ['10s', 10_000],
    ['1h', 3_600_000],
    ['500ms', 500],
    ['1.5s', 1500],
    ['2us', 0.002],
    ['100ns', 0.0001],
    ['1h2m3s4ms', 3_723_004],
    ['0', 0],
    ['0s', 0],
    ['.5s', 500],
  ])('%s → %d ms', (text, ms) => {
    expect(parseDuration(text)).toBeCloseTo(ms, 9);
  });

  it('takes plain numbers as seconds, as Compose 1.x does', () => {
    expect(parseDuration(30)).toBe(30_000);
    expect(parseDuration('30')).toBe(30_000);
    expect(parseDuration(1.5)).toBe(1500);
  });

  it.each(['', 'abc', '10y', 's', '1m 30s', '-5s', '5s-', '1.2.3s'])('rejects %j', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });

  it('rejects non-strings and negative numbers', () => {
    expect(parseDuration(true)).toBeUndefined();
    expect(parseDuration(null)).toBeUndefined();
    expect(parseDuration(-1)).toBeUndefined();
    expect(parseDuration(Number.NaN)).toBeUndefined();
  });
});

describe('formatDuration', () => {
  it.each([
    [90_000, '1m30s'],
    [3_600_000, '1h'],
    [500, '500ms'],
    [1500, '1s500ms'],
    [0, '0s'],
    [0.002, '2us'],
    [3_723_004, '1h2m3s4ms'],
  ])('%d ms → %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it('round-trips through parseDuration', () => {
    for (const ms of [1, 999, 61_001, 86_400_000, 0.5, 123.456]) {
      expect(parseDuration(formatDuration(ms))).toBeCloseTo(ms, 9);
    }
  });
});
