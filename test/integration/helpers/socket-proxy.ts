/** A unix-socket proxy in front of the Docker socket that a test can cut and restore (an engine outage without restarting the shared dockerd). */
import { rmSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { engineSocket } from './engine-socket.js';

export class SocketProxy {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  /** Connections accepted while up (reconnect attempts show here). */
  accepted = 0;

  constructor(
    readonly path: string,
    readonly target = engineSocket(),
  ) {}

  /** Starts (or restores) listening on `path`. */
  async up(): Promise<void> {
    rmSync(this.path, { force: true });
    const server = createServer((client) => {
      this.accepted++;
      const engine = createConnection(this.target);
      for (const s of [client, engine]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => {
          client.destroy();
          engine.destroy();
        });
      }
      client.pipe(engine).pipe(client);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.path, () => resolve());
    });
    this.server = server;
  }

  /** Cuts every open connection and stops answering: callers see the engine gone (ENOENT on connect). */
  async cut(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(this.path, { force: true });
  }
}
