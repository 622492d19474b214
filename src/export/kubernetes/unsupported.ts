/** Service and top-level keys that have no Kubernetes form: each one set is reported with the reason. */
import type { ServiceSpec, Stack } from '../../spec/types.js';
import type { ExportContext } from './context.js';

type Reason = string;

/** Service keys with no Kubernetes equivalent at all. */
const NO_FORM: Partial<Record<keyof ServiceSpec, Reason>> = {
  container_name: 'Kubernetes names pods itself; the Service name is the stable name',
  domainname: 'pods get their domain from the cluster DNS',
  init: 'Kubernetes has no init-process injection; add tini to the image',
  stop_signal: 'Kubernetes always sends SIGTERM; handle it or use a preStop hook',
  ulimits: 'Kubernetes has no per-container ulimits',
  devices: 'host devices are exposed through device plugins, not paths',
  memswap_limit: 'Kubernetes has no swap limit per container',
  cpu_shares: 'use deploy.resources.reservations.cpus (a CPU request) instead',
  cpuset: 'CPU pinning is a node setting (the static CPU manager policy)',
  pids_limit: 'Kubernetes sets pid limits per node, not per container',
  oom_score_adj: 'Kubernetes derives the OOM score from the pod QoS class',
  userns_mode: 'user namespaces are set with hostUsers, which tsstack does not map',
  logging: 'logging drivers are a node setting in Kubernetes',
  external_links: 'Kubernetes cannot link to containers outside the cluster',
  develop: 'development-only (tsstack up --watch)',
};

function isSet(value: unknown): boolean {
  if (value === undefined || value === null) return false;
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === 'object') return Object.keys(value).length > 0;
  return true;
}

/** Reports every key of `service` Kubernetes cannot express that the other translators do not handle. */
export function reportServiceKeys(ctx: ExportContext, service: ServiceSpec): void {
  const path = ['services', service.name];
  for (const [key, reason] of Object.entries(NO_FORM)) {
    if (isSet(service[key as keyof ServiceSpec])) ctx.report.skip([...path, key], reason);
  }
  if (service.links.length > 0) {
    ctx.report.skip(
      [...path, 'links'],
      'every exported service is reachable by its Service name; link aliases are not created',
    );
  }
  for (const key of Object.keys(service.extensions)) {
    ctx.report.skip([...path, key], 'extension keys are not exported');
  }
  for (const [net, att] of Object.entries(service.networks)) {
    const at = [...path, 'networks', net];
    for (const key of ['ipv4_address', 'ipv6_address', 'mac_address', 'priority'] as const) {
      if (att[key] !== undefined) ctx.report.skip([...at, key], 'Kubernetes assigns pod addresses itself');
    }
  }
  const deploy = service.deploy;
  if (!deploy) return;
  const dp = [...path, 'deploy'];
  if (deploy.rollback_config)
    ctx.report.skip(
      [...dp, 'rollback_config'],
      'Kubernetes rolls back with kubectl rollout undo, not automatically',
    );
}

/** Networks: Kubernetes gives every pod one flat network, so isolation and network settings are not exported. */
export function reportNetworks(ctx: ExportContext, stack: Stack): void {
  for (const [key, net] of Object.entries(stack.networks)) {
    const custom =
      net.driver !== undefined ||
      net.ipam !== undefined ||
      net.internal ||
      net.external ||
      Object.keys(net.driver_opts).length > 0;
    if (key !== 'default' || custom) {
      ctx.report.skip(
        ['networks', key],
        'pods share one cluster network; isolation needs NetworkPolicies, which are not generated',
      );
    }
  }
}
