/**
 * The detached supervisor's own small bundle (bundle/supervisor.cjs): `node supervisor.cjs -p PROJECT
 * __supervise`, the same arguments the CLI's hidden `__supervise` command takes. It loads only the
 * supervisor (no command parser, spec loader or engine client), so the process that runs for as long as
 * the project does starts small: about 7 MB less private memory than the whole CLI bundle (bench/processes).
 */
import { restoreExtraCaCerts } from '../core/extra-ca.js';
import { runSupervisorDaemon } from '../session/supervisor-daemon.js';

/** The project named by `-p NAME` (or `--project-name NAME`, `-pNAME`, `--project-name=NAME`) in `args`. */
export function projectArg(args: string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '-p' || a === '--project-name') return args[i + 1];
    if (a.startsWith('--project-name=')) return a.slice('--project-name='.length);
    if (a.startsWith('-p') && a.length > 2) return a.slice(2);
  }
  return undefined;
}

/** Runs the supervisor named by `argv` (as process.argv); resolves with the exit code. */
export async function main(argv: string[]): Promise<number> {
  restoreExtraCaCerts();
  const args = argv.slice(2);
  const project = projectArg(args);
  if (!project || !args.includes('__supervise')) {
    process.stderr.write('usage: supervisor.cjs -p PROJECT __supervise\n');
    return 2;
  }
  return runSupervisorDaemon(project);
}
