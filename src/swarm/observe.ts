/** What the swarm holds for a project, found by the project label alone. */
import { projectFilter } from '../model/labels.js';
import type {
  NetworkSummary,
  Runtime,
  SwarmObjectSummary,
  SwarmRuntime,
  SwarmServiceSummary,
  SwarmTask,
} from '../runtime/types.js';
import { compareText } from '../core/compare.js';

export interface SwarmObserved {
  services: SwarmServiceSummary[];
  networks: NetworkSummary[];
  secrets: SwarmObjectSummary[];
  configs: SwarmObjectSummary[];
}

/** Lists the project's services, networks, secrets and configs. */
export async function observeSwarm(
  swarm: SwarmRuntime,
  runtime: Runtime,
  project: string,
): Promise<SwarmObserved> {
  const filter = projectFilter(project);
  const [services, networks, secrets, configs] = await Promise.all([
    swarm.listServices(filter),
    runtime.listNetworks(filter),
    swarm.listSecrets(filter),
    swarm.listConfigs(filter),
  ]);
  return { services, networks, secrets, configs };
}

export interface ServiceTasks {
  service: SwarmServiceSummary;
  tasks: SwarmTask[];
}

/** Each project service with its tasks (all states, newest first): two engine calls whatever the count. */
export async function observeTasks(swarm: SwarmRuntime, project: string): Promise<ServiceTasks[]> {
  const services = await swarm.listServices(projectFilter(project));
  const tasks = services.length > 0 ? await swarm.listTasks({ serviceIds: services.map((s) => s.id) }) : [];
  tasks.sort((a, b) => compareText(b.updatedAt ?? '', a.updatedAt ?? ''));
  return services
    .map((service) => ({ service, tasks: tasks.filter((t) => t.serviceId === service.id) }))
    .sort((a, b) => compareText(a.service.name, b.service.name));
}
