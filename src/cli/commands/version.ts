import type { Command } from 'commander';
import { UsageError } from '../../core/errors.js';
import { VERSION } from '../../core/version.js';

/** `tsstack version [--short] [-f pretty|json]` */
export function registerVersion(program: Command): void {
  program
    .command('version')
    .description("show tsstack's version")
    .option('-f, --format <format>', 'pretty or json', 'pretty')
    .option('--short', 'only the version number')
    .action((opts: { format: string; short?: boolean }) => {
      if (opts.format !== 'pretty' && opts.format !== 'json')
        throw new UsageError(`--format must be pretty or json, not "${opts.format}"`);
      if (opts.short) process.stdout.write(`${VERSION}\n`);
      else if (opts.format === 'json') process.stdout.write(`${JSON.stringify({ version: VERSION })}\n`);
      else process.stdout.write(`tsstack version ${VERSION}\n`);
    });
}
