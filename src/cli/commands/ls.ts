import type { Command } from 'commander';
import { UsageError } from '../../core/errors.js';
import { LABEL } from '../../model/labels.js';
import type { ContainerSummary } from '../../runtime/types.js';
import { runtimeFromEnv } from '../../session/project.js';
import { renderTable, writeOut } from '../../session/project-containers.js';
import { compareText } from '../../core/compare.js';
import { collect } from '../options.js';

export interface ProjectListing {
  name: string;
  /** `running(2), exited(1)` */
  status: string;
  running: number;
  configFiles: string;
}

/** Groups containers by their project label into Compose-style `ls` rows, sorted by name. */
export function projectListings(containers: ContainerSummary[]): ProjectListing[] {
  const byProject = new Map<string, ContainerSummary[]>();
  for (const c of containers) {
    const p = c.labels[LABEL.project];
    if (!p) continue;
    byProject.set(p, [...(byProject.get(p) ?? []), c]);
  }
  return [...byProject.entries()]
    .sort(([a], [b]) => compareText(a, b))
    .map(([name, list]) => {
      const counts = new Map<string, number>();
      for (const c of list) counts.set(c.state, (counts.get(c.state) ?? 0) + 1);
      const status = [...counts.entries()]
        .sort(([a], [b]) => (a === 'running' ? -1 : b === 'running' ? 1 : compareText(a, b)))
        .map(([state, n]) => `${state}(${n})`)
        .join(', ');
      const files = new Set<string>();
      for (const c of list)
        for (const f of (c.labels[LABEL.configFiles] ?? '').split(',')) if (f) files.add(f);
      return { name, status, running: counts.get('running') ?? 0, configFiles: [...files].join(',') };
    });
}

/** `--filter name=PATTERN`: projects whose name matches PATTERN (a regular expression, as docker's filters). */
export function projectFilterOf(filters: string[]): (name: string) => boolean {
  const tests = filters.map((f) => {
    const eq = f.indexOf('=');
    if (eq < 0 || f.slice(0, eq) !== 'name')
      throw new UsageError(`--filter ${f}: the only filter is name=PATTERN`);
    const value = f.slice(eq + 1);
    try {
      const re = new RegExp(value);
      return (n: string) => re.test(n);
    } catch {
      return (n: string) => n.includes(value);
    }
  });
  return (name) => tests.every((t) => t(name));
}

/** `tsstack ls [-a] [-q] [--filter name=P] [--format table|json]`: the projects on this engine, found by label. */
export function registerLs(program: Command): void {
  program
    .command('ls')
    .description('list the projects on this engine')
    .option('-a, --all', 'also show projects with no running container')
    .option('-q, --quiet', 'only print project names')
    .option('--format <format>', 'table or json', 'table')
    .option('--filter <key=value>', 'only projects matching: name=PATTERN (repeatable)', collect, [])
    .action(async (opts: { all?: boolean; quiet?: boolean; format: string; filter: string[] }) => {
      if (opts.format !== 'table' && opts.format !== 'json')
        throw new UsageError(`--format must be "table" or "json", not "${opts.format}"`);
      const matches = projectFilterOf(opts.filter);
      const runtime = await runtimeFromEnv();
      const containers = await runtime.listContainers({ [LABEL.project]: true }, { all: true });
      const projects = projectListings(containers).filter(
        (p) => (opts.all || p.running > 0) && matches(p.name),
      );
      if (opts.quiet) return writeOut(process.stdout, projects.map((p) => `${p.name}\n`).join(''));
      if (opts.format === 'json') {
        const json = projects.map((p) => ({ Name: p.name, Status: p.status, ConfigFiles: p.configFiles }));
        return writeOut(process.stdout, `${JSON.stringify(json)}\n`);
      }
      const rows = projects.map((p) => [p.name, p.status, p.configFiles]);
      await writeOut(process.stdout, renderTable(['NAME', 'STATUS', 'CONFIG FILES'], rows));
    });
}
