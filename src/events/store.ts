/**
 * The store: folds bus events into the view model and tells subscribers about it at a bounded rate.
 * Many events a second (logs, stats) become at most `maxRateHz` notifications; none when nothing changed.
 */
import type { EventBus } from './bus.js';
import type { StackEvent } from './types.js';
import { initialViewState, reduce, type ViewConfig, type ViewState } from './view-model.js';

export type StoreListener = (state: ViewState) => void;

export interface StoreOptions {
  /** Notifications per second at most (default 10). */
  maxRateHz?: number;
  config?: Partial<ViewConfig>;
  /** Clock in unix ms (tests pass a fake one). */
  now?: () => number;
}

export class ViewStore {
  private state: ViewState;
  private notified: ViewState;
  private readonly listeners = new Set<StoreListener>();
  private readonly intervalMs: number;
  private readonly now: () => number;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private lastNotifyAt = Number.NEGATIVE_INFINITY;

  constructor(options: StoreOptions = {}) {
    this.state = initialViewState(options.config);
    this.notified = this.state;
    this.intervalMs = 1000 / Math.max(0.1, options.maxRateHz ?? 10);
    this.now = options.now ?? Date.now;
  }

  /** The current state (always up to date, whatever the notification rate). */
  getState(): ViewState {
    return this.state;
  }

  /** Folds one event; schedules a notification when the state changed. */
  dispatch(event: StackEvent): void {
    const next = reduce(this.state, event, this.now());
    if (next === this.state) return;
    this.state = next;
    this.schedule();
  }

  /** Folds every event of `bus` from now on; returns the function that stops. */
  attach(bus: EventBus): () => void {
    return bus.subscribe((e) => this.dispatch(e));
  }

  /** Calls `listener` with the state after changes, at most `maxRateHz` times a second. */
  subscribe(listener: StoreListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** Notifies now if anything changed since the last notification (e.g. before exiting). */
  flush(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    this.notify();
  }

  /** Cancels a pending notification; the store stays usable. */
  dispose(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.listeners.clear();
  }

  private schedule(): void {
    if (this.timer !== undefined) return;
    const wait = Math.max(0, this.lastNotifyAt + this.intervalMs - this.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.notify();
    }, wait);
  }

  private notify(): void {
    if (this.state === this.notified) return;
    this.notified = this.state;
    this.lastNotifyAt = this.now();
    for (const listener of this.listeners) listener(this.state);
  }
}

/** A store folding the events of `bus`. */
export function createStore(
  bus: EventBus,
  options: StoreOptions = {},
): { store: ViewStore; detach: () => void } {
  const store = new ViewStore(options);
  const detach = store.attach(bus);
  return { store, detach };
}
