import { formatPath, type SpecProblem } from './errors.js';
import { lscalar, pathOf, type LEntry, type LNode, type PathChain, type ScalarValue } from './locate.js';
import type { PathSegment, SourceLocation, SpecWarning } from './types.js';

/** Looks a variable up; undefined means unset (different from the empty string). */
export type Lookup = (name: string) => string | undefined;

/** Looks names up in a plain object as own keys only, so `$constructor` is not `Object.prototype.constructor`. */
export function lookupIn(vars: Record<string, string>): Lookup {
  return (name) => (Object.hasOwn(vars, name) ? vars[name] : undefined);
}

/** A template that cannot be expanded: bad syntax or a required variable without a value. */
export class InterpolationError extends Error {
  /** Where in the template the failing `$` stands. */
  index?: number;
}

const NAME = /^[_a-zA-Z][_a-zA-Z0-9]*/;
const BRACED = /^([_a-zA-Z][_a-zA-Z0-9]*)(?:(:-|-|:\?|\?|:\+|\+)([\s\S]*))?$/;

/**
 * Expands `$VAR`, `${VAR}`, `${VAR:-d}`, `${VAR-d}`, `${VAR:?msg}`, `${VAR?msg}`, `${VAR:+alt}`, `${VAR+alt}`
 * (nested in the default / message / alternative) and `$$`. Calls `onUnset` for each variable read while unset.
 */
export function interpolateString(
  text: string,
  lookup: Lookup,
  onUnset: (name: string) => void = () => {},
): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const dollar = text.indexOf('$', i);
    if (dollar < 0) {
      out += text.slice(i);
      break;
    }
    out += text.slice(i, dollar);
    try {
      const [value, end] = substitution(text, dollar, lookup, onUnset);
      out += value;
      i = end;
    } catch (err) {
      // Errors from a nested template carry an index into it; this makes it an index into `text`.
      if (err instanceof InterpolationError)
        err.index = err.index === undefined ? dollar : err.index + dollar + 2;
      throw err;
    }
  }
  return out;
}

/** The expansion of the `$...` at `dollar`, and where the text after it starts. */
function substitution(
  text: string,
  dollar: number,
  lookup: Lookup,
  onUnset: (name: string) => void,
): [string, number] {
  const next = text[dollar + 1];
  if (next === '$') return ['$', dollar + 2];
  if (next === '{') {
    const close = matchingBrace(text, dollar + 2);
    if (close < 0) throw new InterpolationError(`"${text}" has an unclosed "\${"`);
    return [braced(text.slice(dollar + 2, close), lookup, onUnset), close + 1];
  }
  const name = NAME.exec(text.slice(dollar + 1))?.[0];
  if (!name)
    throw new InterpolationError(`invalid interpolation format in "${text}"; write $$ for a literal $`);
  return [valueOf(name, lookup, onUnset), dollar + 1 + name.length];
}

function matchingBrace(text: string, from: number): number {
  let depth = 1;
  for (let k = from; k < text.length; k++) {
    const c = text[k];
    if (c === '$' && (text[k + 1] === '{' || text[k + 1] === '$')) {
      if (text[k + 1] === '{') depth++;
      k++;
    } else if (c === '}') {
      depth--;
      if (depth === 0) return k;
    }
  }
  return -1;
}

function valueOf(name: string, lookup: Lookup, onUnset: (name: string) => void): string {
  const v = lookup(name);
  if (v === undefined) onUnset(name);
  return v ?? '';
}

function braced(body: string, lookup: Lookup, onUnset: (name: string) => void): string {
  const m = BRACED.exec(body);
  if (!m) throw new InterpolationError(`invalid variable substitution "\${${body}}"`);
  const name = m[1] as string;
  const op = m[2];
  const rest = m[3] ?? '';
  if (op === undefined) return valueOf(name, lookup, onUnset);
  const v = lookup(name);
  const empty = v === undefined || (op.startsWith(':') && v === '');
  const nested = (template: string): string => {
    try {
      return interpolateString(template, lookup, onUnset);
    } catch (err) {
      if (err instanceof InterpolationError && err.index !== undefined) err.index += name.length + op.length;
      throw err;
    }
  };
  switch (op) {
    case ':-':
    case '-':
      return empty ? nested(rest) : (v as string);
    case ':?':
    case '?': {
      if (!empty) return v as string;
      const msg = nested(rest);
      throw new InterpolationError(`required variable ${name} is missing a value${msg ? `: ${msg}` : ''}`);
    }
    case ':+':
    case '+':
      return empty ? '' : nested(rest);
    default:
      throw new InterpolationError(`invalid variable substitution "\${${body}}"`);
  }
}

export interface InterpolatedTree {
  node: LNode;
  problems: SpecProblem[];
  warnings: SpecWarning[];
}

/** Interpolates every string value (not keys) of a document; values at typed paths are cast as Compose does. */
export function interpolateTree(root: LNode, lookup: Lookup): InterpolatedTree {
  const problems: SpecProblem[] = [];
  const warnings: SpecWarning[] = [];
  const warned = new Set<string>();
  const memo = new Map<LNode, LNode>();

  const onUnsetAt = (loc: SourceLocation, path: PathSegment[]) => (name: string) => {
    if (warned.has(name)) return;
    warned.add(name);
    warnings.push({
      location: loc,
      path: formatPath(path),
      message: `the ${name} variable is not set; using an empty string`,
    });
  };

  // A scalar without `$` comes out as it went in (checked before a path is made for it); only the rest is
  // remembered (aliases share nodes, and a shared node is interpolated, and its problems reported, once).
  const unchanged = (node: LNode): boolean =>
    node.kind === 'scalar' && !(typeof node.value === 'string' && node.value.includes('$'));

  const walk = (node: LNode, chain: PathChain): LNode => {
    if (unchanged(node)) return node;
    const done = memo.get(node);
    if (done) return done;
    let out: LNode = node;
    if (node.kind === 'scalar') {
      const value = node.value as string;
      const path = pathOf(chain);
      try {
        const text = interpolateString(value, lookup, onUnsetAt(node.loc, path));
        out = { ...lscalar(node.loc, castAt(path, text)), ...(node.tag ? { tag: node.tag } : {}) };
      } catch (err) {
        if (!(err instanceof InterpolationError)) throw err;
        // Point at the failing `$` when the value is written as it reads, on one line.
        const location =
          node.textCol !== undefined && err.index !== undefined
            ? { ...node.loc, col: node.textCol + err.index }
            : node.loc;
        problems.push({ location, path: [...path], message: err.message });
        out = { ...lscalar(node.loc, ''), ...(node.tag ? { tag: node.tag } : {}) };
      }
    } else if (node.kind === 'seq') {
      let items: LNode[] | undefined;
      node.items.forEach((item, i) => {
        const value = unchanged(item) ? item : walk(item, { parent: chain, seg: i });
        if (value !== item) (items ??= node.items.slice(0, i)).push(value);
        else items?.push(value);
      });
      if (items) out = { ...node, items };
    } else {
      // A new map only once a value changes: most mappings hold no `$` at all.
      let entries: Map<string, LEntry> | undefined;
      let i = 0;
      for (const [key, entry] of node.entries) {
        const value = unchanged(entry.value) ? entry.value : walk(entry.value, { parent: chain, seg: key });
        if (value !== entry.value) {
          if (!entries) {
            entries = new Map<string, LEntry>();
            let j = 0;
            for (const [k, e] of node.entries) {
              if (j++ === i) break;
              entries.set(k, e);
            }
          }
          entries.set(key, { keyLoc: entry.keyLoc, value });
        } else entries?.set(key, entry);
        i++;
      }
      if (entries) out = { ...node, entries };
    }
    memo.set(node, out);
    return out;
  };

  return { node: walk(root, undefined), problems, warnings };
}

type Cast = 'int' | 'float' | 'bool';

/** Where Compose turns an interpolated string back into a number or boolean ('*' any key, '[]' any index). */
const CASTS: [string, Cast][] = [
  ['services.*.deploy.replicas', 'int'],
  ['services.*.scale', 'int'],
  ['services.*.healthcheck.retries', 'int'],
  ['services.*.healthcheck.disable', 'bool'],
  ['services.*.init', 'bool'],
  ['services.*.privileged', 'bool'],
  ['services.*.read_only', 'bool'],
  ['services.*.stdin_open', 'bool'],
  ['services.*.tty', 'bool'],
  ['services.*.oom_kill_disable', 'bool'],
  ['services.*.oom_score_adj', 'int'],
  ['services.*.pids_limit', 'int'],
  ['services.*.cpu_count', 'int'],
  ['services.*.cpu_percent', 'int'],
  ['services.*.cpu_shares', 'int'],
  ['services.*.cpu_period', 'int'],
  ['services.*.cpu_quota', 'int'],
  ['services.*.cpus', 'float'],
  ['services.*.mem_swappiness', 'int'],
  ['services.*.ports.[].target', 'int'],
  ['services.*.ulimits.*', 'int'],
  ['services.*.ulimits.*.soft', 'int'],
  ['services.*.ulimits.*.hard', 'int'],
  ['services.*.volumes.[].read_only', 'bool'],
  ['services.*.volumes.[].volume.nocopy', 'bool'],
  ['services.*.volumes.[].bind.create_host_path', 'bool'],
  ['services.*.secrets.[].mode', 'int'],
  ['services.*.configs.[].mode', 'int'],
  ['services.*.depends_on.*.required', 'bool'],
  ['services.*.depends_on.*.restart', 'bool'],
  ['services.*.networks.*.priority', 'int'],
  ['services.*.deploy.resources.limits.pids', 'int'],
  ['services.*.deploy.restart_policy.max_attempts', 'int'],
  ['services.*.deploy.update_config.parallelism', 'int'],
  ['services.*.deploy.placement.max_replicas_per_node', 'int'],
  ['services.*.build.no_cache', 'bool'],
  ['services.*.build.pull', 'bool'],
  ['networks.*.external', 'bool'],
  ['networks.*.internal', 'bool'],
  ['networks.*.attachable', 'bool'],
  ['networks.*.enable_ipv6', 'bool'],
  ['volumes.*.external', 'bool'],
  ['secrets.*.external', 'bool'],
  ['configs.*.external', 'bool'],
];
const CAST_PATTERNS = CASTS.map(([p, c]) => ({ parts: p.split('.'), cast: c }));

function castAt(path: PathSegment[], text: string): ScalarValue {
  for (const { parts, cast } of CAST_PATTERNS) {
    if (parts.length !== path.length) continue;
    const match = parts.every((p, i) => {
      const seg = path[i];
      if (p === '[]') return typeof seg === 'number';
      if (p === '*') return typeof seg === 'string';
      return p === seg;
    });
    if (match) return castValue(text, cast);
  }
  return text;
}

function castValue(text: string, cast: Cast): ScalarValue {
  const t = text.trim();
  switch (cast) {
    case 'int':
      return /^[-+]?\d+$/.test(t) ? Number(t) : text;
    case 'float':
      return t !== '' && Number.isFinite(Number(t)) ? Number(t) : text;
    case 'bool': {
      const l = t.toLowerCase();
      if (['true', 'yes', 'y', 'on'].includes(l)) return true;
      if (['false', 'no', 'n', 'off'].includes(l)) return false;
      return text;
    }
  }
}

/** One variable a template reads, with what it says about it (`${NAME:-default}`, `${NAME:?err}`, ...). */
export interface VariableUse {
  name: string;
  /** `-`, `:-`, `?`, `:?`, `+`, `:+`, or undefined for a plain `$NAME` / `${NAME}`. */
  op?: string;
  /** The default, error message or alternative, as written. */
  rest?: string;
}

/** Every variable `text` reads, nested ones included; malformed parts are skipped (loading reports them). */
export function templateVariables(text: string): VariableUse[] {
  const out: VariableUse[] = [];
  for (let i = text.indexOf('$'); i >= 0 && i < text.length; i = text.indexOf('$', i)) {
    const next = text[i + 1];
    if (next === '$') {
      i += 2;
      continue;
    }
    if (next === '{') {
      const close = matchingBrace(text, i + 2);
      if (close < 0) break;
      const m = BRACED.exec(text.slice(i + 2, close));
      if (m) {
        out.push({ name: m[1] as string, ...(m[2] ? { op: m[2], rest: m[3] ?? '' } : {}) });
        if (m[3]) out.push(...templateVariables(m[3]));
      }
      i = close + 1;
      continue;
    }
    const name = NAME.exec(text.slice(i + 1))?.[0];
    if (name) out.push({ name });
    i += 1 + (name?.length ?? 0);
  }
  return out;
}
