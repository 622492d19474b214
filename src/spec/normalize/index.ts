import type { SpecProblem } from '../errors.js';
import type { RawProject } from '../raw.js';
import type { ProcessSpec, ServiceSpec, SpecWarning, Stack } from '../types.js';
import { NormalizeContext } from './context.js';
import { defaultNetwork, normalizeNetworks } from './networks.js';
import { isRecord } from './context.js';
import { normalizeProcesses } from './processes.js';
import { activeWorkloads } from './profiles.js';
import { normalizeSecrets } from './secrets.js';
import { normalizeService } from './services.js';
import { normalizeVolumes } from './volumes-top.js';

/** Expands every short syntax into the long form of `Stack`; reads env_file; applies profiles. */
export function normalizeProject(raw: RawProject): {
  stack: Stack;
  problems: SpecProblem[];
  warnings: SpecWarning[];
} {
  const ctx = new NormalizeContext(raw);
  const data = raw.data;
  const all: Record<string, ServiceSpec> = {};
  for (const [name, def] of Object.entries(ctx.record(data.services, ['services']) ?? {})) {
    all[name] = normalizeService(ctx, name, def);
  }
  const xTsstack = isRecord(data['x-tsstack']) ? data['x-tsstack'] : {};
  const allProcesses = normalizeProcesses(ctx, xTsstack.processes);
  const active = activeWorkloads(all, allProcesses, raw.profiles);
  const services: Record<string, ServiceSpec> = {};
  for (const name of Object.keys(all))
    if (active.services.has(name)) services[name] = all[name] as ServiceSpec;
  const processes: Record<string, ProcessSpec> = {};
  for (const name of Object.keys(allProcesses))
    if (active.processes.has(name)) processes[name] = allProcesses[name] as ProcessSpec;
  for (const svc of Object.values(services)) {
    for (const [dep, cfg] of Object.entries(svc.depends_on)) {
      if (cfg.required || Object.hasOwn(all, dep)) continue;
      const path = ['services', svc.name, 'depends_on', dep];
      ctx.warnings.push({
        location: raw.locateKey(path),
        path: `services.${svc.name}.depends_on.${dep}`,
        message: `"${dep}" is not a service in this stack; ignored (required: false)`,
      });
    }
  }
  const networks = normalizeNetworks(ctx, data.networks);
  if (!networks.default && Object.values(services).some((s) => 'default' in s.networks)) {
    networks.default = defaultNetwork(raw.projectName);
  }
  const extensions: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(data)) if (k.startsWith('x-')) extensions[k] = v;
  const stack: Stack = {
    name: raw.projectName,
    projectDir: raw.projectDir,
    files: [...raw.files],
    profiles: [...raw.profiles],
    services,
    processes,
    networks,
    volumes: normalizeVolumes(ctx, data.volumes),
    secrets: normalizeSecrets(ctx, 'secrets', data.secrets),
    configs: normalizeSecrets(ctx, 'configs', data.configs),
    extensions,
  };
  return { stack, problems: ctx.problems, warnings: ctx.warnings };
}
