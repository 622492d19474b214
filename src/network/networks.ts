/**
 * Bridge networks: which engine networks a stack needs, how each service attaches (aliases), and the
 * `network_mode` variants. External networks must already exist and are never created or removed.
 */
import { EngineError } from '../core/errors.js';
import { LABEL } from '../model/labels.js';
import type { NetworkAttachment, Runtime } from '../runtime/types.js';
import type { NetworkSpec, ServiceSpec, Stack } from '../spec/types.js';
import { compareText } from '../core/compare.js';
import type { DesiredNetwork } from '../model/desired.js';

/** The spec of a network key, falling back to the implicit `default` network. */
function networkSpec(stack: Stack, key: string): NetworkSpec {
  const declared = stack.networks[key];
  if (declared) return declared;
  return {
    name: `${stack.name}_${key}`,
    driver_opts: {},
    external: false,
    internal: false,
    attachable: false,
    labels: {},
  };
}

/** True when the service joins user networks (not `network_mode: host|none|service:|container:`). */
export function usesNetworks(service: ServiceSpec): boolean {
  return !service.network_mode || service.network_mode === 'bridge';
}

/** Network keys a service attaches to, in a stable order (the implicit `default` when it names none). */
export function serviceNetworkKeys(service: ServiceSpec): string[] {
  if (!usesNetworks(service)) return [];
  const keys = Object.keys(service.networks);
  if (keys.length === 0) return ['default'];
  // Highest priority first (Compose picks the primary network this way), then by name.
  return keys.sort((a, b) => {
    const pa = service.networks[a]?.priority ?? 0;
    const pb = service.networks[b]?.priority ?? 0;
    return pb - pa || compareText(a, b);
  });
}

/** The networks the given services need, with create specs labelled for the project. */
export function desiredNetworks(stack: Stack, services: ServiceSpec[]): DesiredNetwork[] {
  const keys = new Set<string>();
  for (const s of services) for (const k of serviceNetworkKeys(s)) keys.add(k);
  return [...keys].sort().map((key) => {
    const n = networkSpec(stack, key);
    return {
      key,
      name: n.name,
      external: n.external,
      spec: {
        name: n.name,
        driver: n.driver ?? 'bridge',
        labels: {
          ...n.labels,
          [LABEL.project]: stack.name,
          [LABEL.network]: key,
        },
        options: { ...n.driver_opts },
        internal: n.internal,
        attachable: n.attachable,
        enableIPv6: n.enable_ipv6,
        ipam: n.ipam && {
          driver: n.ipam.driver,
          options: n.ipam.options,
          config: n.ipam.config.map((c) => ({
            subnet: c.subnet,
            ipRange: c.ip_range,
            gateway: c.gateway,
            auxAddresses: c.aux_addresses,
          })),
        },
      },
    };
  });
}

/** How a container joins networks: the engine's network mode plus attachments with DNS aliases. */
export function serviceAttachments(
  stack: Stack,
  service: ServiceSpec,
  containerName: string,
): { networkMode?: string; networks: NetworkAttachment[] } {
  const mode = service.network_mode;
  if (mode && mode !== 'bridge') return { networkMode: networkModeFor(stack, mode), networks: [] };
  const networks = serviceNetworkKeys(service).map((key) => {
    const a = service.networks[key];
    const aliases = unique([service.name, containerName, ...(a?.aliases ?? [])]);
    return {
      network: networkSpec(stack, key).name,
      aliases,
      ipv4Address: a?.ipv4_address,
      ipv6Address: a?.ipv6_address,
      macAddress: a?.mac_address,
    };
  });
  return { networkMode: networks[0]?.network, networks };
}

/** `service:NAME` shares the network stack of that service's first replica. */
function networkModeFor(stack: Stack, mode: string): string {
  if (mode.startsWith('service:')) {
    const target = mode.slice('service:'.length);
    const svc = stack.services[target];
    return `container:${svc?.container_name ?? `${stack.name}-${target}-1`}`;
  }
  return mode;
}

/** Fails (before anything is created) when an external network the services need does not exist. */
export async function checkExternalNetworks(runtime: Runtime, networks: DesiredNetwork[]): Promise<void> {
  const missing: string[] = [];
  for (const n of networks.filter((x) => x.external))
    if (!(await runtime.inspectNetwork(n.name))) missing.push(n.name);
  if (missing.length > 0)
    throw new EngineError(
      `network ${missing.join(', ')} declared as external, but could not be found; create it with \`docker network create\` first`,
    );
}

function unique(xs: string[]): string[] {
  return [...new Set(xs)];
}
