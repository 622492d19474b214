import { isAbsolute, resolve } from 'node:path';
import { homedir } from 'node:os';
import type { SpecProblem } from '../errors.js';
import type { RawProject } from '../raw.js';
import type { PathSegment, SpecWarning } from '../types.js';
import { parseBytes } from '../bytes.js';
import { parseDuration } from '../duration.js';

/** Collects located problems while normalizing, so every problem is reported at once. */
export class NormalizeContext {
  readonly problems: SpecProblem[] = [];
  readonly warnings: SpecWarning[] = [];

  constructor(readonly raw: RawProject) {}

  /** Records a problem at `path`, located in the source. */
  problem(path: readonly PathSegment[], message: string): void {
    this.problems.push({ location: this.raw.locate(path), path: [...path], message });
  }

  /** A path made absolute against the project folder (`~` is the user's home). */
  absPath(p: string): string {
    if (p === '~' || p.startsWith('~/')) return resolve(homedir(), p.slice(2));
    return isAbsolute(p) ? resolve(p) : resolve(this.raw.projectDir, p);
  }

  /** A path as the normalized stack shows it: absolute, or as written under `config --no-path-resolution`. */
  outPath(p: string): string {
    return this.raw.resolvePaths === false ? p : this.absPath(p);
  }

  str(value: unknown, path: readonly PathSegment[]): string | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value === 'string') return value;
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    this.problem(path, `expected a string, got ${describe(value)}`);
    return undefined;
  }

  bool(value: unknown, path: readonly PathSegment[]): boolean | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value === 'boolean') return value;
    if (value === 'true' || value === 'false') return value === 'true';
    this.problem(path, `expected true or false, got ${describe(value)}`);
    return undefined;
  }

  num(value: unknown, path: readonly PathSegment[]): number | undefined {
    if (value === undefined || value === null) return undefined;
    const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
    if (typeof n === 'number' && Number.isFinite(n)) return n;
    this.problem(path, `expected a number, got ${describe(value)}`);
    return undefined;
  }

  int(value: unknown, path: readonly PathSegment[]): number | undefined {
    const n = this.num(value, path);
    if (n === undefined || Number.isInteger(n)) return n;
    this.problem(path, `expected a whole number, got ${n}`);
    return undefined;
  }

  duration(value: unknown, path: readonly PathSegment[]): number | undefined {
    if (value === undefined || value === null) return undefined;
    const ms = parseDuration(value);
    if (ms === undefined)
      this.problem(path, `${describe(value)} is not a duration (expected e.g. 10s, 1m30s, 500ms)`);
    return ms;
  }

  bytes(value: unknown, path: readonly PathSegment[]): number | undefined {
    if (value === undefined || value === null) return undefined;
    const n = parseBytes(value);
    if (n === undefined)
      this.problem(path, `${describe(value)} is not a byte size (expected e.g. 512m, 1g, 1024)`);
    return n;
  }

  /**
   * A file mode. Compose reads YAML 1.1, where `0440` is octal; the YAML 1.2 reader gives the number 440, so the
   * written token decides: a leading zero means octal, as in chmod. Strings (`"0440"`) follow the same rule.
   */
  fileMode(value: unknown, path: readonly PathSegment[]): number | undefined {
    if (value === undefined || value === null) return undefined;
    const token = typeof value === 'number' ? (this.sourceToken(path) ?? String(value)) : value;
    if (typeof token === 'string' && /^0o?[0-7]+$/.test(token.trim()))
      return parseInt(token.trim().replace(/^0o?/, ''), 8);
    if (typeof value === 'string' && /^[0-7]+$/.test(value.trim())) return parseInt(value.trim(), 8);
    if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return value;
    this.problem(path, `${describe(value)} is not a file mode (expected e.g. 0440)`);
    return undefined;
  }

  private readonly lines = new Map<string, string[]>();

  /** The scalar as written in the source at `path`, when it can be found. */
  private sourceToken(path: readonly PathSegment[]): string | undefined {
    const loc = this.raw.locate(path);
    if (!loc) return undefined;
    let lines = this.lines.get(loc.file);
    if (!lines) {
      lines = this.raw.sourceText(loc.file)?.split('\n') ?? [];
      this.lines.set(loc.file, lines);
    }
    return /^[^\s,\]}#]+/.exec(lines[loc.line - 1]?.slice(loc.col - 1) ?? '')?.[0];
  }

  /** A mapping, or undefined (with a problem when something else is there). */
  record(value: unknown, path: readonly PathSegment[]): Record<string, unknown> | undefined {
    if (value === undefined || value === null) return undefined;
    if (isRecord(value)) return value;
    this.problem(path, `expected a mapping, got ${describe(value)}`);
    return undefined;
  }

  /** A list of strings; a single string becomes a one-item list. */
  strings(value: unknown, path: readonly PathSegment[]): string[] {
    if (value === undefined || value === null) return [];
    if (typeof value === 'string') return [value];
    if (!Array.isArray(value)) {
      this.problem(path, `expected a list of strings, got ${describe(value)}`);
      return [];
    }
    const out: string[] = [];
    value.forEach((item, i) => {
      const s = this.str(item, [...path, i]);
      if (s !== undefined) out.push(s);
    });
    return out;
  }

  /** `KEY=VALUE` list or mapping → mapping (labels, sysctls, driver_opts, ...); `KEY` alone maps to `whenBare`. */
  keyValues<T extends string | null>(
    value: unknown,
    path: readonly PathSegment[],
    whenBare: (key: string) => T | string,
  ): Record<string, T | string> {
    const out: Record<string, T | string> = {};
    if (value === undefined || value === null) return out;
    if (Array.isArray(value)) {
      value.forEach((item, i) => {
        const s = this.str(item, [...path, i]);
        // An empty entry sets nothing (Compose drops it too); it is also what a value that failed to
        // interpolate becomes, which is reported already.
        if (s === undefined || s === '') return;
        const eq = s.indexOf('=');
        if (eq === 0) this.problem([...path, i], `"${s}" has no name before "="`);
        else if (eq < 0) out[s] = whenBare(s);
        else out[s.slice(0, eq)] = s.slice(eq + 1);
      });
      return out;
    }
    if (isRecord(value)) {
      for (const [k, v] of Object.entries(value)) {
        if (v === null || v === undefined) out[k] = whenBare(k);
        else {
          const s = this.str(v, [...path, k]);
          if (s !== undefined) out[k] = s;
        }
      }
      return out;
    }
    this.problem(path, `expected a mapping or a list of KEY=VALUE, got ${describe(value)}`);
    return out;
  }

  /** Labels-like mapping where a bare key means the empty string. */
  stringMap(value: unknown, path: readonly PathSegment[]): Record<string, string> {
    return this.keyValues(value, path, () => '') as Record<string, string>;
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A short description of a value for messages: `"80:80:80"`, `a list`, `a mapping`. */
export function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'a mapping';
  return String(value);
}
