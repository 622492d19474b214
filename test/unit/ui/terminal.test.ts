import { describe, expect, it } from 'vitest';
import { chooseLiveUi, ciVariable, liveUiUnavailable } from '../../../src/ui/terminal.js';

const tty = { isTTY: true };
const pipe = {};

describe('whether the live UI can be drawn', () => {
  it('needs both ends to be terminals', () => {
    expect(liveUiUnavailable(tty, tty, {})).toBeUndefined();
    expect(liveUiUnavailable(tty, pipe, {})).toBe('standard output is not a terminal');
    expect(liveUiUnavailable(pipe, tty, {})).toBe('standard input is not a terminal');
  });

  it('is off when CI or CONTINUOUS_INTEGRATION is set to anything but 0 or false, as Ink decides', () => {
    expect(ciVariable({ CI: 'true' })).toBe('CI=true');
    expect(ciVariable({ CI: '' })).toBe('CI=');
    expect(ciVariable({ CONTINUOUS_INTEGRATION: '1' })).toBe('CONTINUOUS_INTEGRATION=1');
    expect(ciVariable({ CI: '0' })).toBeUndefined();
    expect(ciVariable({ CI: 'false', CONTINUOUS_INTEGRATION: 'false' })).toBeUndefined();
    expect(liveUiUnavailable(tty, tty, { CI: '1' })).toContain('CI=1 is set');
  });

  it('tells a terminal user why it is off, but says nothing when output is piped or --headless is given', () => {
    expect(chooseLiveUi(undefined, { stdin: tty, stdout: tty, env: {} })).toEqual({ ui: true });
    expect(chooseLiveUi(true, { stdin: tty, stdout: tty, env: {} })).toEqual({ ui: false });
    expect(chooseLiveUi(undefined, { stdin: tty, stdout: pipe, env: { CI: 'true' } })).toEqual({ ui: false });
    const ci = chooseLiveUi(undefined, { stdin: tty, stdout: tty, env: { CI: 'true' } });
    expect(ci.ui).toBe(false);
    expect(ci.notice).toMatch(/no live UI: CI=true is set.*printing log lines/);
  });
});
