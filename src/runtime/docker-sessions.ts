/**
 * Hijacked connections to a process's standard streams: `exec` (a new process in a running container) and
 * `attach` (a container's main process). Without a TTY the engine multiplexes stdout and stderr in frames.
 */
import { PassThrough, type Duplex } from 'node:stream';
import { finished } from 'node:stream/promises';
import type Docker from 'dockerode';
import { FrameDecoder } from './demux.js';
import { engineCall, toEngineError } from './docker-errors.js';
import type { AttachRequest, ExecRequest, ExecSession, StreamSession } from './types.js';

type Streams = Pick<StreamSession, 'stdout' | 'stderr' | 'closed' | 'close'>;

/** Splits the engine's answer into stdout and stderr; both end when the connection closes. */
function hijackedStreams(socket: Duplex, tty: boolean): Streams {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  if (tty) {
    socket.on('data', (chunk: Buffer) => stdout.write(chunk));
  } else {
    const frames = new FrameDecoder();
    socket.on('data', (chunk: Buffer) => {
      for (const f of frames.push(chunk)) (f.stream === 'stderr' ? stderr : stdout).write(f.payload);
    });
  }
  const closed = new Promise<void>((resolve) => {
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      stdout.end();
      stderr.end();
      resolve();
    };
    socket.on('end', finish);
    socket.on('close', finish);
    socket.on('error', finish);
  });
  return { stdout, stderr, closed, close: () => socket.destroy() };
}

/** Starts a command in a running container over a hijacked connection; demultiplexed unless it has a TTY. */
export async function execInContainer(docker: Docker, id: string, req: ExecRequest): Promise<ExecSession> {
  const what = `exec ${req.cmd.join(' ')} in container ${id}`;
  const exec = await createExec(docker, id, req, what);
  const socket = (await engineCall(what, () =>
    exec.start({ hijack: true, stdin: req.stdin, Tty: req.tty }),
  )) as Duplex;
  const streams = hijackedStreams(socket, req.tty);
  let detached = false;
  const exitCode = streams.closed.then(async () => {
    // The stream can close a moment before the engine records the exit code.
    for (let i = 0; i < 50 && !detached; i++) {
      const r = (await engineCall(what, () => exec.inspect())) as {
        Running?: boolean;
        ExitCode?: number | null;
      };
      if (!r.Running && r.ExitCode !== null && r.ExitCode !== undefined) return r.ExitCode;
      await new Promise((res) => setTimeout(res, 20));
    }
    const why = detached ? 'detached from the session' : 'the engine did not report an exit code';
    throw toEngineError(new Error(why), what);
  });
  // Callers that never read exitCode must not see an unhandled rejection.
  exitCode.catch(() => undefined);
  return {
    ...streams,
    tty: req.tty,
    ...(req.stdin ? { stdin: socket } : {}),
    close: () => {
      detached = true;
      streams.close();
    },
    resize: async (rows: number, cols: number) => {
      await engineCall(`resize exec in container ${id}`, () => exec.resize({ h: rows, w: cols }));
    },
    exitCode,
  };
}

/** Starts a command in the background (`exec -d`): the engine runs it with no connection held open. */
export async function execDetached(docker: Docker, id: string, req: ExecRequest): Promise<void> {
  const what = `exec ${req.cmd.join(' ')} in container ${id}`;
  const exec = await createExec(docker, id, { ...req, stdin: false }, what);
  const answer = (await engineCall(what, () => exec.start({ Detach: true, Tty: req.tty }))) as
    NodeJS.ReadableStream | undefined;
  // The (empty) answer is a stream: read it to its end, or it holds the connection and the process open.
  if (answer && typeof answer.resume === 'function') {
    answer.resume();
    await finished(answer).catch(() => undefined);
  }
}

function createExec(docker: Docker, id: string, req: ExecRequest, what: string): Promise<Docker.Exec> {
  return engineCall(what, () =>
    docker.getContainer(id).exec({
      Cmd: req.cmd,
      Env: req.env,
      WorkingDir: req.workingDir,
      User: req.user,
      Privileged: req.privileged ?? false,
      Tty: req.tty,
      AttachStdin: req.stdin,
      AttachStdout: true,
      AttachStderr: true,
      ...(req.detachKeys !== undefined ? { DetachKeys: req.detachKeys } : {}),
    }),
  );
}

/** Attaches to a container's main process from now on; stdin only when the container keeps it open. */
export async function attachToContainer(
  docker: Docker,
  id: string,
  req: AttachRequest,
): Promise<StreamSession> {
  const what = `attach to container ${id}`;
  const container = docker.getContainer(id);
  const info = (await engineCall(what, () => container.inspect())) as {
    Config?: { Tty?: boolean; OpenStdin?: boolean };
  };
  const tty = info.Config?.Tty === true;
  const stdin = req.stdin && info.Config?.OpenStdin === true;
  const socket = (await engineCall(what, () =>
    container.attach({
      stream: true,
      stdin,
      stdout: true,
      stderr: true,
      hijack: true,
      ...(req.detachKeys !== undefined ? { detachKeys: req.detachKeys } : {}),
    }),
  )) as Duplex;
  return {
    ...hijackedStreams(socket, tty),
    tty,
    ...(stdin ? { stdin: socket } : {}),
    resize: async (rows: number, cols: number) => {
      await engineCall(`resize the terminal of container ${id}`, () =>
        container.resize({ h: rows, w: cols }),
      );
    },
  };
}
