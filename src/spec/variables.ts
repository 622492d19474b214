/** `config --variables`: the variables a stack's files read, with whether they are required and their defaults. */
import { compareText } from '../core/compare.js';
import { templateVariables } from './interpolate.js';

export interface StackVariable {
  name: string;
  /** `${NAME:?err}` / `${NAME?err}`: loading fails without a value. */
  required: boolean;
  /** From `${NAME:-default}` / `${NAME-default}`. */
  defaultValue: string;
  /** From `${NAME:+alternative}` / `${NAME+alternative}`. */
  alternateValue: string;
}

/** Walks every string value of the (not interpolated) document; mapping keys are not interpolated. */
export function stackVariables(data: unknown): StackVariable[] {
  const found = new Map<string, StackVariable>();
  const visit = (v: unknown): void => {
    if (typeof v === 'string') {
      for (const use of templateVariables(v)) {
        const entry = found.get(use.name) ?? {
          name: use.name,
          required: false,
          defaultValue: '',
          alternateValue: '',
        };
        if (use.op === '?' || use.op === ':?') entry.required = true;
        if ((use.op === '-' || use.op === ':-') && !entry.defaultValue) entry.defaultValue = use.rest ?? '';
        if ((use.op === '+' || use.op === ':+') && !entry.alternateValue)
          entry.alternateValue = use.rest ?? '';
        found.set(use.name, entry);
      }
    } else if (Array.isArray(v)) v.forEach(visit);
    else if (v !== null && typeof v === 'object') Object.values(v).forEach(visit);
  };
  visit(data);
  return [...found.values()].sort((a, b) => compareText(a.name, b.name));
}
