import { SpecError, type SpecProblem } from './errors.js';
import { codeFrame } from './frame.js';
import type { LoadedStack } from './index.js';

/** Commands that have work to do with host processes alone (a stack of `x-tsstack.processes` only). */
const WITH_PROCESSES: ReadonlySet<string> = new Set(['up', 'watch']);

/**
 * For commands that start services (`up`, `run`, `scale`, `watch`): a stack with no enabled service is an
 * error located at `services:` (or at the top of the file), exit 2, before anything is created. Compose says
 * "no service selected". Commands that only look at or clean up a project (`config`, `ps`, `down`, ...)
 * accept such a stack, so `down` still removes what an earlier version of the file created.
 */
export function requireServices(loaded: LoadedStack, command: string): void {
  const { stack, raw } = loaded;
  if (Object.keys(stack.services).length > 0 || !raw) return;
  // A stack of host processes alone is something to bring up and watch.
  if (WITH_PROCESSES.has(command) && Object.keys(stack.processes ?? {}).length > 0) return;
  const declared = raw.data.services;
  const disabled =
    declared !== null && typeof declared === 'object' ? Object.keys(declared as Record<string, unknown>) : [];
  const location = raw.locateKey(['services']) ?? raw.locate([]);
  const problem: SpecProblem = {
    location,
    path: ['services'],
    message:
      disabled.length === 0
        ? `the stack defines no services; "${command}" needs at least one`
        : `no service is enabled (${disabled.sort().join(', ')} ${disabled.length === 1 ? 'has' : 'have'} profiles that are not enabled); "${command}" needs at least one: enable a profile with --profile NAME`,
  };
  const text = location && raw.sourceText(location.file);
  const frame = location && text !== undefined ? codeFrame(text, location) : undefined;
  throw new SpecError([frame ? { ...problem, frame } : problem]);
}
