/**
 * Runs `fn` with a signal that aborts on the first SIGINT or SIGTERM (Ctrl-C ends a follow, a watch or a
 * live table cleanly: the command returns, cleanup runs, exit 0), and removes its handlers afterwards.
 */
export async function untilSignal<T>(fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const abort = new AbortController();
  const stop = () => abort.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    return await fn(abort.signal);
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}
