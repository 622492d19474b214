/**
 * One health probe of a host process, run on the host: a command (exit 0 passes), an HTTP GET (a 2xx or
 * 3xx status passes, as in Kubernetes) or a TCP connect. Each is bounded by its timeout.
 */
import { spawn } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:net';
import { extraTrust } from '../../core/extra-ca.js';
import type { ProbeSpec } from './types.js';

export interface ProbeResult {
  ok: boolean;
  /** What failed, in a few words (the command's last output, the status, the socket error). */
  detail?: string;
}

export interface ProbeOptions {
  timeoutMs: number;
  /** For command probes: where and with what environment they run (the process's own). */
  cwd?: string;
  env?: Record<string, string>;
}

/** Runs one probe; never throws. */
export function runProbe(probe: ProbeSpec, o: ProbeOptions): Promise<ProbeResult> {
  switch (probe.kind) {
    case 'command':
      return commandProbe(probe.command, o);
    case 'http':
      return httpProbe(probe.url, o.timeoutMs);
    case 'tcp':
      return tcpProbe(probe.host, probe.port, o.timeoutMs);
  }
}

function commandProbe(argv: string[], o: ProbeOptions): Promise<ProbeResult> {
  return new Promise((resolve) => {
    let output = '';
    const child = spawn(argv[0]!, argv.slice(1), {
      cwd: o.cwd,
      env: o.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own group, so a timeout kills what it started too.
      detached: true,
    });
    const keep = (chunk: Buffer): void => {
      output = (output + chunk.toString('utf8')).slice(-400);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // gone
      }
      finish({ ok: false, detail: `timed out after ${o.timeoutMs} ms` });
    }, o.timeoutMs);
    let settled = false;
    function finish(r: ProbeResult): void {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(r);
    }
    child.once('error', (err) => finish({ ok: false, detail: err.message }));
    child.once('close', (code) =>
      finish(code === 0 ? { ok: true } : { ok: false, detail: `exit ${code ?? '?'}${tail(output)}` }),
    );
  });
}

function httpProbe(url: string, timeoutMs: number): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const tls = url.startsWith('https:');
    const request = tls ? httpsRequest : httpRequest;
    const ca = tls ? extraTrust() : undefined;
    const options = { method: 'GET', timeout: timeoutMs, agent: false, ...(ca ? { ca } : {}) };
    const req = request(url, options, (res) => {
      res.resume();
      const status = res.statusCode ?? 0;
      resolve(status >= 200 && status < 400 ? { ok: true } : { ok: false, detail: `HTTP ${status}` });
    });
    req.once('timeout', () => req.destroy(new Error(`timed out after ${timeoutMs} ms`)));
    req.once('error', (err) => resolve({ ok: false, detail: err.message }));
    req.end();
  });
}

function tcpProbe(host: string, port: number, timeoutMs: number): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`timed out after ${timeoutMs} ms`)));
    socket.once('connect', () => {
      socket.destroy();
      resolve({ ok: true });
    });
    socket.once('error', (err) => resolve({ ok: false, detail: err.message }));
  });
}

function tail(output: string): string {
  const text = output.trim().split('\n').slice(-2).join(' ').trim();
  return text ? `: ${text}` : '';
}
