import type { PathSegment, Stack } from '../../spec/types.js';
import { isLabelKey, isLabelValue } from './names.js';
import type { SkipReport } from './report.js';
import type { KubernetesExportOptions } from './types.js';

/** What every part of the translation shares: the input, the options, the report and the names handed out. */
export interface ExportContext {
  stack: Stack;
  options: KubernetesExportOptions & { initImage: string; defaultVolumeSize: string };
  report: SkipReport;
  /** Compose service name → workload and ClusterIP Service name; only services that are exported. */
  serviceNames: Map<string, string>;
  /** Top-level secret / config / volume key → Kubernetes object name (external ones included). */
  secretNames: Map<string, string>;
  configNames: Map<string, string>;
  claimNames: Map<string, string>;
}

export interface ObjectMeta {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export const NAME_LABEL = 'app.kubernetes.io/name';
export const PART_OF_LABEL = 'app.kubernetes.io/part-of';

/** A label value made from any string (project names can be long). */
export function toLabelValue(s: string): string {
  return s
    .replace(/[^A-Za-z0-9_.-]+/g, '-')
    .slice(0, 63)
    .replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '');
}

/** The labels that select a service's pods. */
export function selectorLabels(ctx: ExportContext, k8sName: string): Record<string, string> {
  return { [NAME_LABEL]: k8sName, [PART_OF_LABEL]: toLabelValue(ctx.stack.name) };
}

/** `metadata` for an object: name, namespace when asked for, labels and annotations when there are any. */
export function objectMeta(
  ctx: ExportContext,
  name: string,
  labels: Record<string, string>,
  annotations: Record<string, string> = {},
): ObjectMeta {
  const meta: ObjectMeta = { name };
  if (ctx.options.namespace !== undefined) meta.namespace = ctx.options.namespace;
  meta.labels = labels;
  if (Object.keys(annotations).length > 0) meta.annotations = annotations;
  return meta;
}

/**
 * Splits user labels into Kubernetes labels and annotations: values a selector could not hold
 * (spaces, over 63 characters) become annotations; invalid keys and the keys tsstack sets are reported.
 */
export function userLabels(
  ctx: ExportContext,
  labels: Record<string, string>,
  path: PathSegment[],
  reserved: readonly string[],
): { labels: Record<string, string>; annotations: Record<string, string> } {
  const out = { labels: {} as Record<string, string>, annotations: {} as Record<string, string> };
  for (const [key, value] of Object.entries(labels)) {
    if (reserved.includes(key)) {
      ctx.report.skip([...path, key], 'tsstack sets this label to select the pods; rename yours');
    } else if (!isLabelKey(key)) {
      ctx.report.skip(
        [...path, key],
        'not a valid Kubernetes label key ([prefix/]name, name at most 63 characters)',
      );
    } else if (isLabelValue(value)) {
      out.labels[key] = value;
    } else {
      out.annotations[key] = value;
    }
  }
  return out;
}
