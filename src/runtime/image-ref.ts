/**
 * Image references as the Docker CLI reads them: which registry a reference lives on (the key its
 * credentials are stored under) and the repository and tag a push names.
 */

/** Docker Hub's key in `~/.docker/config.json` and for credential helpers. */
export const DOCKER_HUB_AUTH_KEY = 'https://index.docker.io/v1/';

export interface ImageRef {
  /** Registry host (`docker.io` for Docker Hub), with its port when one is written. */
  registry: string;
  /** Repository path within the registry, with `library/` for Hub's official images. */
  repository: string;
  /** The tag, or undefined when the reference pins a digest or names none. */
  tag?: string;
  digest?: string;
}

/**
 * Splits a reference. The first path component is a registry host when it has a `.` or a `:`, or is
 * `localhost` (Docker's rule); otherwise the image is on Docker Hub.
 */
export function parseImageRef(ref: string): ImageRef {
  let rest = ref;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  const slash = rest.indexOf('/');
  const first = slash < 0 ? '' : rest.slice(0, slash);
  const isHost = first !== '' && (first.includes('.') || first.includes(':') || first === 'localhost');
  let registry = isHost ? first : 'docker.io';
  let repository = isHost ? rest.slice(slash + 1) : rest;
  if (registry === 'index.docker.io' || registry === 'registry-1.docker.io') registry = 'docker.io';
  if (registry === 'docker.io' && !repository.includes('/')) repository = `library/${repository}`;
  return { registry, repository, ...(tag !== undefined ? { tag } : {}), ...(digest ? { digest } : {}) };
}

/** The key a registry's credentials are stored under: Hub's legacy URL, else the host. */
export function authKeyOf(registry: string): string {
  return registry === 'docker.io' ? DOCKER_HUB_AUTH_KEY : registry;
}

/**
 * A config key as written by `docker login` over the years (`https://host/v1/`, `http://host`, `host`)
 * reduced to the host, as the Docker CLI's ConvertToHostname does.
 */
export function hostOfAuthKey(key: string): string {
  const host = key.replace(/^https?:\/\//, '').split('/')[0] ?? key;
  return host === 'index.docker.io' || host === 'registry-1.docker.io' ? 'docker.io' : host;
}
