/** Busy processes that keep the machine's CPUs loaded while a test runs (to shake out races, never to time). */
import { spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';

/** Starts one spinning process per CPU (or `n`); the returned function ends them and waits for their exit. */
export function loadCpus(n = availableParallelism()): () => Promise<void> {
  const children = Array.from({ length: n }, () =>
    spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }),
  );
  return async () => {
    await Promise.all(
      children.map(
        (c) =>
          new Promise<void>((resolve) => {
            if (c.exitCode !== null || c.signalCode !== null) return resolve();
            c.once('exit', () => resolve());
            c.kill('SIGKILL');
          }),
      ),
    );
  };
}
