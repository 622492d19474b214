/** A Compose service as a Deployment; a StatefulSet when it mounts a named volume; a DaemonSet in global mode. */
import type { IDaemonSet } from 'kubernetes-models/apps/v1/DaemonSet';
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IStatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import type { IPodTemplateSpec } from 'kubernetes-models/v1/PodTemplateSpec';
import type { ServiceSpec } from '../../spec/types.js';
import { mainContainer } from './container.js';
import {
  type ExportContext,
  NAME_LABEL,
  PART_OF_LABEL,
  objectMeta,
  selectorLabels,
  userLabels,
} from './context.js';
import { fileMounts } from './files.js';
import { NameTable, isLabelKey } from './names.js';
import { placement } from './placement.js';
import { podSettings, waitContainers } from './pod.js';
import type { ServicePorts } from './ports.js';
import { daemonSetStrategy, deploymentStrategy, reportRestart, reportStatefulUpdate } from './rollout.js';
import { serviceStorage, usesNamedVolume } from './storage.js';

const RESERVED = [NAME_LABEL, PART_OF_LABEL];

export type Workload = IDeployment | IStatefulSet | IDaemonSet;

function podTemplate(
  ctx: ExportContext,
  service: ServiceSpec,
  name: string,
  image: string,
  ports: ServicePorts,
  portsOf: Map<string, ServicePorts>,
): IPodTemplateSpec {
  const path = ['services', service.name];
  const volumeNames = new NameTable();
  const storage = serviceStorage(ctx, service, volumeNames);
  const files = fileMounts(ctx, service, volumeNames);
  const container = mainContainer(ctx, service, name, image, ports, [...storage.mounts, ...files.mounts]);
  const init = waitContainers(ctx, service, portsOf);
  const user = userLabels(ctx, service.labels, [...path, 'labels'], RESERVED);
  const annotations = { ...user.annotations };
  for (const [key, value] of Object.entries(service.annotations ?? {})) {
    if (isLabelKey(key)) annotations[key] = value;
    else ctx.report.skip([...path, 'annotations', key], 'not a valid Kubernetes annotation key');
  }
  const metadata: IPodTemplateSpec['metadata'] = { labels: { ...selectorLabels(ctx, name), ...user.labels } };
  if (Object.keys(annotations).length > 0) metadata.annotations = annotations;
  const volumes = [...storage.volumes, ...files.volumes];
  const settings = podSettings(ctx, service);
  const placed = placement(ctx, service, name);
  const nodeSelector = { ...settings.nodeSelector, ...placed.nodeSelector };
  return {
    metadata,
    spec: {
      ...(init.length > 0 ? { initContainers: init } : {}),
      containers: [container],
      ...(volumes.length > 0 ? { volumes } : {}),
      ...settings,
      ...placed,
      ...(Object.keys(nodeSelector).length > 0 ? { nodeSelector } : {}),
    },
  };
}

/** The workload for one service. `name` is its Kubernetes name, also the name of its ClusterIP Service. */
export function workload(
  ctx: ExportContext,
  service: ServiceSpec,
  name: string,
  image: string,
  ports: ServicePorts,
  portsOf: Map<string, ServicePorts>,
): Workload {
  reportRestart(ctx, service);
  const path = ['services', service.name, 'deploy'];
  const deployLabels = userLabels(ctx, service.deploy?.labels ?? {}, [...path, 'labels'], RESERVED);
  const selector = selectorLabels(ctx, name);
  const metadata = objectMeta(ctx, name, { ...selector, ...deployLabels.labels }, deployLabels.annotations);
  const template = podTemplate(ctx, service, name, image, ports, portsOf);
  if (service.deploy?.mode === 'global') {
    const strategy = daemonSetStrategy(ctx, service);
    return {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata,
      spec: {
        selector: { matchLabels: selector },
        ...(strategy ? { updateStrategy: strategy } : {}),
        template,
      },
    };
  }
  if (usesNamedVolume(service)) {
    reportStatefulUpdate(ctx, service);
    return {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata,
      spec: {
        serviceName: name,
        replicas: service.replicas,
        // Compose starts replicas together; OrderedReady would start them one by one.
        podManagementPolicy: 'Parallel',
        selector: { matchLabels: selector },
        updateStrategy: { type: 'RollingUpdate' },
        template,
      },
    };
  }
  const strategy = deploymentStrategy(ctx, service);
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata,
    spec: {
      replicas: service.replicas,
      selector: { matchLabels: selector },
      ...(strategy ? { strategy } : {}),
      template,
    },
  };
}
