/**
 * Storage for containers: named volumes (created labelled, unless external), bind mounts (missing host
 * folders created when `create_host_path`), tmpfs, `volumes_from`, and file-based secrets and configs
 * mounted read-only at Compose's default paths (`/run/secrets/<name>`, `/<name>`).
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { EngineError } from '../core/errors.js';
import { LABEL } from '../model/labels.js';
import type { Mount, Runtime } from '../runtime/types.js';
import type { FileReference, SecretSpec, ServiceSpec, Stack } from '../spec/types.js';
import { compareText } from '../core/compare.js';
import type { DesiredVolume } from '../model/desired.js';

/** Every declared top-level volume, labelled for the project (external ones are only checked). */
export function desiredVolumes(stack: Stack): DesiredVolume[] {
  return Object.entries(stack.volumes)
    .sort(([a], [b]) => compareText(a, b))
    .map(([key, v]) => ({
      key,
      name: v.name,
      external: v.external,
      spec: {
        name: v.name,
        driver: v.driver ?? 'local',
        labels: { ...v.labels, [LABEL.project]: stack.name, [LABEL.volume]: key },
        options: { ...v.driver_opts },
      },
    }));
}

/** Engine volume name for a service's volume source (declared key → its name; otherwise as written). */
function volumeName(stack: Stack, source: string): string {
  return stack.volumes[source]?.name ?? source;
}

/** The mounts of one container of the service: volumes, binds, tmpfs, secrets and configs. */
export function serviceMounts(stack: Stack, service: ServiceSpec): Mount[] {
  const mounts: Mount[] = service.volumes.flatMap((v): Mount[] => {
    switch (v.type) {
      case 'volume':
        return [
          {
            type: 'volume',
            source: v.source === undefined ? undefined : volumeName(stack, v.source),
            target: v.target,
            readOnly: v.read_only,
            noCopy: v.volume?.nocopy || undefined,
            subpath: v.volume?.subpath,
          },
        ];
      case 'bind':
        return [
          {
            type: 'bind',
            source: v.source,
            target: v.target,
            readOnly: v.read_only,
            propagation: v.bind?.propagation,
          },
        ];
      case 'tmpfs':
        return [
          {
            type: 'tmpfs',
            target: v.target,
            readOnly: v.read_only,
            tmpfsSize: v.tmpfs?.size,
            tmpfsMode: v.tmpfs?.mode,
          },
        ];
      default:
        // npipe, cluster and image mounts have no meaning on a Linux Docker engine here.
        return [];
    }
  });
  for (const t of service.tmpfs) mounts.push(parseTmpfs(t));
  // Relative targets resolve like Compose: secrets under /run/secrets, configs under /.
  for (const ref of service.secrets)
    mounts.push(
      fileMount(stack.secrets[ref.source], ref, absolute(ref.target || ref.source, '/run/secrets/')),
    );
  for (const ref of service.configs)
    mounts.push(fileMount(stack.configs[ref.source], ref, absolute(ref.target || ref.source, '/')));
  return mounts;
}

function absolute(target: string, base: string): string {
  return target.startsWith('/') ? target : `${base}${target}`;
}

function fileMount(spec: SecretSpec | undefined, ref: FileReference, target: string): Mount {
  if (!spec?.file)
    // Environment- and content-based secrets need a file the engine can bind; not supported yet.
    throw new EngineError(
      `secret or config "${ref.source}" has no file; only file-based secrets and configs are supported`,
    );
  return { type: 'bind', source: spec.file, target, readOnly: true };
}

/** `/run:size=64m,mode=1777` → a tmpfs mount. */
function parseTmpfs(entry: string): Mount {
  const [target = entry, opts = ''] = entry.split(':', 2);
  const mount: Mount = { type: 'tmpfs', target, readOnly: false };
  for (const opt of opts.split(',').filter(Boolean)) {
    const [k, v = ''] = opt.split('=', 2);
    if (k === 'size') mount.tmpfsSize = parseSize(v);
    if (k === 'mode') mount.tmpfsMode = Number.parseInt(v, 8);
  }
  return mount;
}

function parseSize(s: string): number {
  const m = /^(\d+)([kmg]?)b?$/i.exec(s.trim());
  if (!m) return Number(s);
  const unit = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[(m[2] ?? '').toLowerCase()] ?? 1;
  return Number(m[1]) * unit;
}

/** `volumes_from` entries as the engine wants them: `service[:ro]` → `<container>[:ro]`. */
export function serviceVolumesFrom(stack: Stack, service: ServiceSpec): string[] {
  return service.volumes_from.map((entry) => {
    if (entry.startsWith('container:')) return entry.slice('container:'.length);
    const [name = entry, mode] = entry.split(':', 2);
    const svc = stack.services[name];
    const container = svc ? (svc.container_name ?? `${stack.name}-${name}-1`) : name;
    return mode ? `${container}:${mode}` : container;
  });
}

/** Services whose containers this one borrows volumes from (they must exist first). */
export function volumesFromServices(stack: Stack, service: ServiceSpec): string[] {
  return service.volumes_from
    .filter((e) => !e.startsWith('container:'))
    .map((e) => e.split(':', 1)[0] as string)
    .filter((name) => name in stack.services);
}

/** Creates missing host folders for bind mounts that ask for it (Compose's `create_host_path`). */
export async function ensureBindPaths(services: ServiceSpec[]): Promise<void> {
  for (const s of services)
    for (const v of s.volumes)
      if (v.type === 'bind' && v.source && v.bind?.create_host_path !== false && !existsSync(v.source))
        await mkdir(v.source, { recursive: true }).catch((err: unknown) => {
          throw new EngineError(
            `service ${s.name}: cannot create host folder ${v.source} for a bind mount: ${(err as Error).message}`,
          );
        });
}

/** Fails (before anything is created) when an external volume does not exist. */
export async function checkExternalVolumes(runtime: Runtime, volumes: DesiredVolume[]): Promise<void> {
  const missing: string[] = [];
  for (const v of volumes.filter((x) => x.external))
    if (!(await runtime.inspectVolume(v.name))) missing.push(v.name);
  if (missing.length > 0)
    throw new EngineError(
      `volume ${missing.join(', ')} declared as external, but could not be found; create it with \`docker volume create\` first`,
    );
}
