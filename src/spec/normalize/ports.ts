import { isIP } from 'node:net';
import type { PathSegment, PortSpec } from '../types.js';
import { describe, isRecord, type NormalizeContext } from './context.js';
import { setOrigin } from './origin.js';

const SHORT_HINT = 'is not a port mapping (expected [HOST_IP:][HOST:]CONTAINER[/PROTO])';
const PROTOCOLS = new Set(['tcp', 'udp', 'sctp']);

interface Range {
  start: number;
  end: number;
}

/** `ports:` entries (short strings, numbers, long mappings) → one PortSpec per container port. */
export function normalizePorts(ctx: NormalizeContext, value: unknown, path: PathSegment[]): PortSpec[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    ctx.problem(path, `expected a list of ports, got ${describe(value)}`);
    return [];
  }
  const out: PortSpec[] = [];
  value.forEach((item, i) => {
    const at = [...path, i];
    if (typeof item === 'number' || typeof item === 'string') {
      const parsed = parsePortShort(String(item));
      if (typeof parsed === 'string') ctx.problem(at, `${JSON.stringify(String(item))} ${parsed}`);
      else out.push(...parsed.map((p) => setOrigin(p, i)));
    } else if (isRecord(item)) {
      const long = portLong(ctx, item, at);
      if (long) out.push(setOrigin(long, i));
    } else ctx.problem(at, `${describe(item)} ${SHORT_HINT}`);
  });
  return out;
}

/** Parses Compose's short port syntax; returns the ports or a message saying what is wrong. */
export function parsePortShort(text: string): PortSpec[] | string {
  let rest = text.trim();
  let protocol: PortSpec['protocol'] = 'tcp';
  const slash = rest.lastIndexOf('/');
  if (slash >= 0) {
    const proto = rest.slice(slash + 1).toLowerCase();
    if (!PROTOCOLS.has(proto)) return `has an unknown protocol "${proto}" (expected tcp, udp or sctp)`;
    protocol = proto as PortSpec['protocol'];
    rest = rest.slice(0, slash);
  }
  let hostIp: string | undefined;
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']');
    if (close < 0 || rest[close + 1] !== ':') return SHORT_HINT;
    hostIp = rest.slice(1, close);
    rest = rest.slice(close + 2);
  }
  const parts = rest.split(':');
  let hostPart: string | undefined;
  let containerPart: string;
  if (hostIp === undefined && parts.length > 3) {
    // Unbracketed IPv6 (`::1:8080:80`): the last two parts are ports, as Docker's nat.ParsePortSpec splits them.
    containerPart = parts[parts.length - 1] as string;
    hostPart = parts[parts.length - 2] as string;
    hostIp = parts.slice(0, -2).join(':');
  } else if (parts.length === 3 && hostIp === undefined) {
    [hostIp, hostPart, containerPart] = parts as [string, string, string];
  } else if (parts.length === 2) {
    [hostPart, containerPart] = parts as [string, string];
  } else if (parts.length === 1) {
    containerPart = parts[0] as string;
    if (hostIp !== undefined) return SHORT_HINT;
  } else return SHORT_HINT;
  if (hostIp !== undefined && hostIp !== '' && !isIp(hostIp)) return SHORT_HINT;
  const container = parseRange(containerPart);
  if (!container) return SHORT_HINT;
  const host = hostPart === undefined || hostPart === '' ? undefined : parseRange(hostPart);
  if (hostPart !== undefined && hostPart !== '' && !host) return SHORT_HINT;
  const ip = hostIp === '' ? undefined : hostIp;
  const base = (target: number, published: string | undefined): PortSpec => ({
    target,
    ...(published !== undefined ? { published } : {}),
    ...(ip !== undefined ? { host_ip: ip } : {}),
    protocol,
  });
  const count = container.end - container.start;
  if (!host) return expand(container).map((p) => base(p, undefined));
  const hostCount = host.end - host.start;
  // A host range for a single container port lets the engine pick one port of the range.
  if (count === 0) return [base(container.start, formatRange(host))];
  if (hostCount !== count)
    return `has ranges of different lengths (${formatRange(host)} → ${formatRange(container)})`;
  return expand(container).map((p, i) => base(p, String(host.start + i)));
}

function portLong(
  ctx: NormalizeContext,
  item: Record<string, unknown>,
  at: PathSegment[],
): PortSpec | undefined {
  const target = ctx.int(item.target, [...at, 'target']);
  if (target === undefined) {
    if (item.target === undefined) ctx.problem(at, 'a port needs a target (the container port)');
    return undefined;
  }
  if (target < 1 || target > 65535) {
    ctx.problem([...at, 'target'], `${target} is not a port number (1-65535)`);
    return undefined;
  }
  const spec: PortSpec = { target, protocol: 'tcp' };
  const published = ctx.str(item.published, [...at, 'published']);
  if (published !== undefined && published !== '') {
    const range = parseRange(published);
    if (!range) ctx.problem([...at, 'published'], `${JSON.stringify(published)} is not a port or port range`);
    else spec.published = formatRange(range);
  }
  const hostIp = ctx.str(item.host_ip, [...at, 'host_ip']);
  if (hostIp !== undefined && hostIp !== '') {
    if (isIp(hostIp)) spec.host_ip = hostIp;
    else ctx.problem([...at, 'host_ip'], `${JSON.stringify(hostIp)} is not an IP address`);
  }
  const proto = ctx.str(item.protocol, [...at, 'protocol']);
  if (proto !== undefined) {
    const p = proto.toLowerCase();
    if (PROTOCOLS.has(p)) spec.protocol = p as PortSpec['protocol'];
    else ctx.problem([...at, 'protocol'], `unknown protocol "${proto}" (expected tcp, udp or sctp)`);
  }
  const mode = ctx.str(item.mode, [...at, 'mode']);
  if (mode === 'host' || mode === 'ingress') spec.mode = mode;
  else if (mode !== undefined)
    ctx.problem([...at, 'mode'], `unknown mode "${mode}" (expected host or ingress)`);
  const name = ctx.str(item.name, [...at, 'name']);
  if (name !== undefined) spec.name = name;
  const app = ctx.str(item.app_protocol, [...at, 'app_protocol']);
  if (app !== undefined) spec.app_protocol = app;
  return spec;
}

function parseRange(text: string): Range | undefined {
  const m = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(text.trim());
  if (!m) return undefined;
  const start = Number(m[1]);
  const end = m[2] === undefined ? start : Number(m[2]);
  if (start < 1 || end > 65535 || end < start) return undefined;
  return { start, end };
}

function formatRange(r: Range): string {
  return r.start === r.end ? String(r.start) : `${r.start}-${r.end}`;
}

function expand(r: Range): number[] {
  const out: number[] = [];
  for (let p = r.start; p <= r.end; p++) out.push(p);
  return out;
}

function isIp(text: string): boolean {
  return isIP(text) !== 0;
}
