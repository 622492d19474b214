/**
 * Running a one-off command on the host to completion (a host process's `build` before `rebuild`
 * restarts it): argv only, its output passed on line by line.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface RunCommandOptions {
  cwd: string;
  env: Record<string, string | undefined>;
  onLine?: (stream: 'stdout' | 'stderr', line: string) => void;
  signal?: AbortSignal;
}

/** Resolves with the exit code (127 when the program is not found). */
export function runCommand(argv: string[], o: RunCommandOptions): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(argv[0]!, argv.slice(1), {
      cwd: o.cwd,
      env: o.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      signal: o.signal,
    });
    for (const stream of ['stdout', 'stderr'] as const)
      createInterface({ input: child[stream] }).on('line', (line) => o.onLine?.(stream, line));
    child.once('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'ENOENT' ? 127 : 126));
    child.once('close', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}
