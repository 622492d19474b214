/**
 * Connects the user's terminal to a process's standard streams (an exec, a one-off container, an attached
 * service container), as `docker compose run|exec|attach` do: output copied out, input copied in, raw mode
 * and the window size forwarded when the session has a TTY, the detach keys watched for, and signals either
 * forwarded to the process or taken as a request to leave. Everything it changes is undone when it returns.
 */
import { constants } from 'node:os';
import { finished } from 'node:stream/promises';
import type { StreamSession } from '../runtime/types.js';
import { EscapeDetector } from './detach-keys.js';
import { enterRawMode, type RawTerminal } from './raw-mode.js';

/** How a session ended: the engine closed it, the detach keys were typed, or tsstack got a signal. */
export type SessionEnd =
  { kind: 'ended' } | { kind: 'detached' } | { kind: 'signal'; signal: NodeJS.Signals };

export interface TerminalIo {
  stdin: NodeJS.ReadableStream & RawTerminal;
  stdout: NodeJS.WritableStream & { isTTY?: boolean; rows?: number; columns?: number };
  stderr: NodeJS.WritableStream;
  /** Where signals and the process's exit are heard (the process). */
  process: NodeJS.EventEmitter;
}

export interface ConnectOptions {
  /** Looked for in the input when the session has a TTY; typing them ends the session as detached. */
  detachKeys?: Buffer;
  /** End the process's stdin when ours ends (run, exec); attach leaves the connection open for output. */
  endStdin: boolean;
  /** Forward signals to the process (no TTY, `--sig-proxy`); without it a signal ends the session. */
  proxySignal?: (signal: NodeJS.Signals) => void;
  io?: TerminalIo;
}

/** Signals forwarded to the process, as Docker's CLI forwards them (it leaves out the ones about itself). */
const PROXIED: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2'];
const LEAVING: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
/** With signals forwarded, this many Ctrl-C leave anyway: a process that ignores SIGINT cannot hold you. */
const INTERRUPTS_TO_LEAVE = 3;

/** The shell's exit code for a process ended by `signal` (130 for SIGINT). */
export function signalExitCode(signal: NodeJS.Signals): number {
  return 128 + (constants.signals[signal] ?? 1);
}

function processIo(): TerminalIo {
  return { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, process };
}

/** Runs the session until the engine closes it, the user detaches, or a signal says leave. */
export async function connectTerminal(session: StreamSession, opts: ConnectOptions): Promise<SessionEnd> {
  const io = opts.io ?? processIo();
  const { stdin, stdout } = io;
  const cleanups: (() => void)[] = [];
  let settle: (end: SessionEnd) => void = () => undefined;
  const left = new Promise<SessionEnd>((resolve) => (settle = resolve));
  try {
    session.stdout.pipe(stdout, { end: false });
    session.stderr.pipe(io.stderr, { end: false });
    cleanups.push(
      () => session.stdout.unpipe(stdout),
      () => session.stderr.unpipe(io.stderr),
    );

    if (session.tty && stdout.isTTY) cleanups.push(forwardWindowSize(session, stdout, left));
    if (session.stdin) {
      if (session.tty) cleanups.push(enterRawMode(stdin, io.process));
      cleanups.push(copyInput(session, stdin, opts, () => settle({ kind: 'detached' })));
    }
    cleanups.push(
      handleSignals(io.process, opts.proxySignal, (signal) => settle({ kind: 'signal', signal })),
    );

    const ended = session.closed.then(async () => {
      // Everything the process wrote is out before the caller prints anything or exits.
      await Promise.all([finished(session.stdout), finished(session.stderr)]).catch(() => undefined);
      return { kind: 'ended' } as const;
    });
    const end = await Promise.race([left, ended]);
    if (end.kind !== 'ended') session.close();
    return end;
  } finally {
    for (const undo of cleanups.reverse()) undo();
  }
}

/** Copies typed bytes into the session with backpressure, watching for the detach keys when it has a TTY. */
function copyInput(
  session: StreamSession,
  stdin: TerminalIo['stdin'],
  opts: ConnectOptions,
  onDetach: () => void,
): () => void {
  const sink = session.stdin as NodeJS.WritableStream;
  const detector = session.tty && opts.detachKeys ? new EscapeDetector(opts.detachKeys) : undefined;
  const onDrain = (): void => void stdin.resume();
  const send = (bytes: Buffer): void => {
    if (bytes.length > 0 && !sink.write(bytes)) {
      stdin.pause();
      sink.once('drain', onDrain);
    }
  };
  const onData = (chunk: Buffer | string): void => {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    if (!detector) return send(bytes);
    const r = detector.push(bytes);
    send(r.forward);
    if (r.detached) onDetach();
  };
  const onEnd = (): void => {
    if (detector) send(detector.flush());
    if (opts.endStdin) sink.end();
  };
  // A closed connection must not throw from a late write (the session reports its own end).
  const onError = (): void => undefined;
  stdin.on('data', onData);
  stdin.on('end', onEnd);
  sink.on('error', onError);
  stdin.resume();
  return () => {
    stdin.off('data', onData);
    stdin.off('end', onEnd);
    sink.off('drain', onDrain);
    // Stop reading the terminal so the process can exit (a paused stdin holds no event loop reference).
    stdin.pause();
  };
}

/** Sets the session's TTY to the window's size now (retrying while the process starts) and on every resize. */
function forwardWindowSize(
  session: StreamSession,
  stdout: TerminalIo['stdout'],
  left: Promise<unknown>,
): () => void {
  let stopped = false;
  const size = (): [number, number] | undefined =>
    stdout.rows && stdout.columns ? [stdout.rows, stdout.columns] : undefined;
  const onResize = (): void => {
    const s = size();
    if (s && !stopped) session.resize(...s).catch(() => undefined);
  };
  void (async () => {
    // An exec's process may not exist yet when the connection opens: the engine refuses a resize until then.
    for (let attempt = 0; attempt < 10 && !stopped; attempt++) {
      const s = size();
      if (!s) return;
      const ok = await session.resize(...s).then(
        () => true,
        () => false,
      );
      if (ok) return;
      await Promise.race([
        new Promise((r) => setTimeout(r, 50 * (attempt + 1)).unref()),
        left,
        session.closed,
      ]);
    }
  })();
  stdout.on('resize', onResize);
  return () => {
    stopped = true;
    stdout.off('resize', onResize);
  };
}

/** Installs the signal handlers for the session's lifetime. */
function handleSignals(
  proc: NodeJS.EventEmitter,
  proxy: ((signal: NodeJS.Signals) => void) | undefined,
  leave: (signal: NodeJS.Signals) => void,
): () => void {
  let interrupts = 0;
  const handlers = (proxy ? PROXIED : LEAVING).map((signal) => {
    const handler = (): void => {
      if (!proxy) return leave(signal);
      if (signal === 'SIGINT' && ++interrupts >= INTERRUPTS_TO_LEAVE) return leave(signal);
      proxy(signal);
    };
    proc.on(signal, handler);
    return [signal, handler] as const;
  });
  return () => {
    for (const [signal, handler] of handlers) proc.off(signal, handler);
  };
}
