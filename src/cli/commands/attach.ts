import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { attachService } from '../../session/attach-service.js';
import { detachKeysFor } from '../../session/detach-keys.js';
import { parseIndex } from '../../session/service-container.js';
import { loadProject } from '../context.js';

interface AttachOptions {
  detachKeys?: string;
  index?: string;
  /** False with --no-stdin. */
  stdin: boolean;
  sigProxy: boolean;
}

/** `--sig-proxy`, `--sig-proxy=false` (Compose's spelling) or `--no-sig-proxy`. */
function parseBool(value: string): boolean {
  if (['true', '1'].includes(value)) return true;
  if (['false', '0'].includes(value)) return false;
  throw new InvalidArgumentError(`expected true or false, not "${value}"`);
}

/** `tsstack attach [OPTIONS] SERVICE`: `docker compose attach`'s flags and meanings. */
export function registerAttach(program: Command): void {
  program
    .command('attach')
    .description("connect your terminal to a running service container's input and output")
    .argument('<service>', 'service name')
    .option('--detach-keys <keys>', 'keys that detach, leaving the container running (default ctrl-p,ctrl-q)')
    .option('--index <n>', 'replica of the service (default 1)')
    .option('--no-stdin', 'do not attach stdin')
    .option('--sig-proxy [bool]', 'forward signals to the process (only without a TTY)', parseBool, true)
    .option('--no-sig-proxy', 'do not forward signals')
    .action(async (service: string, opts: AttachOptions, cmd: Command) => {
      const index = parseIndex(opts.index);
      const detachKeys = detachKeysFor(opts.detachKeys);
      const { stack } = await loadProject(cmd, { allowMissing: true });
      process.exitCode = await attachService(stack, {
        service,
        index,
        stdin: opts.stdin !== false,
        sigProxy: opts.sigProxy !== false,
        detachKeys,
      });
    });
}
