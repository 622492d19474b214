/**
 * The server side of the control socket: answers requests with a ProcessSupervisor. Used by the detached
 * supervisor and by an attached `up` alike, so `ps`, `logs`, `stop` and `down` in another terminal reach
 * whichever one supervises the project's processes.
 */
import { chmodSync, mkdirSync, unlinkSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { dirname } from 'node:path';
import type { ProcessSupervisor } from '../scheduler/process-supervisor.js';
import { lineReader, type Hello, type Request, type Response } from './protocol.js';

export interface ControlServerOptions {
  path: string;
  supervisor: ProcessSupervisor;
  mode: Hello['mode'];
  /** After `shutdown` or `release` was answered; `release` must leave the processes running. */
  onExit: (how: 'shutdown' | 'release') => void;
  /** Why this server refuses to release its processes (an attached `up` owns them), or undefined. */
  refuseRelease?: () => string | undefined;
}

export interface ControlServer {
  close(): Promise<void>;
}

/** The socket already answers: another supervisor owns the project. */
export class SupervisorRunning extends Error {}

/** Listens on the project's socket (taking over a stale one); throws SupervisorRunning when one answers. */
export async function serveControl(o: ControlServerOptions): Promise<ControlServer> {
  mkdirSync(dirname(o.path), { recursive: true, mode: 0o700 });
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    handle(socket, o);
  });
  await listen(server, o.path);
  chmodSync(o.path, 0o600);
  return {
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

async function listen(server: Server, path: string): Promise<void> {
  try {
    await listenOnce(server, path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
    if (await answers(path)) throw new SupervisorRunning(`a supervisor already answers on ${path}`);
    // Left by a supervisor that was killed: nobody listens behind it.
    unlinkSync(path);
    await listenOnce(server, path);
  }
}

function listenOnce(server: Server, path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** Whether something accepts connections on the socket. */
export function answers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createConnection(path);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

function handle(socket: Socket, o: ControlServerOptions): void {
  const hangUp = new AbortController();
  socket.once('close', () => hangUp.abort(new Error('the client hung up')));
  socket.on('error', () => socket.destroy());
  const send = (r: Response): void => {
    if (!socket.destroyed) socket.write(`${JSON.stringify(r)}\n`);
  };
  socket.setEncoding('utf8');
  socket.on(
    'data',
    lineReader((line) => {
      let req: Request;
      try {
        req = JSON.parse(line) as Request;
      } catch {
        return send({ id: -1, ok: false, error: 'not a JSON request' });
      }
      answer(req, o, hangUp.signal).then(
        (result) => {
          send({ id: req.id, ok: true, result });
          if (req.op === 'shutdown' || req.op === 'release') o.onExit(req.op);
        },
        (err: unknown) =>
          send({ id: req.id, ok: false, error: err instanceof Error ? err.message : String(err) }),
      );
    }),
  );
}

async function answer(req: Request, o: ControlServerOptions, signal: AbortSignal): Promise<unknown> {
  const s = o.supervisor;
  switch (req.op) {
    case 'hello':
      return { pid: process.pid, project: s.project, mode: o.mode } satisfies Hello;
    case 'list':
      return s.list();
    case 'start':
      return s.start(req.spec, req.env);
    case 'stop':
      return s.stop(req.name, { timeoutMs: req.timeoutMs });
    case 'remove':
      return s.remove(req.name, { timeoutMs: req.timeoutMs });
    case 'restart':
      return s.restart(req.name, { timeoutMs: req.timeoutMs });
    case 'wait':
      return s.wait(req.service, req.condition, signal);
    case 'release': {
      const refused = o.refuseRelease?.();
      if (refused) throw new Error(refused);
      return undefined;
    }
    case 'shutdown':
      return undefined;
  }
}
