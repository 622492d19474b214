/** Named volumes as PersistentVolumeClaims, and a service's `volumes:`, `tmpfs:` and `shm_size` as pod volumes. */
import type { IPersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import type { IVolume } from 'kubernetes-models/v1/Volume';
import type { IVolumeMount } from 'kubernetes-models/v1/VolumeMount';
import type { ServiceSpec } from '../../spec/types.js';
import { type ExportContext, PART_OF_LABEL, objectMeta, toLabelValue, userLabels } from './context.js';
import { NameTable, toDnsLabel } from './names.js';
import { byteQuantity, storageQuantity } from './quantity.js';

function tsstackExtension(ext: Record<string, unknown> | undefined): Record<string, unknown> {
  const x = ext?.['x-tsstack'];
  return x !== null && typeof x === 'object' && !Array.isArray(x) ? (x as Record<string, unknown>) : {};
}

/** One ReadWriteOnce claim per named volume; external volumes are referenced by name, not created. */
export function claimObjects(ctx: ExportContext): IPersistentVolumeClaim[] {
  const claims: IPersistentVolumeClaim[] = [];
  const table = new NameTable();
  for (const [key, spec] of Object.entries(ctx.stack.volumes)) {
    const path = ['volumes', key];
    if (spec.external) {
      ctx.claimNames.set(key, table.claim(toDnsLabel(spec.name)));
      continue;
    }
    const name = table.claim(toDnsLabel(key));
    ctx.claimNames.set(key, name);
    if (spec.driver !== undefined && spec.driver !== 'local') {
      ctx.report.skip(
        [...path, 'driver'],
        'volume drivers have no Kubernetes form; choose a storage class (x-tsstack.storage_class)',
      );
    }
    if (Object.keys(spec.driver_opts).length > 0) {
      ctx.report.skip(
        [...path, 'driver_opts'],
        'driver options have no Kubernetes form; choose a storage class (x-tsstack.storage_class)',
      );
    }
    const x = tsstackExtension(spec.extensions);
    for (const k of Object.keys(x)) {
      if (k !== 'size' && k !== 'storage_class') {
        ctx.report.skip(
          [...path, 'x-tsstack', k],
          'not a Kubernetes export setting (size and storage_class are)',
        );
      }
    }
    if (x.storage_class !== undefined && typeof x.storage_class !== 'string') {
      ctx.report.skip([...path, 'x-tsstack', 'storage_class'], 'must be the name of a storage class');
    }
    let size = ctx.options.defaultVolumeSize;
    if (x.size !== undefined) {
      const q = storageQuantity(x.size);
      if (q === undefined)
        ctx.report.skip(
          [...path, 'x-tsstack', 'size'],
          `${JSON.stringify(x.size)} is not a size; used ${size}`,
        );
      else size = q;
    }
    const user = userLabels(ctx, spec.labels, [...path, 'labels'], [PART_OF_LABEL]);
    const claim: IPersistentVolumeClaim = {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: objectMeta(
        ctx,
        name,
        { [PART_OF_LABEL]: toLabelValue(ctx.stack.name), ...user.labels },
        user.annotations,
      ),
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: size } } },
    };
    if (typeof x.storage_class === 'string' && claim.spec) claim.spec.storageClassName = x.storage_class;
    claims.push(claim);
  }
  return claims;
}

/** True when the service mounts a named volume (it then runs as a StatefulSet). */
export function usesNamedVolume(service: ServiceSpec): boolean {
  return service.volumes.some((v) => v.type === 'volume' && v.source !== undefined);
}

/** Pod volumes and container mounts for `volumes:`, `tmpfs:` and `shm_size`; what has no Kubernetes form is reported. */
export function serviceStorage(
  ctx: ExportContext,
  service: ServiceSpec,
  volumeNames: NameTable,
): { volumes: IVolume[]; mounts: IVolumeMount[] } {
  const volumes: IVolume[] = [];
  const mounts: IVolumeMount[] = [];
  const claimVolumes = new Map<string, string>();
  service.volumes.forEach((v, i) => {
    const path = ['services', service.name, 'volumes', i];
    const mount: IVolumeMount = { name: '', mountPath: v.target };
    if (v.read_only) mount.readOnly = true;
    switch (v.type) {
      case 'volume': {
        if (v.source === undefined) {
          mount.name = volumeNames.claim(toDnsLabel(`anon-${i}`));
          volumes.push({ name: mount.name, emptyDir: {} });
          break;
        }
        const claimName = ctx.claimNames.get(v.source);
        if (claimName === undefined) {
          ctx.report.skip(path, `volume "${v.source}" is not declared under top-level volumes:`);
          return;
        }
        // Two mounts of one claim share one pod volume.
        let name = claimVolumes.get(v.source);
        if (name === undefined) {
          name = volumeNames.claim(toDnsLabel(v.source));
          claimVolumes.set(v.source, name);
          volumes.push({ name, persistentVolumeClaim: { claimName } });
        }
        mount.name = name;
        if (v.volume?.subpath !== undefined) mount.subPath = v.volume.subpath;
        break;
      }
      case 'tmpfs': {
        mount.name = volumeNames.claim(toDnsLabel(`tmpfs-${i}`));
        const size = v.tmpfs?.size;
        volumes.push({
          name: mount.name,
          emptyDir:
            size !== undefined ? { medium: 'Memory', sizeLimit: byteQuantity(size) } : { medium: 'Memory' },
        });
        if (v.tmpfs?.mode !== undefined)
          ctx.report.skip([...path, 'tmpfs', 'mode'], 'Kubernetes cannot set the mode of an emptyDir');
        break;
      }
      case 'bind':
        ctx.report.skip(
          path,
          `bind mount of host path ${v.source ?? '(none)'}; cluster nodes do not have your files: use a config, a secret or a named volume`,
        );
        return;
      case 'npipe':
      case 'cluster':
      case 'image':
        ctx.report.skip(path, `${v.type} volumes have no Kubernetes form`);
        return;
    }
    mounts.push(mount);
  });
  service.tmpfs.forEach((entry, i) => {
    const [target, ...opts] = entry.split(':');
    const name = volumeNames.claim(toDnsLabel(`tmpfs-t${i}`));
    const sizeOpt = opts
      .join(':')
      .split(',')
      .find((o) => o.startsWith('size='));
    const sizeLimit = sizeOpt !== undefined ? storageQuantity(sizeOpt.slice(5)) : undefined;
    volumes.push({
      name,
      emptyDir: sizeLimit !== undefined ? { medium: 'Memory', sizeLimit } : { medium: 'Memory' },
    });
    mounts.push({ name, mountPath: target ?? entry });
  });
  if (service.shm_size !== undefined) {
    const name = volumeNames.claim('dshm');
    volumes.push({ name, emptyDir: { medium: 'Memory', sizeLimit: byteQuantity(service.shm_size) } });
    mounts.push({ name, mountPath: '/dev/shm' });
  }
  if (service.volumes_from.length > 0) {
    ctx.report.skip(
      ['services', service.name, 'volumes_from'],
      "pods cannot mount another workload's volumes; mount the named volumes directly",
    );
  }
  return { volumes, mounts };
}
