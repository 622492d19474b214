/**
 * A plan as plain text, one operation a line, for golden-text tests and `tsstack up --dry-run`:
 *   #2 create container demo-web-1 (no container) after #1
 */
import type { Operation, Plan } from './plan.js';

/** "create container", "remove network", ... */
export function describeOperation(op: Operation): string {
  const [object, verb] = op.kind.split('.') as [string, string];
  return `${verb} ${object} ${op.target}`;
}

/** One line per operation, numbered in plan order; notes follow, prefixed with `note:`. */
export function renderPlan(plan: Plan): string {
  if (plan.operations.length === 0 && plan.notes.length === 0) return 'nothing to do\n';
  const number = new Map(plan.operations.map((op, i) => [op.id, i + 1]));
  const lines = plan.operations.map((op, i) => {
    const after = op.after
      .map((a) => number.get(a))
      .filter((n): n is number => n !== undefined)
      .sort((a, b) => a - b)
      .map((n) => `#${n}`);
    return `#${i + 1} ${describeOperation(op)} (${op.reason})${after.length > 0 ? ` after ${after.join(' ')}` : ''}`;
  });
  if (plan.operations.length === 0) lines.push('nothing to do');
  for (const note of plan.notes) lines.push(`note: ${note}`);
  return `${lines.join('\n')}\n`;
}
