import { parse } from 'shell-quote';
import type { PathSegment } from '../types.js';
import { describe, type NormalizeContext } from './context.js';

// Characters a shell treats as operators, globs or expansions: Compose splits with shlex, which keeps them literal.
const SPECIAL = new Set([...';|&<>()#*?[]{}!$`~']);

/** `command` / `entrypoint`: a string split like Compose's shlex (quotes and escapes, no operators); lists kept. */
export function normalizeCommand(
  ctx: NormalizeContext,
  value: unknown,
  path: PathSegment[],
): string[] | null | undefined {
  if (value === undefined) return undefined;
  if (value === null) return null;
  if (Array.isArray(value)) return ctx.strings(value, path);
  if (typeof value !== 'string') {
    ctx.problem(path, `expected a string or a list of strings, got ${describe(value)}`);
    return undefined;
  }
  const split = splitShellWords(value);
  if (typeof split === 'string') {
    ctx.problem(path, split);
    return undefined;
  }
  return split;
}

/** Splits a command line into words as POSIX shlex does; returns a message for an unclosed quote. */
export function splitShellWords(text: string): string[] | string {
  // Without quotes or backslashes every character is literal and words are split on blanks alone.
  if (!/['"\\]/.test(text)) return text.split(/\s+/).filter((w) => w !== '');
  const escaped = escapeSpecials(text);
  if (escaped === undefined) return `${JSON.stringify(text)} has an unclosed quote`;
  return parse(escaped).map((entry) => {
    if (typeof entry === 'string') return entry;
    // Escaping above leaves only globs as objects; keep their text.
    return 'pattern' in entry ? entry.pattern : 'op' in entry ? String(entry.op) : '';
  });
}

// shell-quote interprets operators, globs and `$VAR`; a backslash in front of each makes them plain characters.
function escapeSpecials(text: string): string | undefined {
  let out = '';
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (quote === "'") {
      out += c;
      if (c === "'") quote = undefined;
    } else if (c === '\\') {
      out += c + (text[i + 1] ?? '');
      i++;
    } else if (quote === '"') {
      out += c === '$' || c === '`' ? `\\${c}` : c;
      if (c === '"') quote = undefined;
    } else if (c === "'" || c === '"') {
      quote = c;
      out += c;
    } else out += SPECIAL.has(c) ? `\\${c}` : c;
  }
  return quote === undefined ? out : undefined;
}
