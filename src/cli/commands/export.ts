import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { UsageError } from '../../core/errors.js';
import { DNS_1123_LABEL } from '../../export/kubernetes/names.js';
import { toKubernetes } from '../../export/kubernetes/index.js';
import { formatSkipped } from '../../export/kubernetes/report.js';
import { writeObjectFiles, yamlStream } from '../../export/kubernetes/write.js';
import { loadProject } from '../context.js';

interface KubernetesOptions {
  output?: string;
  namespace?: string;
  initImage?: string;
}

/** `tsstack export kubernetes [-o DIR] [--namespace NS] [--init-image IMG]` */
export function registerExport(program: Command): void {
  const exportCmd = program.command('export').description('translate the stack for another orchestrator');
  exportCmd
    .command('kubernetes')
    .description('write Kubernetes manifests (one YAML stream on stdout, or one file per object with -o)')
    .option('-o, --output <dir>', 'write one file per object into DIR')
    .option('--namespace <ns>', 'set metadata.namespace on every object')
    .option(
      '--init-image <image>',
      'image of the init containers that wait for dependencies (needs sh and nc)',
    )
    .action(async (opts: KubernetesOptions, cmd: Command) => {
      if (
        opts.namespace !== undefined &&
        (!DNS_1123_LABEL.test(opts.namespace) || opts.namespace.length > 63)
      ) {
        throw new UsageError(
          `--namespace "${opts.namespace}" is not a Kubernetes namespace name (lowercase letters, digits, '-')`,
        );
      }
      const { stack } = await loadProject(cmd);
      const result = toKubernetes(stack, {
        namespace: opts.namespace,
        initImage: opts.initImage,
        readFile: (path) => readFileSync(path),
        env: process.env,
      });
      if (opts.output !== undefined) {
        const written = await writeObjectFiles(resolve(opts.output), result.objects);
        process.stderr.write(`wrote ${written.length} objects to ${opts.output}\n`);
      } else {
        process.stdout.write(yamlStream(result.objects));
      }
      if (result.skipped.length > 0) {
        process.stderr.write(`not exported (${result.skipped.length}):\n`);
        for (const entry of result.skipped) process.stderr.write(`  ${formatSkipped(entry)}\n`);
      }
    });
}
