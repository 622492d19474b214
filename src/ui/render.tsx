/** Mounts the live UI on a terminal and returns a handle to wait for it or take it down. */
import { render } from 'ink';
import type { EventBus } from '../events/bus.js';
import { ViewStore } from '../events/store.js';
import { App, type UiCallbacks, type UiMode } from './App.js';

export interface StartUiOptions {
  bus: EventBus;
  /** The store to render; when absent one is created and attached to `bus`. */
  store?: ViewStore;
  callbacks: UiCallbacks;
  stdout?: NodeJS.WriteStream;
  stdin?: NodeJS.ReadStream;
  mode?: UiMode;
  env?: Record<string, string | undefined>;
}

export interface UiHandle {
  store: ViewStore;
  /** Resolves when the UI is unmounted. */
  waitUntilExit(): Promise<void>;
  /** Unmounts the UI (after a final render of the latest state) and restores the terminal. */
  close(): void;
}

/** Whether the UI should use colour: NO_COLOR unset and a TTY. */
export function uiColor(stdout: { isTTY?: boolean }, env: Record<string, string | undefined>): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  return stdout.isTTY === true;
}

/** Renders the App; Ctrl-C goes to the App's callbacks, not to Ink. */
export function startUi(options: StartUiOptions): UiHandle {
  const stdout = options.stdout ?? process.stdout;
  const stdin = options.stdin ?? process.stdin;
  const env = options.env ?? process.env;
  let detach: (() => void) | undefined;
  let store = options.store;
  if (!store) {
    store = new ViewStore();
    detach = store.attach(options.bus);
  }
  const instance = render(
    <App
      store={store}
      callbacks={options.callbacks}
      mode={options.mode ?? 'up'}
      color={uiColor(stdout, env)}
    />,
    { stdout, stdin, exitOnCtrlC: false, patchConsole: true, maxFps: 10 },
  );
  let closed = false;
  const exited = instance.waitUntilExit().then(
    () => undefined,
    () => undefined,
  );
  const finalStore = store;
  return {
    store: finalStore,
    waitUntilExit: () => exited,
    close() {
      if (closed) return;
      closed = true;
      finalStore.flush();
      detach?.();
      instance.unmount();
    },
  };
}
