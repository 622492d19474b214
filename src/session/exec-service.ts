/**
 * `tsstack exec`: a command in a running service container, as `docker compose exec` runs it: stdin
 * attached, a TTY when on a terminal (unless -T), the detach keys, and the command's exit code as tsstack's.
 */
import type { Stack } from '../spec/types.js';
import type { DetachKeys } from './detach-keys.js';
import { runtimeFromEnv } from './project.js';
import { runningServiceContainer } from './service-container.js';
import { connectTerminal, signalExitCode } from './terminal-session.js';

export interface ExecServiceRequest {
  service: string;
  /** Replica number, from 1. */
  index: number;
  command: string[];
  /** KEY=VALUE pairs. */
  env: string[];
  workdir?: string;
  user?: string;
  privileged: boolean;
  tty: boolean;
  /** Run in the background: no streams, exit 0 once started. */
  detach: boolean;
  detachKeys: DetachKeys;
}

/** Docker's words when the detach keys end a session; it exits 1 after them, and so does Compose. */
export const DETACHED_MESSAGE = 'read escape sequence';

/** Runs the command and resolves with the exit code for tsstack. */
export async function execInService(stack: Stack, req: ExecServiceRequest): Promise<number> {
  const runtime = await runtimeFromEnv();
  const target = await runningServiceContainer(runtime, stack, req.service, req.index);
  const exec = {
    cmd: req.command,
    env: req.env,
    workingDir: req.workdir,
    user: req.user,
    privileged: req.privileged,
    tty: req.tty,
    stdin: !req.detach,
    detachKeys: req.detachKeys.text,
  };
  if (req.detach) {
    await runtime.execDetached(target.id, exec);
    return 0;
  }
  const session = await runtime.exec(target.id, exec);
  const end = await connectTerminal(session, { detachKeys: req.detachKeys.bytes, endStdin: true });
  switch (end.kind) {
    case 'detached':
      process.stderr.write(`${DETACHED_MESSAGE}\n`);
      return 1;
    case 'signal':
      return signalExitCode(end.signal);
    case 'ended':
      return session.exitCode;
  }
}
