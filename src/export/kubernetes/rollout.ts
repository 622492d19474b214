/** Restart and update policies: what a workload's pods do on exit and how a new version rolls out. */
import type { IDaemonSetUpdateStrategy } from 'kubernetes-models/apps/v1/DaemonSetUpdateStrategy';
import type { IDeploymentStrategy } from 'kubernetes-models/apps/v1/DeploymentStrategy';
import type { ServiceSpec } from '../../spec/types.js';
import type { ExportContext } from './context.js';

/** Pods of a Deployment, StatefulSet or DaemonSet always restart; say so for every other policy. */
export function reportRestart(ctx: ExportContext, service: ServiceSpec): void {
  const path = ['services', service.name];
  const r = service.restart;
  if (r === 'unless-stopped') {
    ctx.report.skip(
      [...path, 'restart'],
      'exported as restartPolicy Always: Kubernetes does not remember a manual stop',
    );
  } else if (r !== undefined && r !== 'always') {
    ctx.report.skip(
      [...path, 'restart'],
      `"${r}": Deployments and StatefulSets only run pods with restartPolicy Always (a Job can restart on failure)`,
    );
  }
  const rp = service.deploy?.restart_policy;
  if (!rp) return;
  const rpp = [...path, 'deploy', 'restart_policy'];
  if (rp.condition !== undefined && rp.condition !== 'any') {
    ctx.report.skip(
      [...rpp, 'condition'],
      `"${rp.condition}": Deployments and StatefulSets only run pods with restartPolicy Always`,
    );
  }
  for (const key of ['delay', 'max_attempts', 'window'] as const) {
    if (rp[key] !== undefined)
      ctx.report.skip([...rpp, key], 'Kubernetes restarts with its own exponential back-off');
  }
}

/** The update_config fields no Kubernetes rollout has. */
function reportUpdateExtras(ctx: ExportContext, service: ServiceSpec): void {
  const u = service.deploy?.update_config;
  if (!u) return;
  const path = ['services', service.name, 'deploy', 'update_config'];
  if (u.delay > 0) {
    ctx.report.skip(
      [...path, 'delay'],
      'Kubernetes does not pause between batches (minReadySeconds is the nearest setting)',
    );
  }
  if (u.failure_action !== 'pause') {
    ctx.report.skip(
      [...path, 'failure_action'],
      'a failed rollout stops; roll back with kubectl rollout undo',
    );
  }
  if (u.monitor !== undefined)
    ctx.report.skip([...path, 'monitor'], 'use minReadySeconds and progressDeadlineSeconds');
  if (u.max_failure_ratio !== undefined) {
    ctx.report.skip([...path, 'max_failure_ratio'], 'Kubernetes has no failure ratio for rollouts');
  }
}

/** start-first adds `parallelism` new pods before removing old ones; stop-first removes first (0 means all at once). */
function rollingUpdate(
  service: ServiceSpec,
): { maxSurge: number | string; maxUnavailable: number | string } | undefined {
  const u = service.deploy?.update_config;
  if (!u) return undefined;
  const step: number | string = u.parallelism > 0 ? u.parallelism : '100%';
  return u.order === 'start-first'
    ? { maxSurge: step, maxUnavailable: 0 }
    : { maxSurge: 0, maxUnavailable: step };
}

/** `deploy.update_config` as a Deployment RollingUpdate. */
export function deploymentStrategy(
  ctx: ExportContext,
  service: ServiceSpec,
): IDeploymentStrategy | undefined {
  reportUpdateExtras(ctx, service);
  const ru = rollingUpdate(service);
  return ru ? { type: 'RollingUpdate', rollingUpdate: ru } : undefined;
}

/** DaemonSets roll node by node with the same maxSurge / maxUnavailable pair. */
export function daemonSetStrategy(
  ctx: ExportContext,
  service: ServiceSpec,
): IDaemonSetUpdateStrategy | undefined {
  reportUpdateExtras(ctx, service);
  const ru = rollingUpdate(service);
  return ru ? { type: 'RollingUpdate', rollingUpdate: ru } : undefined;
}

/** A StatefulSet replaces one pod at a time, stopping it first: report what update_config asks beyond that. */
export function reportStatefulUpdate(ctx: ExportContext, service: ServiceSpec): void {
  const u = service.deploy?.update_config;
  if (!u) return;
  const path = ['services', service.name, 'deploy', 'update_config'];
  if (u.order === 'start-first') {
    ctx.report.skip(
      [...path, 'order'],
      'a StatefulSet (a service with named volumes) stops each pod before starting its replacement',
    );
  }
  if (u.parallelism !== 1)
    ctx.report.skip([...path, 'parallelism'], 'a StatefulSet replaces one pod at a time');
  reportUpdateExtras(ctx, service);
}
