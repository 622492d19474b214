import type { RawProject } from '../raw.js';
import type { ServiceSpec, Stack } from '../types.js';
import { isRecord } from './context.js';

/**
 * Leaves out the networks, volumes, secrets and configs no enabled service uses, as Compose's project model
 * does: `up` creates none of them and `config` does not print them. Declaring one stays valid, and a volume
 * used only by a service behind a profile appears once that profile is enabled.
 */
export function withoutUnusedResources(stack: Stack, raw: RawProject): Stack {
  const services = Object.values(stack.services);
  const networks = new Set(services.flatMap((s) => Object.keys(s.networks)));
  const volumes = new Set(
    services.flatMap((s) => s.volumes.flatMap((v) => (v.type === 'volume' && v.source ? [v.source] : []))),
  );
  const secrets = new Set(
    services.flatMap((s) => [...s.secrets.map((r) => r.source), ...buildSecrets(raw, s)]),
  );
  const configs = new Set(services.flatMap((s) => s.configs.map((r) => r.source)));
  return {
    ...stack,
    networks: only(stack.networks, networks),
    volumes: only(stack.volumes, volumes),
    secrets: only(stack.secrets, secrets),
    configs: only(stack.configs, configs),
  };
}

/** `build.secrets` sources: tsstack does not pass them to builds yet, but Compose counts them as uses. */
function buildSecrets(raw: RawProject, svc: ServiceSpec): string[] {
  const services = raw.data.services;
  const def = isRecord(services) && Object.hasOwn(services, svc.name) ? services[svc.name] : undefined;
  const build = isRecord(def) ? def.build : undefined;
  const list = isRecord(build) && Array.isArray(build.secrets) ? (build.secrets as unknown[]) : [];
  return list.flatMap((s) =>
    typeof s === 'string' ? [s] : isRecord(s) && typeof s.source === 'string' ? [s.source] : [],
  );
}

function only<T>(record: Record<string, T>, keep: Set<string>): Record<string, T> {
  const out: Record<string, T> = {};
  for (const [k, v] of Object.entries(record)) if (keep.has(k)) out[k] = v;
  return out;
}
