/** Pure translations for networks, volumes and images between the Engine API's JSON and tsstack's types. */
import type { ImageSummary, NetworkCreateSpec, NetworkSummary, VolumeSummary } from './types.js';

type Json = Record<string, unknown>;

/** The body of POST /networks/create. */
export function networkCreateBody(spec: NetworkCreateSpec): Json {
  return {
    Name: spec.name,
    Driver: spec.driver,
    Labels: spec.labels,
    Options: spec.options,
    Internal: spec.internal,
    Attachable: spec.attachable,
    CheckDuplicate: true,
    ...(spec.enableIPv6 !== undefined ? { EnableIPv6: spec.enableIPv6 } : {}),
    ...(spec.ipam
      ? {
          IPAM: {
            Driver: spec.ipam.driver ?? 'default',
            Options: spec.ipam.options ?? {},
            Config: spec.ipam.config.map((c) => ({
              ...(c.subnet ? { Subnet: c.subnet } : {}),
              ...(c.ipRange ? { IPRange: c.ipRange } : {}),
              ...(c.gateway ? { Gateway: c.gateway } : {}),
              ...(c.auxAddresses ? { AuxiliaryAddresses: c.auxAddresses } : {}),
            })),
          },
        }
      : {}),
  };
}

/** A network from GET /networks or its inspect. */
export function networkSummary(n: Json): NetworkSummary {
  const ipam = (n.IPAM ?? {}) as { Config?: { Subnet?: string }[] | null };
  return {
    id: String(n.Id ?? n.ID ?? ''),
    name: String(n.Name ?? ''),
    driver: String(n.Driver ?? ''),
    labels: (n.Labels as Record<string, string> | null) ?? {},
    internal: Boolean(n.Internal),
    attachable: Boolean(n.Attachable),
    subnets: (ipam.Config ?? []).map((c) => c.Subnet).filter((s): s is string => !!s),
  };
}

/** A volume from GET /volumes or its inspect. */
export function volumeSummary(v: Json): VolumeSummary {
  return {
    name: String(v.Name),
    driver: String(v.Driver ?? 'local'),
    labels: (v.Labels as Record<string, string> | null) ?? {},
    ...(v.Mountpoint ? { mountpoint: String(v.Mountpoint) } : {}),
  };
}

/** An entry of GET /images/json (untagged images have no `<none>` tag here). */
export function imageFromList(i: Json): ImageSummary {
  return {
    id: String(i.Id),
    tags: ((i.RepoTags as string[] | null) ?? []).filter((t) => t !== '<none>:<none>'),
    labels: (i.Labels as Record<string, string> | null) ?? {},
    size: Number(i.Size ?? 0),
    createdAt: typeof i.Created === 'number' ? new Date(i.Created * 1000).toISOString() : undefined,
  };
}

/** GET /images/{ref}/json. */
export function imageFromInspect(i: Json): ImageSummary {
  const config = (i.Config ?? {}) as Json;
  return {
    id: String(i.Id),
    tags: (i.RepoTags as string[] | null) ?? [],
    labels: (config.Labels as Record<string, string> | null) ?? {},
    size: Number(i.Size ?? 0),
    createdAt: typeof i.Created === 'string' ? i.Created : undefined,
    ...lastTagTime(i),
    digests: (i.RepoDigests as string[] | null) ?? [],
  };
}

/** Metadata.LastTagTime, unless the engine never set it (the zero time). */
function lastTagTime(i: Json): { lastTagTime?: string } {
  const t = (i.Metadata as Json | undefined)?.LastTagTime;
  return typeof t === 'string' && !t.startsWith('0001-') ? { lastTagTime: t } : {};
}
