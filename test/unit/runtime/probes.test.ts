// Health probes of host processes against servers on loopback: HTTP status, HTTPS (loaded on first use),
// TCP connect, each failing with a short reason.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runProbe } from '../../../src/runtime/process/probes.js';

let server: Server;
let port: number;
beforeAll(async () => {
  server = createServer((req, res) => {
    res.statusCode = req.url === '/health' ? 200 : 500;
    res.end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => server.close());

describe('runProbe', () => {
  it('HTTP passes on 2xx and fails naming the status', async () => {
    const url = (p: string) => ({ kind: 'http' as const, url: `http://127.0.0.1:${port}${p}` });
    expect(await runProbe(url('/health'), { timeoutMs: 2000 })).toEqual({ ok: true });
    expect(await runProbe(url('/other'), { timeoutMs: 2000 })).toEqual({ ok: false, detail: 'HTTP 500' });
  });

  it('HTTPS to a plain HTTP server fails with the TLS error', async () => {
    const r = await runProbe({ kind: 'http', url: `https://127.0.0.1:${port}/health` }, { timeoutMs: 2000 });
    expect(r.ok).toBe(false);
    expect(r.detail).toMatch(/SSL|TLS|wrong version|EPROTO/i);
  });

  it('TCP passes on a listening port and fails on a closed one', async () => {
    expect(await runProbe({ kind: 'tcp', host: '127.0.0.1', port }, { timeoutMs: 2000 })).toEqual({
      ok: true,
    });
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const free = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const r = await runProbe({ kind: 'tcp', host: '127.0.0.1', port: free }, { timeoutMs: 2000 });
    expect(r).toMatchObject({ ok: false, detail: expect.stringMatching(/ECONNREFUSED/) });
  });
});
