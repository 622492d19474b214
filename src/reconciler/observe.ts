/**
 * observe(runtime, project): what exists for a project, found by the project label alone (no state file).
 */
import type { ContainerSummary, Runtime } from '../runtime/types.js';
import { parseFieldDigests } from './config-hash.js';
import { LABEL, projectFilter } from '../model/labels.js';
import { compareText } from '../core/compare.js';
import type { ObservedContainer, ObservedState } from '../model/observed.js';
import type { ProcessHost } from '../model/process-host.js';

/** Wraps an engine container summary with what tsstack's labels say about it. */
export function observedContainer(summary: ContainerSummary): ObservedContainer {
  const l = summary.labels;
  const replica = Number.parseInt(l[LABEL.replica] ?? '', 10);
  return {
    id: summary.id,
    name: summary.name,
    service: l[LABEL.service] ?? '',
    replica: Number.isFinite(replica) ? replica : 0,
    oneoff: l[LABEL.oneoff] === 'true',
    hash: l[LABEL.configHash],
    fields: parseFieldDigests(l[LABEL.configFields]),
    imageId: l[LABEL.image],
    dependsOn: (l[LABEL.dependsOn] ?? '').split(',').filter(Boolean),
    summary,
  };
}

/**
 * Lists the project's containers (all states), networks and volumes, and its host processes from their
 * supervisor (or the process table) when `processes` is given, in parallel.
 */
export async function observe(
  runtime: Runtime,
  project: string,
  processes?: Pick<ProcessHost, 'list'>,
): Promise<ObservedState> {
  const filter = projectFilter(project);
  const [containers, networks, volumes, procs] = await Promise.all([
    runtime.listContainers(filter, { all: true }),
    runtime.listNetworks(filter),
    runtime.listVolumes(filter),
    processes ? processes.list() : Promise.resolve([]),
  ]);
  return {
    project,
    containers: containers
      .map(observedContainer)
      .sort(
        (a, b) => compareText(a.service, b.service) || a.replica - b.replica || compareText(a.name, b.name),
      ),
    networks,
    volumes,
    processes: procs.sort((a, b) => compareText(a.service, b.service) || a.replica - b.replica),
  };
}
