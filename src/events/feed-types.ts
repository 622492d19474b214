/** Vocabulary the engine feed's parts share. */
import type { Runtime } from '../runtime/types.js';

/** What the engine feed asks of the engine. */
export type FeedRuntime = Pick<Runtime, 'events' | 'listContainers' | 'inspectContainer' | 'logs' | 'stats'>;

/** A container of the stack as its labels and name say. */
export interface Identity {
  service: string;
  replica: number;
  name: string;
}

/** Where a container's log is shown from: after a time (Unix seconds), the last `tail` lines, or all of it. */
export interface LogOrigin {
  since?: number;
  tail?: number;
}
