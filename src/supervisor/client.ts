/**
 * The client side of the control socket: a ProcessHost whose calls go to the project's supervisor (the
 * detached one, or an attached `up`), so a command plans and waits with the same interface either way.
 */
import { createConnection, type Socket } from 'node:net';
import type { ProcessCondition, ProcessHost } from '../model/process-host.js';
import type { ProcessCreateSpec, ProcessSummary } from '../runtime/process/types.js';
import { lineReader, type Hello, type Request, type Response } from './protocol.js';

type Pending = { resolve: (v: unknown) => void; reject: (e: Error) => void };
type Distribute<T> = T extends unknown ? Omit<T, 'id'> : never;

export class RemoteProcessHost implements ProcessHost {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private closedError: Error | undefined;

  private constructor(
    private readonly socket: Socket,
    /** The socket's path (a cancellable wait opens a connection of its own). */
    readonly path: string,
    /** The environment processes this client starts begin from (its own). */
    private readonly env: Record<string, string | undefined>,
    readonly hello: Hello,
  ) {}

  /** Connects to the socket at `path`; rejects when nobody answers there. */
  static async connect(
    path: string,
    env: Record<string, string | undefined> = process.env,
  ): Promise<RemoteProcessHost> {
    const socket = await new Promise<Socket>((resolve, reject) => {
      const s = createConnection(path);
      s.once('connect', () => {
        s.off('error', reject);
        resolve(s);
      });
      s.once('error', reject);
    });
    const host = new RemoteProcessHost(socket, path, env, { pid: 0, project: '', mode: 'detached' });
    socket.setEncoding('utf8');
    socket.on(
      'data',
      lineReader((line) => host.onLine(line)),
    );
    socket.on('error', () => undefined);
    socket.once('close', () => host.onClose());
    const hello = (await host.request({ op: 'hello' })) as Hello;
    Object.assign(host.hello, hello);
    return host;
  }

  list(): Promise<ProcessSummary[]> {
    return this.request({ op: 'list' }) as Promise<ProcessSummary[]>;
  }

  start(spec: ProcessCreateSpec): Promise<ProcessSummary> {
    return this.request({ op: 'start', spec, env: this.env }) as Promise<ProcessSummary>;
  }

  async stop(name: string, o: { timeoutMs?: number } = {}): Promise<void> {
    await this.request({ op: 'stop', name, ...o });
  }

  async remove(name: string, o: { timeoutMs?: number } = {}): Promise<void> {
    await this.request({ op: 'remove', name, ...o });
  }

  async restart(name: string, o: { timeoutMs?: number } = {}): Promise<void> {
    await this.request({ op: 'restart', name, ...o });
  }

  async wait(service: string, condition: ProcessCondition, signal?: AbortSignal): Promise<void> {
    if (!signal) return void (await this.request({ op: 'wait', service, condition }));
    // A wait cannot be taken back over the socket: a separate connection, closed on abort, ends it.
    const own = await RemoteProcessHost.connect(this.path, this.env);
    const onAbort = (): void => own.close();
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      await own.request({ op: 'wait', service, condition });
    } catch (err) {
      if (signal.aborted) throw (signal.reason as Error) ?? new Error('aborted');
      throw err;
    } finally {
      signal.removeEventListener('abort', onAbort);
      own.close();
    }
  }

  /** Asks the supervisor to exit: `release` leaves the processes running, `shutdown` is for after down. */
  async exit(how: 'release' | 'shutdown'): Promise<void> {
    await this.request({ op: how });
  }

  close(): void {
    this.socket.destroy();
  }

  private request(req: Distribute<Request>): Promise<unknown> {
    if (this.closedError) return Promise.reject(this.closedError);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.socket.write(`${JSON.stringify({ ...req, id })}\n`);
    });
  }

  private onLine(line: string): void {
    let res: Response;
    try {
      res = JSON.parse(line) as Response;
    } catch {
      return;
    }
    const p = this.pending.get(res.id);
    if (!p) return;
    this.pending.delete(res.id);
    if (res.ok) p.resolve(res.result);
    else p.reject(new Error(res.error));
  }

  private onClose(): void {
    this.closedError = new Error(
      `the supervisor of project ${this.hello.project || '?'} closed the connection`,
    );
    for (const p of this.pending.values()) p.reject(this.closedError);
    this.pending.clear();
  }
}
