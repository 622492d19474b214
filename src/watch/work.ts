// Pure folding of file batches into the work each service owes (no I/O).
import type { ServiceSpec } from '../spec/types.js';
import type { ChangeBatch, ChangeKind, FileChange } from './batcher.js';
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

/** A rule's pending changes as a list. */
export function toChanges(m: Map<string, ChangeKind>): FileChange[] {
  return [...m].map(([p, kind]) => ({ path: p, kind }));
}
