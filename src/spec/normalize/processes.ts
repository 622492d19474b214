import { constants } from 'node:os';
import type { PathSegment, ProcessHealthcheck, ProcessPort, ProcessProbe, ProcessSpec } from '../types.js';
import { describe, isRecord, type NormalizeContext } from './context.js';
import { normalizeDependsOn } from './depends-on.js';
import { normalizeDevelop } from './develop.js';
import { normalizeEnvironment } from './environment.js';

/** The shell a string command or health test runs through (documented: a list runs without one). */
export const SHELL = '/bin/sh';

/** Default seconds between a process's stop signal and SIGKILL, as for containers. */
const DEFAULT_GRACE_MS = 10_000;

/** `x-tsstack.processes`: each host process in long form, paths made absolute. */
export function normalizeProcesses(ctx: NormalizeContext, value: unknown): Record<string, ProcessSpec> {
  const out: Record<string, ProcessSpec> = {};
  const path: PathSegment[] = ['x-tsstack', 'processes'];
  for (const [name, def] of Object.entries(ctx.record(value, path) ?? {}))
    out[name] = normalizeProcess(ctx, name, def, [...path, name]);
  return out;
}

function normalizeProcess(
  ctx: NormalizeContext,
  name: string,
  value: unknown,
  path: PathSegment[],
): ProcessSpec {
  const p = ctx.record(value, path) ?? {};
  const at = (k: string): PathSegment[] => [...path, k];
  const spec: ProcessSpec = {
    name,
    command: commandOf(ctx, p.command, at('command')) ?? [],
    working_dir: workingDir(ctx, p.working_dir, at('working_dir')),
    environment: normalizeEnvironment(ctx, p, path),
    depends_on: normalizeDependsOn(ctx, p.depends_on, at('depends_on')),
    restart: (ctx.str(p.restart, at('restart')) ?? 'no') as ProcessSpec['restart'],
    stop_signal: signalName(ctx, p.stop_signal, at('stop_signal')),
    stop_grace_period: ctx.duration(p.stop_grace_period, at('stop_grace_period')) ?? DEFAULT_GRACE_MS,
    ports: processPorts(ctx, p.ports, at('ports')),
    replicas: replicas(ctx, p.replicas, at('replicas')),
    profiles: ctx.strings(p.profiles, at('profiles')),
    extensions: {},
  };
  const healthcheck = processHealthcheck(ctx, p.healthcheck, at('healthcheck'));
  if (healthcheck) spec.healthcheck = healthcheck;
  const develop = normalizeDevelop(ctx, p.develop, at('develop'));
  if (develop) spec.develop = develop;
  const build = commandOf(ctx, p.build, at('build'));
  if (build) spec.build = build;
  for (const [k, v] of Object.entries(p)) if (k.startsWith('x-')) spec.extensions[k] = v;
  return spec;
}

/** A list runs as written; a string runs through `/bin/sh -c` (so it may use pipes, `&&` and variables). */
function commandOf(ctx: NormalizeContext, value: unknown, path: PathSegment[]): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') {
    if (value.trim() === '') return void ctx.problem(path, 'the command is empty');
    return [SHELL, '-c', value];
  }
  if (!Array.isArray(value)) {
    ctx.problem(path, `expected a string or a list of strings, got ${describe(value)}`);
    return undefined;
  }
  const argv = ctx.strings(value, path);
  if (argv.length === 0 || argv[0] === '') return void ctx.problem(path, 'the command is empty');
  return argv;
}

function workingDir(ctx: NormalizeContext, value: unknown, path: PathSegment[]): string {
  return ctx.absPath(ctx.str(value, path) ?? '.');
}

/** `SIGINT`, `INT` or a signal number → the signal's name, as the OS knows it. */
function signalName(ctx: NormalizeContext, value: unknown, path: PathSegment[]): string {
  const given = ctx.str(value, path);
  if (given === undefined) return 'SIGTERM';
  const signals = constants.signals as Record<string, number>;
  const upper = given.trim().toUpperCase();
  const named = upper.startsWith('SIG') ? upper : `SIG${upper}`;
  if (Object.hasOwn(signals, named)) return named;
  const byNumber = Object.entries(signals).find(([, n]) => String(n) === upper)?.[0];
  if (byNumber) return byNumber;
  ctx.problem(path, `${JSON.stringify(given)} is not a signal (expected e.g. SIGTERM, SIGINT, SIGQUIT)`);
  return 'SIGTERM';
}

function replicas(ctx: NormalizeContext, value: unknown, path: PathSegment[]): number {
  const n = ctx.int(value, path) ?? 1;
  if (n >= 0) return n;
  ctx.problem(path, `replicas cannot be negative (${n})`);
  return 1;
}

/** `3000` or `127.0.0.1:3000` (the schema checked the form). */
function processPorts(ctx: NormalizeContext, value: unknown, path: PathSegment[]): ProcessPort[] {
  if (!Array.isArray(value)) return [];
  const out: ProcessPort[] = [];
  value.forEach((item, i) => {
    const text = ctx.str(item, [...path, i]);
    if (text === undefined) return;
    const colon = text.lastIndexOf(':');
    const port = Number(text.slice(colon + 1));
    if (!Number.isInteger(port) || port < 1 || port > 65535)
      return ctx.problem([...path, i], `${JSON.stringify(text)} is not a port (1-65535)`);
    const host = colon > 0 ? text.slice(0, colon).replace(/^\[|\]$/g, '') : undefined;
    out.push(host ? { port, host_ip: host } : { port });
  });
  return out;
}

/** A health check: exactly one of `test` (a command on the host), `http_get` or `tcp`, unless disabled. */
function processHealthcheck(
  ctx: NormalizeContext,
  value: unknown,
  path: PathSegment[],
): ProcessHealthcheck | undefined {
  const hc = ctx.record(value, path);
  if (!hc) return undefined;
  const disable = ctx.bool(hc.disable, [...path, 'disable']) ?? false;
  const out: ProcessHealthcheck = { disable };
  for (const key of ['interval', 'timeout', 'start_period', 'start_interval'] as const) {
    const ms = ctx.duration(hc[key], [...path, key]);
    if (ms !== undefined) out[key] = ms;
  }
  const retries = ctx.int(hc.retries, [...path, 'retries']);
  if (retries !== undefined) out.retries = retries;
  const kinds = (['test', 'http_get', 'tcp'] as const).filter((k) => hc[k] !== undefined && hc[k] !== null);
  if (disable) return out;
  if (kinds.length !== 1) {
    const [, second] = kinds;
    ctx.problem(
      second ? [...path, second] : path,
      kinds.length === 0
        ? 'a health check needs one of test (a command on the host), http_get or tcp'
        : `a health check takes one of test, http_get and tcp, not ${kinds.join(' and ')}`,
    );
    return out;
  }
  const kind = kinds[0]!;
  const probe =
    kind === 'test'
      ? testProbe(ctx, hc.test, [...path, 'test'])
      : kind === 'http_get'
        ? httpProbe(ctx, hc.http_get, [...path, 'http_get'])
        : tcpProbe(ctx, hc.tcp, [...path, 'tcp']);
  if (probe === 'none') return { ...out, disable: true };
  if (probe) out.probe = probe;
  return out;
}

/** As a service's test: `CMD ...`, `CMD-SHELL s`, `NONE`, a string (shell), or a plain argv list. */
function testProbe(
  ctx: NormalizeContext,
  value: unknown,
  path: PathSegment[],
): ProcessProbe | 'none' | undefined {
  if (typeof value === 'string') {
    return value.trim() === '' ? 'none' : { kind: 'command', command: [SHELL, '-c', value] };
  }
  const words = ctx.strings(value, path);
  const [first, ...rest] = words;
  if (first === undefined) return void ctx.problem(path, 'the test is empty');
  if (first === 'NONE') return 'none';
  if (first === 'CMD-SHELL') {
    if (rest.length !== 1) return void ctx.problem(path, 'CMD-SHELL takes exactly one command string');
    return { kind: 'command', command: [SHELL, '-c', rest[0]!] };
  }
  const command = first === 'CMD' ? rest : words;
  if (command.length === 0) return void ctx.problem(path, 'the test is empty');
  return { kind: 'command', command };
}

/** `http://127.0.0.1:3000/health`, or `{port, path, host, scheme}` (host 127.0.0.1, path /). */
function httpProbe(ctx: NormalizeContext, value: unknown, path: PathSegment[]): ProcessProbe | undefined {
  if (typeof value === 'string') {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      return void ctx.problem(
        path,
        `${JSON.stringify(value)} is not a URL (expected e.g. http://127.0.0.1:3000/health)`,
      );
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      return void ctx.problem(path, `${JSON.stringify(value)} is not an http or https URL`);
    return { kind: 'http', url: url.href };
  }
  if (!isRecord(value)) return undefined;
  const port = ctx.int(value.port, [...path, 'port']);
  if (port === undefined) return undefined;
  const host = ctx.str(value.host, [...path, 'host']) ?? '127.0.0.1';
  const scheme = ctx.str(value.scheme, [...path, 'scheme']) ?? 'http';
  const p = ctx.str(value.path, [...path, 'path']) ?? '/';
  const hostPart = host.includes(':') ? `[${host}]` : host;
  return { kind: 'http', url: `${scheme}://${hostPart}:${port}${p.startsWith('/') ? p : `/${p}`}` };
}

/** `3000`, `host:3000`, or `{port, host}` (host 127.0.0.1). */
function tcpProbe(ctx: NormalizeContext, value: unknown, path: PathSegment[]): ProcessProbe | undefined {
  if (isRecord(value)) {
    const port = ctx.int(value.port, [...path, 'port']);
    const host = ctx.str(value.host, [...path, 'host']) ?? '127.0.0.1';
    return port === undefined ? undefined : { kind: 'tcp', host, port };
  }
  const text = ctx.str(value, path);
  if (text === undefined) return undefined;
  const colon = text.lastIndexOf(':');
  const port = Number(text.slice(colon + 1));
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    return void ctx.problem(path, `${JSON.stringify(text)} is not a port (1-65535)`);
  return { kind: 'tcp', host: colon > 0 ? text.slice(0, colon) : '127.0.0.1', port };
}
