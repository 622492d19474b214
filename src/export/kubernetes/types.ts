import type { IDaemonSet } from 'kubernetes-models/apps/v1/DaemonSet';
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IStatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { IPersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import type { ISecret } from 'kubernetes-models/v1/Secret';
import type { IService } from 'kubernetes-models/v1/Service';

/** Every kind of object the Kubernetes export produces (plain data, typed by the API's own schema types). */
export type KubeObject =
  IDeployment | IStatefulSet | IDaemonSet | IService | IPersistentVolumeClaim | IConfigMap | ISecret;

/** A stack key that has no (faithful) Kubernetes form, and why. `path` reads like `services.web.build`. */
export interface SkippedKey {
  path: string;
  reason: string;
}

export interface KubernetesExport {
  /** In apply order: ConfigMaps, Secrets, PersistentVolumeClaims, Services, workloads (Deployments, StatefulSets, DaemonSets). */
  objects: KubeObject[];
  skipped: SkippedKey[];
}

export interface KubernetesExportOptions {
  /** Sets `metadata.namespace` on every object; unset leaves it to `kubectl apply -n`. */
  namespace?: string;
  /** Image of the init containers that wait for dependencies (needs `sh`, `nc`, `sleep`). */
  initImage?: string;
  /** Size of a PersistentVolumeClaim whose volume has no `x-tsstack.size`. */
  defaultVolumeSize?: string;
  /** Reads a secret or config file (absolute path). The only I/O, passed in so the translator stays pure. */
  readFile: (absolutePath: string) => Uint8Array;
  /** Values for secrets and configs declared with `environment:`. */
  env?: Record<string, string | undefined>;
}

export const DEFAULT_INIT_IMAGE = 'busybox:1.36';
export const DEFAULT_VOLUME_SIZE = '1Gi';
