import type { SpecProblem } from './errors.js';
import { InterpolationError, interpolateString, type Lookup } from './interpolate.js';

export interface DotenvResult {
  /** Variables in file order. */
  vars: Record<string, string>;
  problems: SpecProblem[];
}

const KEY = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

/**
 * Parses a `.env` / `env_file` file with Compose's rules: `#` comments (inline after whitespace), `export`
 * prefixes, single quotes (literal), double quotes (escapes, may span lines), unquoted values trimmed,
 * `${VAR}` expanded from `lookup` and then from variables defined earlier in the file; a bare `KEY` takes
 * its value from `lookup` when set. `file` is the name errors show.
 */
export function parseDotenv(text: string, file: string, lookup: Lookup = () => undefined): DotenvResult {
  const vars: Record<string, string> = {};
  const problems: SpecProblem[] = [];
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const resolve: Lookup = (name) => lookup(name) ?? (Object.hasOwn(vars, name) ? vars[name] : undefined);
  const problem = (line: number, col: number, message: string) =>
    problems.push({ location: { file, line, col }, path: [], message });

  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i] as string;
    const lineNo = i + 1;
    const trimmed = raw.trimStart();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const indent = raw.length - trimmed.length;
    const body = trimmed.replace(/^export\s+/, '');
    const eq = body.indexOf('=');
    if (eq < 0) {
      const key = body.trim();
      if (!KEY.test(key))
        problem(lineNo, indent + 1, `"${key}" is not a variable assignment (expected KEY=value)`);
      else {
        const inherited = lookup(key);
        if (inherited !== undefined) setVar(vars, key, inherited);
      }
      continue;
    }
    const key = body.slice(0, eq).trim();
    if (!KEY.test(key)) {
      problem(lineNo, indent + 1, `invalid variable name "${key}"`);
      continue;
    }
    let rest = body.slice(eq + 1).trimStart();
    const valueCol = raw.length - rest.length + 1;
    const quote = rest[0];
    if (quote === "'" || quote === '"') {
      // A quoted value may continue on the following lines until its closing quote.
      let content = rest.slice(1);
      let close = findClose(content, quote);
      let endLine = i;
      while (close < 0 && endLine + 1 < lines.length) {
        endLine++;
        content += `\n${lines[endLine] as string}`;
        close = findClose(content, quote);
      }
      if (close < 0) {
        problem(
          lineNo,
          valueCol,
          `unterminated ${quote === '"' ? 'double' : 'single'}-quoted value for ${key}`,
        );
        break;
      }
      const after = content.slice(close + 1).trim();
      if (after !== '' && !after.startsWith('#')) {
        problem(endLine + 1, 1, `unexpected text after the quoted value of ${key}: "${after}"`);
      }
      i = endLine;
      const inner = content.slice(0, close);
      setVar(vars, key, quote === "'" ? inner : expand(unescape(inner), resolve));
      continue;
    }
    const hash = rest.search(/\s#/);
    if (hash >= 0) rest = rest.slice(0, hash);
    setVar(vars, key, expand(rest.trim(), resolve));
  }
  return { vars, problems };
}

function findClose(content: string, quote: string): number {
  for (let k = 0; k < content.length; k++) {
    if (quote === '"' && content[k] === '\\') {
      k++;
      continue;
    }
    if (content[k] === quote) return k;
  }
  return -1;
}

/** Double-quoted escapes; `\$` becomes `$$` so that expansion leaves a literal dollar. */
function unescape(s: string): string {
  return s.replace(/\\(.)/gs, (_m, c: string) => {
    switch (c) {
      case 'n':
        return '\n';
      case 'r':
        return '\r';
      case 't':
        return '\t';
      case '$':
        return '$$';
      case '"':
      case '\\':
        return c;
      default:
        return `\\${c}`;
    }
  });
}

/** Expansion in .env is lenient as in Compose: text that is not a valid reference stays as written. */
function expand(value: string, lookup: Lookup): string {
  if (!value.includes('$')) return value;
  try {
    return interpolateString(value, lookup);
  } catch (err) {
    if (err instanceof InterpolationError) return value;
    throw err;
  }
}

function setVar(vars: Record<string, string>, key: string, value: string): void {
  Object.defineProperty(vars, key, { value, enumerable: true, writable: true, configurable: true });
}
