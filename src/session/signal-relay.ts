/**
 * An attached `up` starts the stack before its session listens for signals (host processes are started
 * first, then taken over). A Ctrl-C, SIGTERM or SIGHUP in that window would end Node at once, leaving what
 * it started unsupervised; the relay holds such signals and hands them, in order, to the session's
 * listeners once they are in place.
 */
import { EventEmitter } from 'node:events';

const RELAYED = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
type Relayed = (typeof RELAYED)[number];

export interface SignalRelay {
  /** What the session listens on instead of `process`. */
  signals: Pick<NodeJS.Process, 'on' | 'off'>;
  /** Stops relaying: the signals' default actions apply again. */
  close(): void;
}

/** Listens on `target` (default `process`) from now on; see the module comment. */
export function relaySignals(target: Pick<NodeJS.Process, 'on' | 'off'> = process): SignalRelay {
  const relay = new EventEmitter();
  const held: Relayed[] = [];
  const flush = () => {
    const waiting = held.splice(0);
    for (const name of waiting) {
      if (relay.listenerCount(name) > 0) relay.emit(name, name);
      else held.push(name);
    }
  };
  // A session adds its listeners one after another in one go: deliver once they all are in place.
  relay.on('newListener', (name: string | symbol) => {
    if (held.includes(name as Relayed)) queueMicrotask(flush);
  });
  const handlers = RELAYED.map((name) => {
    // In order behind any still held: delivered now if listened for, else held.
    const handler = () => {
      held.push(name);
      flush();
    };
    target.on(name, handler);
    return [name, handler] as const;
  });
  return {
    signals: relay as unknown as Pick<NodeJS.Process, 'on' | 'off'>,
    close: () => {
      for (const [name, handler] of handlers) target.off(name, handler);
    },
  };
}
