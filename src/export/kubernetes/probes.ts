/** A Compose health check as readiness, liveness and (with `start_period`) startup probes. */
import type { IProbe } from 'kubernetes-models/v1/Probe';
import type { ServiceSpec } from '../../spec/types.js';
import type { ExportContext } from './context.js';
import { seconds } from './quantity.js';

// Docker's defaults when the health check leaves a field out.
const DEFAULT_INTERVAL = 30_000;
const DEFAULT_TIMEOUT = 30_000;
const DEFAULT_RETRIES = 3;
const DEFAULT_START_INTERVAL = 5_000;

export interface Probes {
  readinessProbe?: IProbe;
  livenessProbe?: IProbe;
  startupProbe?: IProbe;
}

function execCommand(ctx: ExportContext, service: ServiceSpec, test: string[]): string[] | undefined {
  const path = ['services', service.name, 'healthcheck', 'test'];
  const [kind, ...rest] = test;
  if (kind === 'CMD' && rest.length > 0) return rest;
  // Docker runs CMD-SHELL through the image's /bin/sh.
  if (kind === 'CMD-SHELL' && rest.length > 0) return ['/bin/sh', '-c', rest.join(' ')];
  if (test.length === 0) {
    ctx.report.skip(path, "the image's own HEALTHCHECK is not visible to Kubernetes; write the test here");
  } else {
    ctx.report.skip(path, `${JSON.stringify(test)} is not a CMD or CMD-SHELL test`);
  }
  return undefined;
}

/**
 * Readiness (a healthy pod gets traffic and satisfies dependants) and liveness (an unhealthy one is restarted,
 * as tsstack's supervisor and Swarm do) share the check; `start_period` becomes a startup probe that allows that
 * long plus `retries` more checks before liveness takes over.
 */
export function probes(ctx: ExportContext, service: ServiceSpec): Probes {
  const hc = service.healthcheck;
  if (hc === undefined || hc.disable || hc.test[0] === 'NONE') return {};
  const command = execCommand(ctx, service, hc.test);
  if (command === undefined) return {};
  const retries = Math.max(1, hc.retries ?? DEFAULT_RETRIES);
  const check: IProbe = {
    exec: { command },
    periodSeconds: seconds(hc.interval ?? DEFAULT_INTERVAL),
    timeoutSeconds: seconds(hc.timeout ?? DEFAULT_TIMEOUT),
    failureThreshold: retries,
  };
  const out: Probes = { readinessProbe: check, livenessProbe: { ...check, exec: { command: [...command] } } };
  if (hc.start_period !== undefined && hc.start_period > 0) {
    const period = seconds(hc.start_interval ?? DEFAULT_START_INTERVAL);
    out.startupProbe = {
      exec: { command: [...command] },
      periodSeconds: period,
      timeoutSeconds: check.timeoutSeconds,
      failureThreshold: Math.ceil(hc.start_period / (period * 1000)) + retries,
    };
  }
  return out;
}
