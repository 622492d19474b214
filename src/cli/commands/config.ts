import type { Command } from 'commander';
import { UsageError } from '../../core/errors.js';
import type { RawProject } from '../../spec/raw.js';
import { printStack } from '../../spec/print.js';
import { redactStack } from '../../spec/redact.js';
import { loadProject } from '../context.js';

interface ConfigOptions {
  format: string;
  services?: boolean;
  volumes?: boolean;
  profiles?: boolean;
  quiet?: boolean;
  redact: boolean;
}

/** `tsstack config [--format yaml|json] [--services|--volumes|--profiles] [-q]` */
export function registerConfig(program: Command): void {
  program
    .command('config')
    .description('validate the stack files and print the normalized stack')
    .option('--format <format>', 'output format: yaml or json', 'yaml')
    .option('--services', 'print the service names, one per line')
    .option('--volumes', 'print the volume names, one per line')
    .option('--profiles', 'print the profile names used by any service, one per line')
    .option('-q, --quiet', 'only validate; print nothing')
    .option(
      '--no-redact',
      'print environment values of secret-looking keys (PASSWORD, TOKEN, KEY, ...) as written',
    )
    .action(async (opts: ConfigOptions, cmd: Command) => {
      if (opts.format !== 'yaml' && opts.format !== 'json') {
        throw new UsageError(`--format must be yaml or json, not "${opts.format}"`);
      }
      const { stack, raw } = await loadProject(cmd);
      if (opts.quiet) return;
      if (opts.services) return printLines(Object.keys(stack.services));
      if (opts.volumes) return printLines(Object.keys(stack.volumes));
      if (opts.profiles) return printLines(definedProfiles(raw));
      const text = printStack(opts.redact ? redactStack(stack) : stack, opts.format);
      process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
    });
}

function printLines(lines: string[]): void {
  if (lines.length > 0) process.stdout.write(`${lines.join('\n')}\n`);
}

/** Every profile named by a service, active or not (the normalized stack keeps only active services). */
function definedProfiles(raw: RawProject | undefined): string[] {
  const services = raw?.data.services;
  const names = new Set<string>();
  if (services && typeof services === 'object') {
    for (const svc of Object.values(services as Record<string, unknown>)) {
      const profiles = (svc as { profiles?: unknown } | null)?.profiles;
      if (Array.isArray(profiles)) for (const p of profiles) if (typeof p === 'string') names.add(p);
    }
  }
  return [...names].sort();
}
