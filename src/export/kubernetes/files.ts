/** Top-level `secrets:` and `configs:` as Secrets and ConfigMaps, and their mounts into a service's pods. */
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { ISecret } from 'kubernetes-models/v1/Secret';
import type { IVolume } from 'kubernetes-models/v1/Volume';
import type { IVolumeMount } from 'kubernetes-models/v1/VolumeMount';
import type { FileReference, SecretSpec, ServiceSpec } from '../../spec/types.js';
import { type ExportContext, PART_OF_LABEL, objectMeta, toLabelValue, userLabels } from './context.js';
import { NameTable, toDnsLabel } from './names.js';

type FileKind = 'secrets' | 'configs';

/** The API server rejects Secrets and ConfigMaps over 1 MiB. */
const MAX_OBJECT_BYTES = 1024 * 1024;

/** The data key a secret or config's content is stored under (and, for external ones, expected under). */
export function dataKey(name: string): string {
  return name.replace(/[^-._a-zA-Z0-9]+/g, '-') || 'content';
}

function content(ctx: ExportContext, kind: FileKind, key: string, spec: SecretSpec): Buffer | undefined {
  if (spec.content !== undefined) return Buffer.from(spec.content, 'utf8');
  if (spec.file !== undefined) {
    try {
      return Buffer.from(ctx.options.readFile(spec.file));
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      ctx.report.skip([kind, key, 'file'], `cannot read ${spec.file}: ${why}`);
      return undefined;
    }
  }
  if (spec.environment !== undefined) {
    const value = ctx.options.env?.[spec.environment];
    if (value !== undefined) return Buffer.from(value, 'utf8');
    ctx.report.skip(
      [kind, key, 'environment'],
      `${spec.environment} is not set in the environment of the export`,
    );
    return undefined;
  }
  ctx.report.skip([kind, key], 'has no file:, environment: or content: to export');
  return undefined;
}

function isUtf8(bytes: Buffer): boolean {
  return Buffer.from(bytes.toString('utf8'), 'utf8').equals(bytes);
}

/** Builds the Secrets and ConfigMaps, filling `ctx.secretNames` / `ctx.configNames` (external ones are referenced, not built). */
export function fileObjects(ctx: ExportContext): { secrets: ISecret[]; configMaps: IConfigMap[] } {
  const secrets: ISecret[] = [];
  const configMaps: IConfigMap[] = [];
  for (const kind of ['configs', 'secrets'] as const) {
    const table = new NameTable();
    const names = kind === 'secrets' ? ctx.secretNames : ctx.configNames;
    for (const [key, spec] of Object.entries(ctx.stack[kind])) {
      if (spec.external) {
        names.set(key, table.claim(toDnsLabel(spec.name)));
        continue;
      }
      const bytes = content(ctx, kind, key, spec);
      if (bytes === undefined) continue;
      if (bytes.length > MAX_OBJECT_BYTES) {
        ctx.report.skip(
          [kind, key],
          `${bytes.length} bytes; Kubernetes ${kind === 'secrets' ? 'Secrets' : 'ConfigMaps'} hold at most 1 MiB`,
        );
        continue;
      }
      const name = table.claim(toDnsLabel(key));
      names.set(key, name);
      const user = userLabels(ctx, spec.labels, [kind, key, 'labels'], [PART_OF_LABEL]);
      const meta = objectMeta(
        ctx,
        name,
        { [PART_OF_LABEL]: toLabelValue(ctx.stack.name), ...user.labels },
        user.annotations,
      );
      const k = dataKey(key);
      if (kind === 'secrets') {
        secrets.push({
          apiVersion: 'v1',
          kind: 'Secret',
          metadata: meta,
          type: 'Opaque',
          data: { [k]: bytes.toString('base64') },
        });
      } else if (isUtf8(bytes)) {
        configMaps.push({
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: meta,
          data: { [k]: bytes.toString('utf8') },
        });
      } else {
        configMaps.push({
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: meta,
          binaryData: { [k]: bytes.toString('base64') },
        });
      }
    }
  }
  return { secrets, configMaps };
}

/** Compose's default mount points: `/run/secrets/<target>` for secrets, `/<target>` for configs. */
export function mountPath(kind: FileKind, target: string): string {
  if (target.startsWith('/')) return target;
  return kind === 'secrets' ? `/run/secrets/${target}` : `/${target}`;
}

/** One pod volume and mount per secret or config a service uses, each mounting the single file at its target. */
export function fileMounts(
  ctx: ExportContext,
  service: ServiceSpec,
  volumeNames: NameTable,
): { volumes: IVolume[]; mounts: IVolumeMount[] } {
  const volumes: IVolume[] = [];
  const mounts: IVolumeMount[] = [];
  for (const kind of ['secrets', 'configs'] as const) {
    const refs: FileReference[] = service[kind];
    refs.forEach((ref, i) => {
      const path = ['services', service.name, kind, i];
      const objectName = (kind === 'secrets' ? ctx.secretNames : ctx.configNames).get(ref.source);
      if (objectName === undefined) {
        ctx.report.skip(
          path,
          `${kind.slice(0, -1)} "${ref.source}" is not exported (see ${kind}.${ref.source})`,
        );
        return;
      }
      if (ref.uid !== undefined || ref.gid !== undefined) {
        ctx.report.skip(
          [...path, ref.uid !== undefined ? 'uid' : 'gid'],
          'Kubernetes cannot set the owner of a mounted file; use the pod securityContext.fsGroup',
        );
      }
      const key = dataKey(ref.source);
      const fileName = key;
      const item = ref.mode !== undefined ? { key, path: fileName, mode: ref.mode } : { key, path: fileName };
      const name = volumeNames.claim(toDnsLabel(`${kind === 'secrets' ? 'secret' : 'config'}-${ref.source}`));
      volumes.push(
        kind === 'secrets'
          ? { name, secret: { secretName: objectName, items: [item] } }
          : { name, configMap: { name: objectName, items: [item] } },
      );
      mounts.push({ name, mountPath: mountPath(kind, ref.target), subPath: fileName, readOnly: true });
    });
  }
  return { volumes, mounts };
}
