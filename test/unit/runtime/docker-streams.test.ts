import { describe, expect, it } from 'vitest';
import { apiTimestamp } from '../../../src/runtime/docker-streams.js';

describe('apiTimestamp', () => {
  it('formats Unix seconds as seconds.nanoseconds with nine digits, as the engine parses them', () => {
    expect(apiTimestamp(1714557600)).toBe('1714557600.000000000');
    expect(apiTimestamp(1714557600.424)).toBe('1714557600.424000000');
    expect(apiTimestamp(1714557600.000002)).toBe('1714557600.000002000');
    expect(apiTimestamp(1.9999999)).toBe('2.000000000');
  });
});
