// Pure folding of file batches into the work each service owes (no I/O).
import { parseDuration } from '../spec/duration.js';
import type { ServiceSpec, Stack } from '../spec/types.js';
import {
  DEFAULT_BATCHING,
  type BatcherOptions,
  type ChangeBatch,
  type ChangeKind,
  type FileChange,
} from './batcher.js';
import type { RuleMatcher } from './rules.js';

export type TriggerMode = 'auto' | 'manual';

/** The work one service owes after one or more batches; merged while an earlier run is in flight. */
export interface ServiceWork {
  firstAt: number;
  rebuild: boolean;
  restart: boolean;
  syncs: Map<RuleMatcher, Map<string, ChangeKind>>;
  execs: Set<RuleMatcher>;
  files: Set<string>;
}

export function emptyWork(firstAt: number): ServiceWork {
  return { firstAt, rebuild: false, restart: false, syncs: new Map(), execs: new Set(), files: new Set() };
}

/** Merges newer work into older (the result covers both; for each path the newer event wins). */
export function mergeWork(a: ServiceWork, b: ServiceWork): ServiceWork {
  const syncs = new Map([...a.syncs].map(([r, m]) => [r, new Map(m)]));
  for (const [r, m] of b.syncs) {
    const into = syncs.get(r) ?? new Map<string, ChangeKind>();
    for (const [p, k] of m) into.set(p, k);
    syncs.set(r, into);
  }
  return {
    firstAt: Math.min(a.firstAt, b.firstAt),
    rebuild: a.rebuild || b.rebuild,
    restart: a.restart || b.restart,
    syncs,
    execs: new Set([...a.execs, ...b.execs]),
    files: new Set([...a.files, ...b.files]),
  };
}

/** What the work does, for events: `rebuild`, `sync`, `sync+restart`, `sync+exec`, `restart`. */
export function describeWork(w: ServiceWork): string {
  if (w.rebuild) return 'rebuild';
  const parts = [w.syncs.size > 0 ? 'sync' : '', w.restart ? 'restart' : '', w.execs.size > 0 ? 'exec' : ''];
  return parts.filter(Boolean).join('+') || 'none';
}

/** Folds one batch into per-service work through the rules (Compose semantics: a rebuild supersedes syncs). */
export function workFromBatch(rules: RuleMatcher[], batch: ChangeBatch): Map<string, ServiceWork> {
  const out = new Map<string, ServiceWork>();
  for (const change of batch.changes) {
    const isDir = change.kind === 'addDir' || change.kind === 'unlinkDir';
    for (const m of rules) {
      if (!m.matches(change.path, isDir)) continue;
      let w = out.get(m.service);
      if (!w) out.set(m.service, (w = emptyWork(batch.firstAt)));
      w.files.add(change.path);
      const action = m.rule.action;
      if (action === 'rebuild') w.rebuild = true;
      if (action === 'restart' || action === 'sync+restart') w.restart = true;
      if (action === 'sync+exec') w.execs.add(m);
      if (action === 'sync' || action === 'sync+restart' || action === 'sync+exec') {
        const m2 = w.syncs.get(m) ?? new Map<string, ChangeKind>();
        m2.set(change.path, change.kind);
        w.syncs.set(m, m2);
      }
    }
  }
  return out;
}

/** `x-tsstack.watch.trigger` of a service: `manual` waits for `trigger(service)`, anything else is `auto`. */
export function serviceTriggerMode(service: ServiceSpec | undefined): TriggerMode {
  const ext = service?.extensions?.['x-tsstack'] as { watch?: { trigger?: unknown } } | undefined;
  return ext?.watch?.trigger === 'manual' ? 'manual' : 'auto';
}

/**
 * The batching of file events for a stack: `x-tsstack.watch.debounce` (top level or on any service) is
 * the quiet time after the last event before a batch is applied, first event included. Batching is one
 * for the whole session (a `git checkout` touches many services at once), so the longest debounce given
 * wins. A batch still waits at most 3 s, or twice the debounce when that is longer. Without the key: the
 * defaults (100 ms, a lone first event 25 ms).
 */
export function batchingFor(stack: Stack): BatcherOptions {
  const debounceOf = (ext: unknown): number | undefined =>
    parseDuration((ext as { watch?: { debounce?: unknown } } | undefined)?.watch?.debounce);
  const given = [
    debounceOf(stack.extensions['x-tsstack']),
    ...Object.values(stack.services).map((s) => debounceOf(s.extensions?.['x-tsstack'])),
  ].filter((d): d is number => d !== undefined);
  if (given.length === 0) return DEFAULT_BATCHING;
  const quietMs = Math.max(...given);
  return { quietMs, firstQuietMs: quietMs, maxWaitMs: Math.max(DEFAULT_BATCHING.maxWaitMs, 2 * quietMs) };
}

/** A rule's pending changes as a list. */
export function toChanges(m: Map<string, ChangeKind>): FileChange[] {
  return [...m].map(([p, kind]) => ({ path: p, kind }));
}
