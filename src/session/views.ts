/** The end of an attached session's output, shared by the local supervisor and the swarm session. */
import type { ViewStore } from '../events/store.js';
import type { UiHandle } from '../ui/render.js';
import type { HeadlessOutput } from './headless.js';

export interface SessionViews {
  /** Settles once the engine feed has stopped and delivered its last events. */
  feedDone: Promise<unknown>;
  store: ViewStore;
  ui?: UiHandle;
  headless?: HeadlessOutput;
  detachStore(): void;
}

/** In order: the feed's last events in, the store flushed, the UI drawn a last time and closed (or the headless lines written), the store detached. */
export async function closeViews(v: SessionViews): Promise<void> {
  await v.feedDone;
  v.store.flush();
  v.ui?.close();
  await v.ui?.waitUntilExit();
  await v.headless?.stop();
  v.detachStore();
}
