/**
 * TCP forwarders for tests whose second swarm node lives in its own network namespace: its 127.0.0.1 is
 * its own, so a registry on the host's loopback is reached through the veth (host end) with a forwarder
 * on each side. Only our own addresses: the loopback and the host end of the test's veth.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { connect, createServer, type Server } from 'node:net';

/** Node source of a forwarder: listens on argv[1]:argv[2], connects each client to argv[3]:argv[4]. */
const FORWARDER = `
const net = require('node:net');
const [, lh, lp, th, tp] = process.argv;
net.createServer((c) => {
  const u = net.connect(Number(tp), th);
  c.pipe(u).pipe(c);
  c.on('error', () => u.destroy());
  u.on('error', () => c.destroy());
}).listen(Number(lp), lh, () => console.log('listening'));
`;

/** A forwarder in this process (this network namespace). */
export function forwardHere(listenHost: string, port: number, targetHost: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer((c) => {
      const u = connect(port, targetHost);
      c.pipe(u).pipe(c);
      c.on('error', () => u.destroy());
      u.on('error', () => c.destroy());
    });
    server.once('error', reject);
    server.listen(port, listenHost, () => resolve(server));
  });
}

/** A forwarder process inside network namespace `netns` (nsenter); resolves once it listens. */
export function forwardInNetns(
  netns: string,
  listenHost: string,
  port: number,
  targetHost: string,
): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      'nsenter',
      [
        `--net=/run/netns/${netns}`,
        process.execPath,
        '-e',
        FORWARDER,
        listenHost,
        String(port),
        targetHost,
        String(port),
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout.once('data', () => resolve(child));
    child.once('exit', (code) => reject(new Error(`forwarder in ${netns} exited (${code}): ${err}`)));
  });
}
