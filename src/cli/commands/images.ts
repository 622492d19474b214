import type { Command } from 'commander';
import { UsageError } from '../../core/errors.js';
import type { ImageSummary } from '../../runtime/types.js';
import { runtimeFromEnv } from '../../session/project.js';
import { loadProject } from '../context.js';
import { refuseHostProcesses } from '../../session/processes.js';
import { listProjectContainers, renderTable, writeOut } from '../../session/project-containers.js';

/** `repo:tag` → [repo, tag]; a registry port (`host:5000/x`) is not a tag. */
export function splitRef(ref: string): [string, string] {
  const at = ref.indexOf('@');
  const name = at >= 0 ? ref.slice(0, at) : ref;
  const colon = name.lastIndexOf(':');
  if (colon > name.lastIndexOf('/')) return [name.slice(0, colon), name.slice(colon + 1)];
  return [name, at >= 0 ? '<none>' : 'latest'];
}

/** Sizes as docker prints them: 1.99MB (decimal units). */
export function humanSize(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let v = bytes;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(v < 10 ? 2 : v < 100 ? 1 : 0)}${units[i]}`;
}

/** `tsstack images [-q] [--format table|json] [SERVICE...]`: the images the project's containers use. */
export function registerImages(program: Command): void {
  program
    .command('images')
    .description("list the images used by the project's containers")
    .argument('[services...]', 'only these services')
    .option('-q, --quiet', 'only print image IDs')
    .option('--format <format>', 'table or json', 'table')
    .action(async (services: string[], opts: { quiet?: boolean; format: string }, cmd: Command) => {
      if (opts.format !== 'table' && opts.format !== 'json')
        throw new UsageError(`--format must be "table" or "json", not "${opts.format}"`);
      const { stack } = await loadProject(cmd, { allowMissing: true });
      const runtime = await runtimeFromEnv();
      refuseHostProcesses(stack, services, 'images');
      const containers = await listProjectContainers(runtime, stack, { all: true, services });
      const refs = [...new Set(containers.map((c) => c.summary.image))];
      const found = new Map<string, ImageSummary | undefined>(
        await Promise.all(refs.map(async (r) => [r, await runtime.inspectImage(r)] as const)),
      );
      const rows = containers.map((c) => {
        const img = found.get(c.summary.image);
        const [repo, tag] = splitRef(c.summary.image);
        return { container: c.summary.name, repo, tag, id: img?.id ?? '', size: img?.size ?? 0 };
      });
      if (opts.quiet)
        return writeOut(process.stdout, [...new Set(rows.map((r) => r.id))].map((id) => `${id}\n`).join(''));
      if (opts.format === 'json') {
        const json = rows.map((r) => ({
          ContainerName: r.container,
          Repository: r.repo,
          Tag: r.tag,
          ID: r.id,
          Size: r.size,
        }));
        return writeOut(process.stdout, `${JSON.stringify(json)}\n`);
      }
      const table = rows.map((r) => [
        r.container,
        r.repo,
        r.tag,
        r.id.replace(/^sha256:/, '').slice(0, 12),
        r.id ? humanSize(r.size) : '',
      ]);
      await writeOut(
        process.stdout,
        renderTable(['CONTAINER', 'REPOSITORY', 'TAG', 'IMAGE ID', 'SIZE'], table),
      );
    });
}
