/**
 * A service's `build:` section as the runtime's BuildRequest: tags, args, labels, and the BuildKit keys
 * (secrets from top-level `secrets`, named contexts, where `service:NAME` is that service's image).
 * Pure.
 */
import { EngineError } from '../core/errors.js';
import type { BuildRequest, BuildSecret } from '../runtime/types.js';
import type { ServiceSpec, Stack } from '../spec/types.js';
import { serviceImage } from './desired.js';
import { LABEL } from '../model/labels.js';

/** The services whose images a build uses as named contexts (`additional_contexts: {x: service:NAME}`). */
export function buildDependencies(s: ServiceSpec): string[] {
  return Object.values(s.build?.additional_contexts ?? {})
    .filter((w) => w.startsWith('service:'))
    .map((w) => w.slice('service:'.length));
}

function buildSecrets(stack: Stack, s: ServiceSpec): BuildSecret[] {
  return (s.build?.secrets ?? []).map((ref) => {
    const def = stack.secrets[ref.source];
    const id = ref.target.replace(/^\/run\/secrets\//, '');
    if (def?.file) return { id, file: def.file };
    if (def?.environment) return { id, env: def.environment };
    throw new EngineError(
      `service ${s.name}: build secret "${ref.source}" must come from a file or an environment variable` +
        (def?.external ? ' (an external secret lives in the swarm and cannot be read here)' : ''),
    );
  });
}

export function buildRequestFor(stack: Stack, s: ServiceSpec): BuildRequest {
  const b = s.build;
  if (!b) throw new EngineError(`service ${s.name} has no build section`);
  const contexts = Object.entries(b.additional_contexts ?? {}).map(([name, where]) => {
    if (!where.startsWith('service:')) return [name, where] as const;
    const other = stack.services[where.slice('service:'.length)];
    if (!other) throw new EngineError(`service ${s.name}: build context ${name} names an unknown service`);
    return [name, `docker-image://${serviceImage(stack, other)}`] as const;
  });
  const entitlements = [...(b.entitlements ?? []), ...(b.privileged ? ['security.insecure'] : [])];
  return {
    context: b.context,
    dockerfile: b.dockerfile,
    dockerfileInline: b.dockerfile_inline,
    tags: [serviceImage(stack, s), ...(b.tags ?? [])],
    args: Object.fromEntries(Object.entries(b.args).filter((e): e is [string, string] => e[1] !== null)),
    target: b.target,
    labels: { ...b.labels, [LABEL.project]: stack.name, [LABEL.service]: s.name },
    noCache: b.no_cache,
    pull: b.pull,
    network: b.network,
    extraHosts: b.extra_hosts,
    shmSize: b.shm_size,
    ...(b.secrets?.length ? { secrets: buildSecrets(stack, s) } : {}),
    ...(b.ssh?.length ? { ssh: b.ssh } : {}),
    ...(contexts.length ? { additionalContexts: Object.fromEntries(contexts) } : {}),
    ...(b.cache_from?.length ? { cacheFrom: b.cache_from } : {}),
    ...(b.cache_to?.length ? { cacheTo: b.cache_to } : {}),
    ...(b.platforms?.length ? { platforms: b.platforms } : {}),
    ...(entitlements.length ? { entitlements: [...new Set(entitlements)] } : {}),
    ...(b.ulimits && Object.keys(b.ulimits).length ? { ulimits: b.ulimits } : {}),
  };
}
