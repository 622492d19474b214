import type { PathSegment, WatchRule } from '../types.js';
import { describe, isRecord, type NormalizeContext } from './context.js';
import { normalizeCommand } from './command.js';

const ACTIONS = new Set<WatchRule['action']>(['sync', 'rebuild', 'restart', 'sync+restart', 'sync+exec']);

/** `develop.watch` rules with host paths made absolute. */
export function normalizeDevelop(
  ctx: NormalizeContext,
  value: unknown,
  path: PathSegment[],
): { watch: WatchRule[] } | undefined {
  const dev = ctx.record(value, path);
  if (!dev) return undefined;
  const watch: WatchRule[] = [];
  const rules = dev.watch ?? [];
  if (!Array.isArray(rules)) {
    ctx.problem([...path, 'watch'], `expected a list of watch rules, got ${describe(rules)}`);
    return { watch };
  }
  rules.forEach((r, i) => {
    const at = [...path, 'watch', i];
    if (!isRecord(r)) return ctx.problem(at, `expected a watch rule mapping, got ${describe(r)}`);
    const action = ctx.str(r.action, [...at, 'action']);
    const p = ctx.str(r.path, [...at, 'path']);
    if (action === undefined || !ACTIONS.has(action as WatchRule['action']))
      return ctx.problem(
        [...at, 'action'],
        `expected one of ${[...ACTIONS].join(', ')}, got ${describe(r.action)}`,
      );
    if (p === undefined) return ctx.problem(at, 'a watch rule needs a path');
    const rule: WatchRule = {
      action: action as WatchRule['action'],
      path: ctx.outPath(p),
      ignore: ctx.strings(r.ignore, [...at, 'ignore']),
    };
    const target = ctx.str(r.target, [...at, 'target']);
    if (target !== undefined) rule.target = target;
    if (r.include !== undefined && r.include !== null)
      rule.include = ctx.strings(r.include, [...at, 'include']);
    const initial = ctx.bool(r.initial_sync, [...at, 'initial_sync']);
    if (initial !== undefined) rule.initial_sync = initial;
    const exec = ctx.record(r.exec, [...at, 'exec']);
    if (exec) {
      const command = normalizeCommand(ctx, exec.command, [...at, 'exec', 'command']) ?? [];
      rule.exec = { command };
      const user = ctx.str(exec.user, [...at, 'exec', 'user']);
      if (user !== undefined) rule.exec.user = user;
      const wd = ctx.str(exec.working_dir, [...at, 'exec', 'working_dir']);
      if (wd !== undefined) rule.exec.working_dir = wd;
      const priv = ctx.bool(exec.privileged, [...at, 'exec', 'privileged']);
      if (priv !== undefined) rule.exec.privileged = priv;
      if (exec.environment !== undefined && exec.environment !== null)
        rule.exec.environment = ctx.stringMap(exec.environment, [...at, 'exec', 'environment']);
    }
    watch.push(rule);
  });
  return { watch };
}
