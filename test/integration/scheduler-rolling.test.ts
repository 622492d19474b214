import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { converge } from '../../src/reconciler/converge.js';
import { connectRuntime } from '../../src/runtime/index.js';
import type { Runtime } from '../../src/runtime/types.js';
import type { Stack } from '../../src/spec/types.js';
import { docker, loadStackText } from './helpers/stack-cli.js';

const PROJECT = `t-sched-roll-${Math.random().toString(36).slice(2, 8)}`;
const LABELS = { 'io.tsstack.project': PROJECT };
const SLOW_PROJECT = `${PROJECT}-slow`;
const IMG = 'tsstack-test/busybox:latest';
let rt: Runtime;
let dir: string;

const stackOf = (yaml: string): Promise<Stack> => loadStackText(dir, PROJECT, yaml);

// The proxy: busybox httpd whose CGI asks `web` (Docker DNS, every replica holding the alias) per request.
// Like nginx with `proxy_next_upstream error`, it resolves the name once and, when a *connection* fails,
// tries the next address: Docker cannot swap DNS records atomically, and an old replica stays named until
// the engine has cleaned it up after its exit (tsstack stops it on its network, so that it can finish the
// requests under way). A replica that answers with an error, or no address answering, is a failed request.
// (A client that re-resolved and retried once instead saw 1 failed request of ~100-200 per update: both
// tries can draw the exiting replica.)
// busybox-static's wget crashes under httpd's CGI here, so the CGI speaks HTTP/1.0 through nc.
const CGI = `#!/bin/sh
ask() { printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 2 "$1" 80 2>/dev/null; }
resp=
for ip in $(nslookup web 127.0.0.11 2>/dev/null | awk '/^Address/ && $NF !~ /:53$/ { print $NF }'); do
  resp=$(ask "$ip")
  [ -n "$resp" ] && break
done
case "$resp" in
  "HTTP/1."?" 200"*) printf 'Content-Type: text/plain\\r\\n\\r\\n%s\\n' "$(printf '%s\\n' "$resp" | tail -n 1)" ;;
  *) printf 'Status: 502 Bad Gateway\\r\\nContent-Type: text/plain\\r\\n\\r\\nFAIL\\n' ;;
esac
`;

const stackYaml = (version: string) => `
services:
  web:
    image: ${IMG}
    command: ["sh", "-c", "mkdir -p /www && echo v$$V > /www/index.html && exec httpd -f -p 80 -h /www"]
    environment: { V: "${version}" }
    stop_grace_period: 2s
    healthcheck: { test: ["CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1/"], interval: 300ms, timeout: 2s, retries: 3 }
    deploy:
      replicas: 2
      update_config: { parallelism: 1, order: start-first, failure_action: rollback }
  proxy:
    image: ${IMG}
    command: ["httpd", "-f", "-p", "80", "-h", "/www"]
    volumes: ["${join('PROXYDIR')}:/www:ro"]
    ports: ["127.0.0.1::80"]
    stop_grace_period: 0s
    depends_on: { web: { condition: service_healthy } }
`;

beforeAll(async () => {
  rt = await connectRuntime({ env: process.env });
  dir = mkdtempSync(join(tmpdir(), 'tsstack-sched-roll-'));
  mkdirSync(join(dir, 'proxy', 'cgi-bin'), { recursive: true });
  writeFileSync(join(dir, 'proxy', 'cgi-bin', 'web'), CGI);
  chmodSync(join(dir, 'proxy', 'cgi-bin', 'web'), 0o755);
});
afterAll(async () => {
  if (rt) {
    for (const project of [PROJECT, SLOW_PROJECT]) {
      const labels = { 'io.tsstack.project': project };
      for (const c of await rt.listContainers(labels, { all: true }))
        await rt.removeContainer(c.id, { force: true });
      for (const n of await rt.listNetworks(labels)) await rt.removeNetwork(n.id);
    }
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('rolling update on the real engine', () => {
  it('start-first keeps a 2-replica service serving: a client polling through the proxy sees no failed request', async () => {
    const yaml = (v: string) => stackYaml(v).replace(join('PROXYDIR'), join(dir, 'proxy'));
    await converge(rt, await stackOf(yaml('1')));
    const proxy = await rt.inspectContainer(`${PROJECT}-proxy-1`);
    const port = proxy?.ports.find((p) => p.target === 80)?.hostPort;
    expect(port).toBeGreaterThan(0);
    const url = `http://127.0.0.1:${port}/cgi-bin/web`;
    const get = async (): Promise<string> => {
      try {
        const r = await fetch(url, { signal: AbortSignal.timeout(5000) });
        return r.ok ? (await r.text()).trim() : `HTTP ${r.status}`;
      } catch (err) {
        return `error: ${err instanceof Error ? err.message : String(err)}`;
      }
    };
    expect(await get()).toBe('v1');

    const seen: string[] = [];
    let polling = true;
    const poller = (async () => {
      while (polling) {
        seen.push(await get());
        await new Promise((r) => setTimeout(r, 10));
      }
    })();
    try {
      await converge(rt, await stackOf(yaml('2')));
      // Keep polling a moment after the update, on the new replicas.
      await new Promise((r) => setTimeout(r, 500));
    } finally {
      polling = false;
      await poller;
    }
    const failed = seen.filter((s) => s !== 'v1' && s !== 'v2');
    expect(failed).toEqual([]);
    expect(seen.length).toBeGreaterThan(20);
    expect(seen.at(-1)).toBe('v2');
    const names = (await rt.listContainers(LABELS, { all: true })).map((c) => c.name).sort();
    expect(names).toEqual([`${PROJECT}-proxy-1`, `${PROJECT}-web-1`, `${PROJECT}-web-2`]);
    expect(await get()).toBe('v2');
  });
});

// A replica that drains on SIGTERM (finishes what it is serving, then exits) and a request that takes 4 s.
const SLOW_CGI = `#!/bin/sh
sleep 4
printf 'Content-Type: text/plain\\r\\n\\r\\nslow done\\n'
`;
const slowYaml = (version: string, www: string) => `
services:
  web:
    image: ${IMG}
    command: ["sh", "-c", "trap 'sleep 6; exit 0' TERM; httpd -f -p 80 -h /www & wait $$!"]
    volumes: ["${www}:/www:ro"]
    environment: { V: "${version}" }
    stop_grace_period: 10s
    healthcheck: { test: ["CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1/"], interval: 300ms, timeout: 2s, retries: 3 }
    deploy:
      replicas: 2
      update_config: { parallelism: 1, order: start-first }
`;

describe('rolling update: requests under way', () => {
  it('start-first lets the old replica finish a request it is serving (it is stopped, not cut off the network first)', async () => {
    const www = join(dir, 'slow');
    mkdirSync(join(www, 'cgi-bin'), { recursive: true });
    writeFileSync(join(www, 'index.html'), 'ok\n');
    writeFileSync(join(www, 'cgi-bin', 'slow'), SLOW_CGI);
    chmodSync(join(www, 'cgi-bin', 'slow'), 0o755);
    const load = (v: string) => loadStackText(dir, SLOW_PROJECT, slowYaml(v, www));
    await converge(rt, await load('1'));
    const old = await docker.getContainer(`${SLOW_PROJECT}-web-1`).inspect();
    const ip = Object.values(old.NetworkSettings.Networks)[0]?.IPAddress;
    expect(ip).toBeTruthy();

    // Sent to the old replica 1 just before the update replaces it (replica 1 goes first).
    const slow = fetch(`http://${ip}/cgi-bin/slow`, { signal: AbortSignal.timeout(20_000) }).then(
      async (r) => `${r.status} ${(await r.text()).trim()}`,
      (err: unknown) => `error: ${err instanceof Error ? err.message : String(err)}`,
    );
    await new Promise((r) => setTimeout(r, 200));
    await converge(rt, await load('2'));
    expect(await slow).toBe('200 slow done');
  });
});
