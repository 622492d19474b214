import type { Command } from 'commander';
import { UsageError } from '../../core/errors.js';
import { runConfig, type ConfigList } from '../../session/config.js';
import { globalOptions } from '../context.js';

interface ConfigOptions {
  format: string;
  services?: boolean;
  volumes?: boolean;
  profiles?: boolean;
  images?: boolean;
  variables?: boolean;
  hash?: string;
  quiet?: boolean;
  redact: boolean;
  interpolate: boolean;
  normalize: boolean;
  pathResolution: boolean;
  consistency: boolean;
  resolveImageDigests?: boolean;
  output?: string;
}

/** `tsstack config [options] [SERVICE...]` (alias `convert`) */
export function registerConfig(program: Command): void {
  program
    .command('config')
    .alias('convert')
    .description('validate the stack files and print the normalized stack')
    .argument('[services...]', 'only these services (and what they depend on)')
    .option('--format <format>', 'output format: yaml or json', 'yaml')
    .option('--services', 'print the service names, one per line')
    .option('--volumes', 'print the volume names, one per line')
    .option('--profiles', 'print the profile names used by any service, one per line')
    .option('--images', 'print the image of each service, one per line')
    .option('--hash <services>', 'print "service hash" lines for these services ("*" for all, or a,b)')
    .option('--variables', 'print the variables the files read, with their defaults')
    .option('-q, --quiet', 'only validate; print nothing')
    .option('-o, --output <file>', 'write to this file instead of stdout')
    .option('--no-interpolate', 'keep ${VAR} as written (prints the merged document)')
    .option('--no-normalize', 'print the merged document as written, not in long syntax')
    .option('--no-path-resolution', 'keep relative paths as written')
    .option('--no-consistency', 'skip the checks across the stack (references, cycles, ports)')
    .option('--resolve-image-digests', 'pin images to the digests the engine knows (no registry is asked)')
    .option(
      '--no-redact',
      'print environment values of secret-looking keys (PASSWORD, TOKEN, KEY, ...) as written',
    )
    .action(async (services: string[], opts: ConfigOptions, cmd: Command) => {
      if (opts.format !== 'yaml' && opts.format !== 'json')
        throw new UsageError(`--format must be yaml or json, not "${opts.format}"`);
      const lists = (['services', 'volumes', 'profiles', 'images', 'variables'] as const).filter(
        (k) => opts[k],
      );
      if (lists.length + (opts.hash !== undefined ? 1 : 0) > 1)
        throw new UsageError(`choose one of --${[...lists, ...(opts.hash ? ['hash'] : [])].join(', --')}`);
      await runConfig(globalOptions(cmd), {
        services,
        format: opts.format,
        list: lists[0] as ConfigList | undefined,
        hash: opts.hash,
        quiet: opts.quiet,
        redact: opts.redact,
        interpolate: opts.interpolate,
        normalize: opts.normalize,
        resolvePaths: opts.pathResolution,
        consistency: opts.consistency,
        resolveImageDigests: opts.resolveImageDigests,
        output: opts.output,
      });
    });
}
