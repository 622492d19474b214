// Builds normalized Stacks for export tests, as loadStack would return them (every field in its long form).
import type { ServiceSpec, Stack, VolumeSpec, SecretSpec, NetworkSpec } from '../../../src/spec/types.js';
import { makeService } from '../helpers/stack-factory.js';

/** A normalized service with no image (export tests set what they need) on the default network. */
export function service(name: string, over: Partial<ServiceSpec> = {}): ServiceSpec {
  const { image: _image, ...base } = makeService(name, { networks: { default: { aliases: [] } } });
  return { ...base, ...over };
}

export function volume(project: string, key: string, over: Partial<VolumeSpec> = {}): VolumeSpec {
  return { name: `${project}_${key}`, driver_opts: {}, external: false, labels: {}, ...over };
}

export function secret(project: string, key: string, over: Partial<SecretSpec> = {}): SecretSpec {
  return { name: `${project}_${key}`, external: false, labels: {}, ...over };
}

export function network(project: string, key: string, over: Partial<NetworkSpec> = {}): NetworkSpec {
  return {
    name: `${project}_${key}`,
    driver_opts: {},
    external: false,
    internal: false,
    attachable: false,
    labels: {},
    ...over,
  };
}

export function stack(name: string, services: ServiceSpec[], over: Partial<Stack> = {}): Stack {
  return {
    name,
    projectDir: `/srv/${name}`,
    files: [`/srv/${name}/stack.yml`],
    profiles: [],
    services: Object.fromEntries(services.map((s) => [s.name, s])),
    processes: {},
    networks: { default: network(name, 'default') },
    volumes: {},
    secrets: {},
    configs: {},
    extensions: {},
    ...over,
  };
}

/** An in-memory file system for secrets and configs read during export. */
export function files(contents: Record<string, string | Buffer>): (path: string) => Uint8Array {
  return (path) => {
    const c = contents[path];
    if (c === undefined) throw new Error(`ENOENT: no such file or directory, open '${path}'`);
    return typeof c === 'string' ? Buffer.from(c, 'utf8') : c;
  };
}
