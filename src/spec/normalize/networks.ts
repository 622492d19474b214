import type { IpamConfig, NetworkSpec, PathSegment, ServiceNetworkAttachment } from '../types.js';
import { describe, isRecord, type NormalizeContext } from './context.js';
import { externalOf } from './volumes-top.js';

/** Top-level `networks`: engine name `<project>_<key>` unless `name:`; external networks keep their name. */
export function normalizeNetworks(ctx: NormalizeContext, value: unknown): Record<string, NetworkSpec> {
  const out: Record<string, NetworkSpec> = {};
  const nets = ctx.record(value, ['networks']) ?? {};
  for (const [key, def] of Object.entries(nets)) {
    const at = ['networks', key];
    const n = ctx.record(def, at) ?? {};
    const ext = externalOf(ctx, n, at);
    const spec: NetworkSpec = {
      name: ext.name ?? (ext.external ? key : `${ctx.raw.projectName}_${key}`),
      driver_opts: ctx.stringMap(n.driver_opts, [...at, 'driver_opts']),
      external: ext.external,
      internal: ctx.bool(n.internal, [...at, 'internal']) ?? false,
      attachable: ctx.bool(n.attachable, [...at, 'attachable']) ?? false,
      labels: ctx.stringMap(n.labels, [...at, 'labels']),
    };
    const driver = ctx.str(n.driver, [...at, 'driver']);
    if (driver !== undefined) spec.driver = driver;
    const ipv6 = ctx.bool(n.enable_ipv6, [...at, 'enable_ipv6']);
    if (ipv6 !== undefined) spec.enable_ipv6 = ipv6;
    const ipam = ctx.record(n.ipam, [...at, 'ipam']);
    if (ipam) spec.ipam = normalizeIpam(ctx, ipam, [...at, 'ipam']);
    out[key] = spec;
  }
  return out;
}

/** The implicit `default` network Compose creates when a service names no network. */
export function defaultNetwork(projectName: string): NetworkSpec {
  return {
    name: `${projectName}_default`,
    driver_opts: {},
    external: false,
    internal: false,
    attachable: false,
    labels: {},
  };
}

function normalizeIpam(
  ctx: NormalizeContext,
  ipam: Record<string, unknown>,
  at: PathSegment[],
): NonNullable<NetworkSpec['ipam']> {
  const out: NonNullable<NetworkSpec['ipam']> = { config: [] };
  const driver = ctx.str(ipam.driver, [...at, 'driver']);
  if (driver !== undefined) out.driver = driver;
  if (ipam.options !== undefined) out.options = ctx.stringMap(ipam.options, [...at, 'options']);
  const configs = Array.isArray(ipam.config) ? ipam.config : [];
  configs.forEach((c, i) => {
    const cfg = ctx.record(c, [...at, 'config', i]);
    if (!cfg) return;
    const entry: IpamConfig = {};
    for (const k of ['subnet', 'ip_range', 'gateway'] as const) {
      const v = ctx.str(cfg[k], [...at, 'config', i, k]);
      if (v !== undefined) entry[k] = v;
    }
    if (cfg.aux_addresses !== undefined)
      entry.aux_addresses = ctx.stringMap(cfg.aux_addresses, [...at, 'config', i, 'aux_addresses']);
    out.config.push(entry);
  });
  return out;
}

/** A service's `networks` (list or map) → attachments; `default` when it has neither networks nor network_mode. */
export function normalizeServiceNetworks(
  ctx: NormalizeContext,
  service: Record<string, unknown>,
  path: PathSegment[],
): Record<string, ServiceNetworkAttachment> {
  const value = service.networks;
  const at = [...path, 'networks'];
  const out: Record<string, ServiceNetworkAttachment> = {};
  if (value === undefined || value === null) {
    if (service.network_mode === undefined || service.network_mode === null) out.default = { aliases: [] };
    return out;
  }
  if (Array.isArray(value)) {
    for (const name of ctx.strings(value, at)) out[name] = { aliases: [] };
    return out;
  }
  if (!isRecord(value)) {
    ctx.problem(at, `expected a list or mapping of networks, got ${describe(value)}`);
    return out;
  }
  for (const [name, def] of Object.entries(value)) {
    const n = ctx.record(def, [...at, name]) ?? {};
    const att: ServiceNetworkAttachment = { aliases: ctx.strings(n.aliases, [...at, name, 'aliases']) };
    for (const k of ['ipv4_address', 'ipv6_address', 'mac_address'] as const) {
      const v = ctx.str(n[k], [...at, name, k]);
      if (v !== undefined) att[k] = v;
    }
    const priority = ctx.int(n.priority, [...at, name, 'priority']);
    if (priority !== undefined) att.priority = priority;
    out[name] = att;
  }
  return out;
}
