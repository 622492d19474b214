import type { IDaemonSet } from 'kubernetes-models/apps/v1/DaemonSet';
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IStatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import type { IContainer } from 'kubernetes-models/v1/Container';
import { expect } from 'vitest';
import { toKubernetes } from '../../../src/export/kubernetes/index.js';
import type {
  KubeObject,
  KubernetesExport,
  KubernetesExportOptions,
} from '../../../src/export/kubernetes/types.js';
import type { Stack } from '../../../src/spec/types.js';
import { files } from './factory.js';
import { allErrors } from './kube-validate.js';

/** Exports and asserts that every object passes schema, API-rule and reference validation. */
export function exportValid(stack: Stack, options: Partial<KubernetesExportOptions> = {}): KubernetesExport {
  const result = toKubernetes(stack, { readFile: files({}), ...options });
  expect(allErrors(result.objects)).toEqual([]);
  return result;
}

export function find<K extends KubeObject['kind']>(
  result: KubernetesExport,
  kind: K,
  name: string,
): Extract<KubeObject, { kind: K }> {
  const o = result.objects.find((x) => x.kind === kind && x.metadata?.name === name);
  if (!o)
    throw new Error(
      `no ${kind}/${name} in ${result.objects.map((x) => `${x.kind}/${x.metadata?.name}`).join(', ')}`,
    );
  return o as Extract<KubeObject, { kind: K }>;
}

export function workloadOf(result: KubernetesExport, name: string): IDeployment | IStatefulSet | IDaemonSet {
  const o = result.objects.find(
    (x) =>
      (x.kind === 'Deployment' || x.kind === 'StatefulSet' || x.kind === 'DaemonSet') &&
      x.metadata?.name === name,
  );
  if (!o) throw new Error(`no workload ${name}`);
  return o as IDeployment | IStatefulSet | IDaemonSet;
}

export function containerOf(result: KubernetesExport, name: string): IContainer {
  const c = workloadOf(result, name).spec?.template.spec?.containers[0];
  if (!c) throw new Error(`no container in ${name}`);
  return c;
}

/** The reason reported for `path`, or undefined. */
export function reason(result: KubernetesExport, path: string): string | undefined {
  return result.skipped.find((s) => s.path === path)?.reason;
}
