import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadProjectAndConnect } from '../../../src/cli/context.js';

const collect = (v: string, prev: string[]) => [...prev, v];

/** A command with the global options loadProject reads, parsed from `args`. */
function command(args: string[]): Command {
  const cmd = new Command('tsstack')
    .option('-f, --file <path>', '', collect, [])
    .option('-p, --project-name <name>')
    .option('--env-file <path>', '', collect, [])
    .option('--profile <name>', '', collect, []);
  cmd.parse(['node', 'tsstack', ...args]);
  return cmd;
}

describe('loadProjectAndConnect', () => {
  let dir: string;
  let server: Server;
  let socketPath: string;
  const sockets: Socket[] = [];
  /** This test's engine: connections closed so far, and whether it answers. */
  let engine: { closed: number; answer: boolean };
  const savedHost = process.env.DOCKER_HOST;
  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'tsstack-load-connect-'));
    socketPath = path.join(dir, 'engine.sock');
    const own = { closed: 0, answer: false };
    engine = own;
    // An engine that answers /_ping only when told to, and otherwise never.
    server = createServer((req, res) => {
      if (own.answer && req.url === '/_ping') {
        res.writeHead(200, { 'Api-Version': '1.43' });
        res.end('OK');
      }
    });
    server.on('connection', (s) => {
      sockets.push(s);
      s.on('close', () => own.closed++);
    });
    await new Promise<void>((r) => server.listen(socketPath, r));
    process.env.DOCKER_HOST = `unix://${socketPath}`;
  });
  afterEach(async () => {
    if (savedHost === undefined) delete process.env.DOCKER_HOST;
    else process.env.DOCKER_HOST = savedHost;
    for (const s of sockets.splice(0)) s.destroy();
    await new Promise((r) => server.close(r));
    rmSync(dir, { recursive: true, force: true });
  });

  it('connects while the stack loads and returns both', async () => {
    engine.answer = true;
    const file = path.join(dir, 'stack.yml');
    writeFileSync(file, 'services:\n  web:\n    image: busybox\n');
    const { loaded, runtime } = await loadProjectAndConnect(command(['-f', file, '-p', 'demo']));
    expect(loaded.stack.name).toBe('demo');
    expect(Object.keys(loaded.stack.services)).toEqual(['web']);
    expect((runtime as unknown as { apiVersion: string }).apiVersion).toBe('1.43');
  });

  it("reports the stack file's error first and abandons the connect to an engine that does not answer", async () => {
    const file = path.join(dir, 'stack.yml');
    writeFileSync(file, 'services:\n  web:\n    image: busybox\n    ports: ["80:80:80"]\n');
    const err = await loadProjectAndConnect(command(['-f', file])).catch((e: unknown) => e);
    expect((err as { exitCode?: number }).exitCode).toBe(2);
    expect(String((err as Error).message)).toMatch(/stack\.yml:4/);
    // The ping was sent, and its connection closed once the load failed (not left to a 5 s timeout).
    await expect.poll(() => engine.closed, { timeout: 2000 }).toBeGreaterThan(0);
  });

  it("the command's own check of the stack comes before the engine too", async () => {
    const file = path.join(dir, 'stack.yml');
    writeFileSync(file, 'services:\n  web:\n    image: busybox\n');
    const err = await loadProjectAndConnect(command(['-f', file]), {
      check: () => {
        throw Object.assign(new Error('--scale wants SERVICE=N'), { exitCode: 2 });
      },
    }).catch((e: unknown) => e);
    expect((err as Error).message).toBe('--scale wants SERVICE=N');
    await expect.poll(() => engine.closed, { timeout: 2000 }).toBeGreaterThan(0);
  });
});
