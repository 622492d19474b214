/**
 * Which builder builds an image: BuildKit through the buildx plugin when it is installed (as Compose v2
 * builds), else the engine's classic `/build` endpoint. The rule, in order:
 *   1. `DOCKER_BUILDKIT=0` asks for the classic builder (as it does for the Docker CLI and Compose);
 *   2. Podman's Docker-compatible API has no BuildKit session: classic (Podman builds with Buildah);
 *   3. no `docker-buildx` plugin found (`TSSTACK_BUILDX`, the Docker CLI's plugin folders, PATH): classic;
 *   4. otherwise BuildKit via buildx.
 * The classic builder refuses a request that needs BuildKit, naming the keys and the reason.
 */
import { EngineError } from '../core/errors.js';
import { findBuildx } from './buildx.js';
import type { BuildRequest } from './types.js';

type Env = Record<string, string | undefined>;

export type BuilderChoice = { kind: 'buildkit'; buildx: string } | { kind: 'classic'; why: string };

export function chooseBuilder(env: Env, flavor: 'docker' | 'podman'): BuilderChoice {
  if (env.DOCKER_BUILDKIT === '0' || env.DOCKER_BUILDKIT?.toLowerCase() === 'false')
    return { kind: 'classic', why: 'DOCKER_BUILDKIT=0 is set' };
  if (flavor === 'podman') return { kind: 'classic', why: "Podman's Docker-compatible API has no BuildKit" };
  const buildx = findBuildx(env);
  if (!buildx)
    return {
      kind: 'classic',
      why: 'the docker-buildx plugin is not installed (Debian: apt-get install docker-buildx)',
    };
  return { kind: 'buildkit', buildx };
}

/** The stack keys of a request that only BuildKit can honour. */
export function buildkitOnlyKeys(req: BuildRequest): string[] {
  const keys: string[] = [];
  if (req.secrets?.length) keys.push('build.secrets');
  if (req.ssh?.length) keys.push('build.ssh');
  if (req.additionalContexts && Object.keys(req.additionalContexts).length)
    keys.push('build.additional_contexts');
  if (req.cacheTo?.length) keys.push('build.cache_to');
  if (req.entitlements?.length) keys.push('build.entitlements / build.privileged');
  return keys;
}

/** Refuses what the engine's builder cannot do, before anything runs. */
export function checkBuildRequest(req: BuildRequest, choice: BuilderChoice): void {
  if ((req.platforms?.length ?? 0) > 1)
    throw new EngineError(
      `build.platforms lists ${req.platforms?.length} platforms (${req.platforms?.join(', ')}): the engine's ` +
        `builder builds one platform at a time and keeps one image per tag. List one platform, or build ` +
        `the others with a docker-container builder (docker buildx create --use) and push them`,
    );
  if (choice.kind === 'classic') {
    const keys = buildkitOnlyKeys(req);
    if (keys.length)
      throw new EngineError(
        `${keys.join(', ')} ${keys.length === 1 ? 'needs' : 'need'} BuildKit, and tsstack builds with the ` +
          `engine's classic builder here because ${choice.why}`,
      );
  }
}

/** The classic builder's refusal of BuildKit syntax, with why BuildKit is not in use. */
export function explainClassicFailure(words: string, choice: BuilderChoice): string {
  if (choice.kind === 'classic' && /requires BuildKit|BuildKit/i.test(words))
    return `${words} (tsstack builds with the engine's classic builder because ${choice.why})`;
  return words;
}
