import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { relaySignals } from '../../../src/session/signal-relay.js';

function target() {
  const t = new EventEmitter();
  return { t, on: t as unknown as Pick<NodeJS.Process, 'on' | 'off'> };
}

describe('relaySignals', () => {
  it('holds signals that arrive before anyone listens, then delivers them in order', async () => {
    const { t, on } = target();
    const relay = relaySignals(on);
    t.emit('SIGHUP');
    t.emit('SIGTERM');
    t.emit('SIGHUP');
    const seen: string[] = [];
    relay.signals.on('SIGTERM', () => seen.push('TERM'));
    relay.signals.on('SIGHUP', () => seen.push('HUP'));
    expect(seen).toEqual([]);
    await Promise.resolve();
    expect(seen).toEqual(['HUP', 'TERM', 'HUP']);
    // Once delivered, not again; later signals go straight through.
    t.emit('SIGTERM');
    expect(seen).toEqual(['HUP', 'TERM', 'HUP', 'TERM']);
    relay.close();
  });

  it('keeps a signal nobody listens for held, and stops listening on close', async () => {
    const { t, on } = target();
    const relay = relaySignals(on);
    expect(t.listenerCount('SIGINT')).toBe(1);
    t.emit('SIGINT');
    const seen: string[] = [];
    relay.signals.on('SIGHUP', () => seen.push('HUP'));
    await Promise.resolve();
    expect(seen).toEqual([]);
    relay.signals.on('SIGINT', () => seen.push('INT'));
    await Promise.resolve();
    expect(seen).toEqual(['INT']);
    relay.close();
    expect(['SIGINT', 'SIGTERM', 'SIGHUP'].map((s) => t.listenerCount(s))).toEqual([0, 0, 0]);
  });
});
