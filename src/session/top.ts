/** `tsstack top`: the processes of each running container of the project, as `docker compose top` prints them. */
import type { Runtime } from '../runtime/types.js';
import type { Stack } from '../spec/types.js';
import { listProjectContainers, renderTable, writeOut } from './project-containers.js';
import { refuseHostProcesses } from './processes.js';

/** Prints, per running container (one-off containers too): its name, then its process table, then a blank line. */
export async function printTop(
  runtime: Runtime,
  stack: Stack,
  services: string[],
  out: NodeJS.WritableStream = process.stdout,
): Promise<void> {
  refuseHostProcesses(stack, services, 'top');
  const containers = await listProjectContainers(runtime, stack, { all: false, services, oneoff: true });
  // One call per container at once; printed in order (service, replica).
  const tables = await Promise.all(
    containers.map(async (c) => ({ name: c.summary.name, top: await runtime.topContainer(c.summary.id) })),
  );
  for (const { name, top } of tables)
    await writeOut(out, `${name}\n${renderTable(top.titles, top.processes)}\n`);
}
