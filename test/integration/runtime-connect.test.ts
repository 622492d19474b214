import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { negotiateApiVersion } from '../../src/runtime/docker.js';
import { connectRuntime } from '../../src/runtime/index.js';
import { engineSocket } from './helpers/engine-socket.js';

// A pass-through proxy in front of the engine's socket that records each request line.
let dir: string;
let server: Server;
const requests: string[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tsstack-connect-'));
  server = createServer((client) => {
    const engine = connect(engineSocket());
    client.on('data', (d: Buffer) => {
      const m = /^(GET|POST|PUT|DELETE|HEAD) (\S+)/.exec(d.toString('latin1'));
      if (m) requests.push(`${m[1]} ${m[2]}`);
      engine.write(d);
    });
    engine.pipe(client);
    client.on('end', () => engine.end());
    client.on('error', () => engine.destroy());
    engine.on('error', () => client.destroy());
  });
  await new Promise<void>((r) => server.listen(join(dir, 'engine.sock'), r));
});

afterAll(() => {
  server?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('connecting to the engine', () => {
  it('negotiates the API version with one /_ping and asks /version only when info() wants it', async () => {
    const rt = await connectRuntime({ env: { DOCKER_HOST: `unix://${join(dir, 'engine.sock')}` } });
    const engineApi = (await new Docker().version()).ApiVersion;
    expect(requests).toEqual(['GET /_ping']);

    await rt.listContainers({ 'io.tsstack.project': 'connect-test-none' }, { all: true });
    const info = await rt.info();
    expect(info.apiVersion).toBe(negotiateApiVersion(engineApi));
    expect(info.version.length).toBeGreaterThan(0);
    expect(info.flavor).toBe('docker');
    const api = `/v${info.apiVersion}`;
    expect(requests[1]).toMatch(new RegExp(`^GET ${api.replace('.', '\\.')}/containers/json`));
    expect(requests.slice(2).sort()).toEqual([`GET ${api}/info`, `GET ${api}/version`]);
  });
});
