/** The main container of a service's pod: image, command, environment, resources, security, ports, probes. */
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IEnvVar } from 'kubernetes-models/v1/EnvVar';
import type { IResourceRequirements } from 'kubernetes-models/v1/ResourceRequirements';
import type { ISecurityContext } from 'kubernetes-models/v1/SecurityContext';
import type { IVolumeMount } from 'kubernetes-models/v1/VolumeMount';
import type { ServiceSpec } from '../../spec/types.js';
import type { ExportContext } from './context.js';
import { ENV_NAME } from './names.js';
import type { ServicePorts } from './ports.js';
import { probes } from './probes.js';
import { byteQuantity, cpuQuantity } from './quantity.js';

const PULL_POLICY: Partial<Record<NonNullable<ServiceSpec['pull_policy']>, IContainer['imagePullPolicy']>> = {
  always: 'Always',
  never: 'Never',
  missing: 'IfNotPresent',
  if_not_present: 'IfNotPresent',
};

function env(ctx: ExportContext, service: ServiceSpec): IEnvVar[] {
  const out: IEnvVar[] = [];
  for (const [name, value] of Object.entries(service.environment)) {
    const path = ['services', service.name, 'environment', name];
    if (!ENV_NAME.test(name)) ctx.report.skip(path, 'not a valid Kubernetes environment variable name');
    else if (value === null)
      ctx.report.skip(path, 'has no value (it was not set in the environment when the stack was loaded)');
    else out.push({ name, value });
  }
  return out;
}

/** `deploy.resources` first; `cpus`, `mem_limit` and `mem_reservation` fill what it leaves out. */
function resources(ctx: ExportContext, service: ServiceSpec): IResourceRequirements | undefined {
  const path = ['services', service.name, 'deploy', 'resources'];
  const limits = service.deploy?.resources.limits ?? {};
  const reservations = service.deploy?.resources.reservations ?? {};
  const out: { limits: Record<string, string>; requests: Record<string, string> } = {
    limits: {},
    requests: {},
  };
  const cpuLimit = limits.cpus ?? service.cpus;
  const memLimit = limits.memory ?? service.mem_limit;
  const memRequest = reservations.memory ?? service.mem_reservation;
  if (cpuLimit !== undefined && cpuLimit > 0) out.limits.cpu = cpuQuantity(cpuLimit);
  if (memLimit !== undefined && memLimit > 0) out.limits.memory = byteQuantity(memLimit);
  if (reservations.cpus !== undefined && reservations.cpus > 0)
    out.requests.cpu = cpuQuantity(reservations.cpus);
  if (memRequest !== undefined && memRequest > 0) out.requests.memory = byteQuantity(memRequest);
  if (limits.pids !== undefined)
    ctx.report.skip([...path, 'limits', 'pids'], 'Kubernetes sets pid limits per node, not per container');
  if (reservations.pids !== undefined)
    ctx.report.skip([...path, 'reservations', 'pids'], 'Kubernetes has no pid reservations');
  if (reservations.devices !== undefined && reservations.devices.length > 0) {
    ctx.report.skip(
      [...path, 'reservations', 'devices'],
      'devices (GPUs) are requested through a device plugin resource name, which tsstack cannot know',
    );
  }
  const result: IResourceRequirements = {};
  if (Object.keys(out.limits).length > 0) result.limits = out.limits;
  if (Object.keys(out.requests).length > 0) result.requests = out.requests;
  return result.limits || result.requests ? result : undefined;
}

/** `user: "1000"` or `"1000:1000"`; names cannot be resolved without the image's /etc/passwd. */
function runAs(ctx: ExportContext, service: ServiceSpec, sc: ISecurityContext): void {
  if (service.user === undefined) return;
  const m = /^(\d+)(?::(\d+))?$/.exec(service.user);
  if (!m) {
    ctx.report.skip(
      ['services', service.name, 'user'],
      `"${service.user}": Kubernetes needs a numeric uid (and gid), e.g. "1000:1000"`,
    );
    return;
  }
  sc.runAsUser = Number(m[1]);
  if (m[2] !== undefined) sc.runAsGroup = Number(m[2]);
}

function securityContext(ctx: ExportContext, service: ServiceSpec): ISecurityContext | undefined {
  const sc: ISecurityContext = {};
  if (service.privileged) sc.privileged = true;
  if (service.read_only) sc.readOnlyRootFilesystem = true;
  const strip = (c: string): string => c.toUpperCase().replace(/^CAP_/, '');
  if (service.cap_add.length > 0 || service.cap_drop.length > 0) {
    sc.capabilities = {};
    if (service.cap_add.length > 0) sc.capabilities.add = service.cap_add.map(strip);
    if (service.cap_drop.length > 0) sc.capabilities.drop = service.cap_drop.map(strip);
  }
  runAs(ctx, service, sc);
  service.security_opt.forEach((opt, i) => {
    if (/^no-new-privileges(:true|=true)?$/.test(opt)) sc.allowPrivilegeEscalation = false;
    else if (/^seccomp[:=]unconfined$/.test(opt)) sc.seccompProfile = { type: 'Unconfined' };
    else if (/^apparmor[:=]unconfined$/.test(opt)) sc.appArmorProfile = { type: 'Unconfined' };
    else
      ctx.report.skip(
        ['services', service.name, 'security_opt', i],
        `"${opt}" has no securityContext form tsstack knows`,
      );
  });
  return Object.keys(sc).length > 0 ? sc : undefined;
}

/** The service's own container; `image` must be set (the caller reports services without one). */
export function mainContainer(
  ctx: ExportContext,
  service: ServiceSpec,
  name: string,
  image: string,
  ports: ServicePorts,
  volumeMounts: IVolumeMount[],
): IContainer {
  const c: IContainer = { name, image };
  const path = ['services', service.name];
  if (service.pull_policy !== undefined) {
    const policy = PULL_POLICY[service.pull_policy];
    if (policy !== undefined) c.imagePullPolicy = policy;
    else
      ctx.report.skip(
        [...path, 'pull_policy'],
        `"${service.pull_policy}" has no Kubernetes form (Always, Never or IfNotPresent)`,
      );
  }
  // Compose's entrypoint replaces the image ENTRYPOINT (Kubernetes `command`); its command replaces CMD (`args`).
  if (service.entrypoint) {
    if (service.entrypoint.length > 0) c.command = service.entrypoint;
    else
      ctx.report.skip(
        [...path, 'entrypoint'],
        "an empty entrypoint cannot clear the image's ENTRYPOINT in Kubernetes",
      );
  }
  if (service.command && service.command.length > 0) c.args = service.command;
  if (service.working_dir !== undefined) c.workingDir = service.working_dir;
  const vars = env(ctx, service);
  if (vars.length > 0) c.env = vars;
  const containerPorts = [
    ...ports.cluster.map((p) => ({ containerPort: p.target, protocol: p.protocol })),
    ...ports.hostPorts
      .filter((h) => !ports.cluster.some((p) => p.target === h.target && p.protocol === h.protocol))
      .map((h) => ({ containerPort: h.target, protocol: h.protocol })),
  ].map((p) => {
    const host = ports.hostPorts.find((h) => h.target === p.containerPort && h.protocol === p.protocol);
    return host ? { ...p, hostPort: host.hostPort } : p;
  });
  if (containerPorts.length > 0) c.ports = containerPorts;
  const res = resources(ctx, service);
  if (res) c.resources = res;
  const sc = securityContext(ctx, service);
  if (sc) c.securityContext = sc;
  if (service.stdin_open) c.stdin = true;
  if (service.tty) c.tty = true;
  if (volumeMounts.length > 0) c.volumeMounts = volumeMounts;
  Object.assign(c, probes(ctx, service));
  return c;
}
