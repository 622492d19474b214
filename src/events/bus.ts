import { EventEmitter } from 'eventemitter3';
import type { StackEvent } from './types.js';

export type StackEventListener = (event: StackEvent) => void;

/** The typed event bus: emitters publish `StackEvent`s, subscribers (UI, headless log, JSON) listen. */
export class EventBus {
  private readonly emitter = new EventEmitter<{ event: [StackEvent] }>();

  /** Publishes one event to every subscriber, synchronously. */
  emit(event: StackEvent): void {
    this.emitter.emit('event', event);
  }

  /** Subscribes; returns the function that unsubscribes. */
  subscribe(listener: StackEventListener): () => void {
    this.emitter.on('event', listener);
    return () => {
      this.emitter.off('event', listener);
    };
  }

  get listenerCount(): number {
    return this.emitter.listenerCount('event');
  }
}
