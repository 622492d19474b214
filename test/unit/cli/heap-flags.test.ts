import { describe, expect, it } from 'vitest';
import { SUPERVISOR_V8_FLAGS, tuneHeapForSupervisor } from '../../../src/session/heap-flags.js';

describe('tuneHeapForSupervisor', () => {
  it('applies the supervisor flags by default, TSSTACK_V8_FLAGS instead when set (empty: none)', () => {
    expect(tuneHeapForSupervisor({})).toEqual(SUPERVISOR_V8_FLAGS);
    expect(SUPERVISOR_V8_FLAGS).toContain('--semi-space-growth-factor=1');
    expect(tuneHeapForSupervisor({ TSSTACK_V8_FLAGS: '' })).toEqual([]);
    expect(tuneHeapForSupervisor({ TSSTACK_V8_FLAGS: ' --heap-growing-percent=50  ' })).toEqual([
      '--heap-growing-percent=50',
    ]);
  });
});
