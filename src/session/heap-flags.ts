/**
 * V8 settings for the long-running headless supervisor (`up --headless`, attached), set when `up` starts.
 *
 * A supervisor streams every container's log through short-lived strings and objects (about 10k lines a
 * second in bench/soak), so its heap is almost all garbage: about 10 MB live. V8's defaults size the heap
 * for throughput, not for a process that runs for days next to the containers it watches:
 * - the young generation grows to 2 × 16 MB once enough has survived, and RSS then carries those 32 MB
 *   for good; `--semi-space-growth-factor=1` keeps the size it has when `up` starts (2 × 2 MB in the soak);
 * - the old generation may grow to several times its live size between full collections (bursts, such as
 *   the log backlog replayed when the supervisor attaches, pushed it to 65 MB); `--heap-growing-percent=30`
 *   lets it grow 30 % instead.
 * Measured with bench/soak (docs/ui.md), the other headless cuts already in place: steady RSS ~130 → ~79 MB,
 * peak ~150 → ~100 MB, and no measurable cost in bench/headless/throughput.ts. (--optimize-for-size saved
 * ~8 MB more but halved JSON log throughput, so it is left to TSSTACK_V8_FLAGS.)
 * Both flags are read by V8 whenever it resizes the heap, so setting them at run time works (flags that
 * size the heap up front, such as --max-semi-space-size, only work on node's command line).
 * TSSTACK_V8_FLAGS replaces the list (empty: V8's defaults).
 */
import v8 from 'node:v8';
import { flagList } from '../core/flag-list.js';

export const SUPERVISOR_V8_FLAGS: readonly string[] = [
  '--semi-space-growth-factor=1',
  '--heap-growing-percent=30',
];

/** Applies the supervisor's V8 flags (or TSSTACK_V8_FLAGS); returns what was applied. */
export function tuneHeapForSupervisor(env: Record<string, string | undefined>): readonly string[] {
  const raw = env.TSSTACK_V8_FLAGS;
  const flags = flagList(raw, SUPERVISOR_V8_FLAGS);
  for (const f of flags) v8.setFlagsFromString(f);
  return flags;
}
