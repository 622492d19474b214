/**
 * Opens an engine event subscription the way its readers need it: `ready` settles once the engine holds
 * the subscription (or the stream failed or ended before), so state read after it misses no event, and
 * `first` is the pending first event (already asked for, its rejection handled here).
 */
import type { EngineEvent, LabelFilter, Runtime } from './types.js';

export interface Subscription {
  iter: AsyncIterator<EngineEvent>;
  first: Promise<IteratorResult<EngineEvent>>;
  ready: Promise<void>;
}

export function subscribeEvents(
  runtime: Pick<Runtime, 'events'>,
  filter: LabelFilter,
  signal: AbortSignal,
  since?: number,
): Subscription {
  let held = () => {};
  const subscribed = new Promise<void>((resolve) => (held = resolve));
  const iter = runtime.events(filter, signal, () => held(), since)[Symbol.asyncIterator]();
  const first = iter.next();
  first.catch(() => undefined);
  return { iter, first, ready: Promise.race([subscribed, first]).then(() => undefined) };
}
