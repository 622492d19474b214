/**
 * Raw mode on the user's terminal for an interactive session (keys go to the container as typed, Ctrl-C
 * included), restored on every way out: the normal end, an error thrown through the session, a signal the
 * session handles, and the process exiting while still raw (an uncaught exception, `process.exit`).
 */

export interface RawTerminal {
  isTTY?: boolean;
  isRaw?: boolean;
  setRawMode?(mode: boolean): unknown;
}

/** Puts `stdin` in raw mode when it is a terminal; returns the function that restores it (idempotent). */
export function enterRawMode(stdin: RawTerminal, proc: NodeJS.EventEmitter = process): () => void {
  if (!stdin.isTTY || typeof stdin.setRawMode !== 'function') return () => undefined;
  const wasRaw = stdin.isRaw === true;
  let restored = false;
  const restore = (): void => {
    if (restored) return;
    restored = true;
    proc.off('exit', restore);
    try {
      stdin.setRawMode?.(wasRaw);
    } catch {
      // The terminal is gone (hung up): nothing left to restore.
    }
  };
  // 'exit' handlers run synchronously, even after an uncaught exception: the terminal is never left raw.
  proc.on('exit', restore);
  stdin.setRawMode(true);
  return restore;
}
