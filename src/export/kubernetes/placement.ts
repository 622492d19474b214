/** Swarm placement (`deploy.placement`) as node selection, affinity and topology spread. */
import type { IPodSpec } from 'kubernetes-models/v1/PodSpec';
import type { ServiceSpec } from '../../spec/types.js';
import { type ExportContext, selectorLabels } from './context.js';

const CONSTRAINT = /^\s*([A-Za-z0-9_.\-/]+)\s*(==|!=)\s*(.+?)\s*$/;
const ARCH: Record<string, string> = { x86_64: 'amd64', aarch64: 'arm64', armv7l: 'arm' };

/** The node label a Swarm constraint attribute reads, or undefined when Kubernetes nodes have no such label. */
function nodeLabel(attribute: string, value: string): { key: string; value: string } | undefined {
  if (attribute.startsWith('node.labels.')) return { key: attribute.slice('node.labels.'.length), value };
  if (attribute === 'node.hostname') return { key: 'kubernetes.io/hostname', value };
  if (attribute === 'node.platform.os') return { key: 'kubernetes.io/os', value };
  if (attribute === 'node.platform.arch') return { key: 'kubernetes.io/arch', value: ARCH[value] ?? value };
  return undefined;
}

/**
 * `==` constraints become a nodeSelector and `!=` a required node affinity (all must hold, as in Swarm);
 * `spread` preferences become soft topology spread constraints; `max_replicas_per_node: 1` a required
 * anti-affinity on the hostname. What has no node-label form (node.role, node.id, engine.labels) is reported.
 */
export function placement(ctx: ExportContext, service: ServiceSpec, name: string): Partial<IPodSpec> {
  const p = service.deploy?.placement;
  if (!p) return {};
  const path = ['services', service.name, 'deploy', 'placement'];
  const spec: Partial<IPodSpec> = {};
  const selector: Record<string, string> = {};
  const notIn: { key: string; operator: 'NotIn'; values: string[] }[] = [];
  p.constraints.forEach((c, i) => {
    const m = CONSTRAINT.exec(c);
    const label = m ? nodeLabel(m[1] ?? '', m[3] ?? '') : undefined;
    if (!m || !label) {
      ctx.report.skip(
        [...path, 'constraints', i],
        `"${c}" has no Kubernetes node label to select on (node.labels.*, node.hostname, node.platform.* do)`,
      );
      return;
    }
    if (m[2] === '==') selector[label.key] = label.value;
    else notIn.push({ key: label.key, operator: 'NotIn', values: [label.value] });
  });
  if (Object.keys(selector).length > 0) spec.nodeSelector = selector;
  const pods = selectorLabels(ctx, name);
  if (notIn.length > 0) {
    spec.affinity = {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: notIn }] },
      },
    };
  }
  const spread: NonNullable<IPodSpec['topologySpreadConstraints']> = [];
  p.preferences.forEach((pref, i) => {
    const label = nodeLabel(pref.spread, '');
    if (!label) {
      ctx.report.skip(
        [...path, 'preferences', i],
        `spread over "${pref.spread}" has no Kubernetes node label`,
      );
      return;
    }
    spread.push({
      maxSkew: 1,
      topologyKey: label.key,
      whenUnsatisfiable: 'ScheduleAnyway',
      labelSelector: { matchLabels: pods },
    });
  });
  if (spread.length > 0) spec.topologySpreadConstraints = spread;
  if (p.max_replicas_per_node === 1) {
    spec.affinity = {
      ...spec.affinity,
      podAntiAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: [
          { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: pods } },
        ],
      },
    };
  } else if (p.max_replicas_per_node !== undefined) {
    ctx.report.skip(
      [...path, 'max_replicas_per_node'],
      'Kubernetes can only keep pods apart (1 per node), not cap them at a higher number',
    );
  }
  return spec;
}
