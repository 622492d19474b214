import { describe, expect, it } from 'vitest';
import { EventBus } from '../../src/events/bus.js';
import type { StackEvent } from '../../src/events/types.js';

describe('EventBus', () => {
  it('delivers events to subscribers until they unsubscribe', () => {
    const bus = new EventBus();
    const seen: StackEvent[] = [];
    const off = bus.subscribe((e) => seen.push(e));
    bus.emit({ kind: 'warning', message: 'one' });
    off();
    bus.emit({ kind: 'warning', message: 'two' });
    expect(seen).toEqual([{ kind: 'warning', message: 'one' }]);
    expect(bus.listenerCount).toBe(0);
  });
});
