/**
 * Checks of `x-tsstack.processes` that a schema cannot make: names shared with services, references
 * across the two kinds, conditions that can never hold, and what the host must have for a process to
 * start at all (its folder and its program), so a bad command is a located error and not a crash loop.
 * Like reading env_file, the host checks look at the file system; nothing is started.
 */
import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';
import { refPath, valueAt } from './check-refs.js';
import { SHELL } from './normalize/processes.js';
import type { RawProject } from './raw.js';
import { suggest } from './suggest.js';
import type { PathSegment, ProcessSpec, Report, Stack, Target } from './types.js';

/** Reports every problem of the stack's host processes. */
export function checkProcesses(stack: Stack, raw: RawProject, target: Target, report: Report): void {
  const procs = Object.values(stack.processes).sort((a, b) =>
    a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
  );
  if (procs.length > 0 && target === 'swarm') {
    report(
      ['x-tsstack', 'processes'],
      'host processes run on this machine only; --target swarm does not run x-tsstack.processes',
      'key',
    );
    return;
  }
  const rawServices = new Set(Object.keys(recordAt(raw.data, ['services'])));
  // Every declared process, active or not: a shared name would make every reference to it ambiguous.
  for (const name of Object.keys(recordAt(raw.data, ['x-tsstack', 'processes'])).sort())
    if (rawServices.has(name))
      report(
        ['x-tsstack', 'processes', name],
        `"${name}" is both a service and a host process; give one of them another name`,
        'key',
      );
  for (const p of procs) {
    const base: PathSegment[] = ['x-tsstack', 'processes', p.name];
    checkProcessReferences(stack, raw, p, rawServices, report);
    if (p.ports.length > 0 && p.replicas > 1)
      report(
        [...base, 'replicas'],
        `${p.replicas} replicas cannot all listen on the same ports; run one replica, or leave ports out and give each replica its own port (TSSTACK_REPLICA is set in its environment)`,
      );
    if (!p.build && p.develop?.watch.some((r) => r.action === 'rebuild')) {
      const i = p.develop.watch.findIndex((r) => r.action === 'rebuild');
      report(
        [...base, 'develop', 'watch', i, 'action'],
        `action rebuild runs the process's build command, and x-tsstack.processes.${p.name}.build is not set`,
      );
    }
    checkHost(raw, p, report);
  }
  for (const svc of Object.values(stack.services)) {
    const base: PathSegment[] = ['services', svc.name, 'x-tsstack', 'depends_on'];
    for (const [dep, cfg] of Object.entries(svc.process_depends_on)) {
      const at = refPath(raw, base, dep);
      if (rawServices.has(dep))
        report(
          at,
          `"${dep}" is a service: wait for it under depends_on (x-tsstack.depends_on names host processes)`,
          'key',
        );
      else if (!Object.hasOwn(stack.processes, dep)) {
        if (cfg.required) report(at, unknownProcess(stack, dep), 'key');
      } else conditionProblem(stack.processes[dep]!, cfg.condition, at, report);
    }
  }
}

function checkProcessReferences(
  stack: Stack,
  raw: RawProject,
  p: ProcessSpec,
  rawServices: Set<string>,
  report: Report,
): void {
  const base: PathSegment[] = ['x-tsstack', 'processes', p.name, 'depends_on'];
  for (const [dep, cfg] of Object.entries(p.depends_on)) {
    const at = refPath(raw, base, dep);
    if (dep === p.name) report(at, `process "${p.name}" depends on itself`, 'key');
    else if (Object.hasOwn(stack.processes, dep))
      conditionProblem(stack.processes[dep]!, cfg.condition, at, report);
    else if (!rawServices.has(dep) && cfg.required) {
      const hint = suggest(dep, [...rawServices, ...Object.keys(stack.processes)]);
      report(
        at,
        `depends on "${dep}", which is neither a service nor a host process in this stack${hint ? ` (did you mean "${hint}"?)` : ''}`,
        'key',
      );
    }
  }
}

// A process's health is known from the file: a condition that can never hold is an error before anything runs.
function conditionProblem(dep: ProcessSpec, condition: string, at: PathSegment[], report: Report): void {
  if (condition === 'service_healthy' && (!dep.healthcheck?.probe || dep.healthcheck.disable))
    report(
      at,
      `condition service_healthy needs a health check, and host process "${dep.name}" has none (add x-tsstack.processes.${dep.name}.healthcheck)`,
      'key',
    );
}

function unknownProcess(stack: Stack, name: string): string {
  const hint = suggest(name, Object.keys(stack.processes));
  return `"${name}" is not a host process in this stack${hint ? ` (did you mean "${hint}"?)` : ''}`;
}

/** The folder exists and the program can be found, as the process will look for it. */
function checkHost(raw: RawProject, p: ProcessSpec, report: Report): void {
  const base: PathSegment[] = ['x-tsstack', 'processes', p.name];
  if (!isDir(p.working_dir)) {
    const given = valueAt(raw.data, [...base, 'working_dir']) !== undefined;
    report(
      given ? [...base, 'working_dir'] : base,
      `working_dir ${p.working_dir} does not exist (or is not a folder)`,
      given ? 'value' : 'key',
    );
    return;
  }
  const search = p.environment.PATH ?? raw.env.PATH ?? process.env.PATH ?? '';
  for (const [field, argv] of [
    ['command', p.command],
    ['build', p.build],
  ] as const) {
    if (!argv || argv.length === 0) continue;
    const program = programOf(argv);
    if (program === undefined || findProgram(program, p.working_dir, search)) continue;
    const listed = Array.isArray(valueAt(raw.data, [...base, field]));
    report(
      listed ? [...base, field, 0] : [...base, field],
      `command not found: ${JSON.stringify(program)} is ${program.includes('/') ? `not an executable file (from ${p.working_dir})` : 'not in PATH'}`,
    );
  }
}

// Words a shell runs itself, or that make the first word something other than the program.
const SHELL_WORDS = new Set(
  `. : [ [[ ! { ( alias bg break builtin case cd command continue declare echo eval exec exit export false fg for function getopts hash if jobs kill let local printf pwd read readonly return set shift source test time times trap true type typeset ulimit umask unalias unset until wait while`.split(
    ' ',
  ),
);

/** The program an argv runs: argv[0], or for `/bin/sh -c "..."` its first plain word (else undefined: not checked). */
export function programOf(argv: readonly string[]): string | undefined {
  if (argv[0] !== SHELL || argv[1] !== '-c' || argv.length !== 3) return argv[0];
  const words = (argv[2] ?? '').trim().split(/\s+/);
  let i = 0;
  while (/^[A-Za-z_][A-Za-z0-9_]*=/.test(words[i] ?? '')) i++;
  if (words[i] === 'exec') i++;
  const word = words[i];
  if (word === undefined || word === '' || SHELL_WORDS.has(word)) return undefined;
  // Quotes, expansions, globs and operators: only a shell knows what runs.
  if (/[$`'"\\*?[\]{}();&|<>~]/.test(word)) return undefined;
  return word;
}

/** Whether `program` resolves as execvp would: a path (from `cwd`), else a file in one of the PATH folders. */
export function findProgram(program: string, cwd: string, search: string): boolean {
  if (program.includes('/')) return isExecutable(path.resolve(cwd, program));
  return search
    .split(':')
    .filter(Boolean)
    .some((dir) => isExecutable(path.resolve(cwd, dir, program)));
}

function isExecutable(file: string): boolean {
  try {
    if (!statSync(file).isFile()) return false;
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function isDir(dir: string): boolean {
  try {
    return statSync(dir).isDirectory();
  } catch {
    return false;
  }
}

function recordAt(data: unknown, p: PathSegment[]): Record<string, unknown> {
  const v = valueAt(data, p);
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}
