/**
 * `tsstack attach SERVICE`: the terminal connected to a running service container's main process, as
 * `docker compose attach` does: its output from now on, your input when the container keeps stdin open
 * (`stdin_open: true`), raw mode and the window size with a TTY (`tty: true`), the detach keys, and signals
 * forwarded to the process (without a TTY, unless `--sig-proxy=false`). Exits with the container's exit
 * code when it stops; detaching leaves it running.
 */
import type { Stack } from '../spec/types.js';
import type { DetachKeys } from './detach-keys.js';
import { DETACHED_MESSAGE } from './exec-service.js';
import { runtimeFromEnv } from './project.js';
import { runningServiceContainer } from './service-container.js';
import { connectTerminal, signalExitCode } from './terminal-session.js';

export interface AttachServiceRequest {
  service: string;
  /** Replica number, from 1. */
  index: number;
  /** Attach stdin (false with --no-stdin). */
  stdin: boolean;
  sigProxy: boolean;
  detachKeys: DetachKeys;
}

/** Attaches until the container stops, the user detaches, or a signal ends it; resolves with the exit code. */
export async function attachService(stack: Stack, req: AttachServiceRequest): Promise<number> {
  const runtime = await runtimeFromEnv();
  const target = await runningServiceContainer(runtime, stack, req.service, req.index, 'attach');
  const session = await runtime.attachContainer(target.id, {
    stdin: req.stdin,
    detachKeys: req.detachKeys.text,
  });
  const proxy = req.sigProxy && !session.tty;
  const end = await connectTerminal(session, {
    detachKeys: req.detachKeys.bytes,
    // The container's stdin stays open when ours ends: other clients may still write to it.
    endStdin: false,
    proxySignal: proxy
      ? (signal) => void runtime.killContainer(target.id, signal).catch(() => undefined)
      : undefined,
  });
  switch (end.kind) {
    case 'detached':
      process.stderr.write(`${DETACHED_MESSAGE}\n`);
      return 1;
    case 'signal':
      return signalExitCode(end.signal);
    case 'ended':
      return runtime.waitContainer(target.id);
  }
}
