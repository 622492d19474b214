import type { ErrorObject, ValidateFunction } from 'ajv';
import { formatPath, type SpecProblem } from './errors.js';
import type { RawProject } from './raw.js';
import {
  composeSchema,
  NAME_PATTERN,
  PATTERN_CHOICES,
  PATTERN_DESCRIPTIONS,
  X_TSSTACK_KEYS,
  X_TSSTACK_SERVICE_KEYS,
} from './schema.js';
import { validate as generatedValidate } from './schema-validator.generated.js';
import { suggest } from './suggest.js';
import type { PathSegment, SpecWarning, Target } from './types.js';
import { findKeys, unsupportedKeys } from './unsupported.js';

/**
 * The schema compiled ahead of time by scripts/generate-schema-validator.ts (ajv standalone code): compiling
 * at run time would cost every `tsstack` process about 0.3 s.
 */
const validator = generatedValidate as unknown as ValidateFunction;

/**
 * Validates the merged document against tsstack's JSON Schema of the Compose format (ajv); the warnings
 * name keys the `target` does not act on.
 */
export function validateSchema(
  raw: RawProject,
  target: Target = 'local',
): { problems: SpecProblem[]; warnings: SpecWarning[] } {
  const problems: SpecProblem[] = [];
  if (!validator(raw.data)) {
    const seen = new Set<string>();
    for (const error of validator.errors ?? []) {
      const problem = toProblem(error, raw);
      const key = `${formatPath(problem.path)}\0${problem.message}`;
      if (seen.has(key)) continue;
      seen.add(key);
      problems.push(problem);
    }
  }
  problems.sort(byLocation(raw.files));
  return { problems, warnings: collectWarnings(raw, target) };
}

/** What ajv's `verbose` option would add, looked up here so the generated code stays small. */
interface ErrorContext {
  data: unknown;
  /** The schema object holding the failed keyword. */
  parent: SchemaNode | undefined;
}

interface SchemaNode {
  $ref?: string;
  items?: unknown;
  properties?: Record<string, unknown>;
  patternProperties?: Record<string, unknown>;
  pattern?: string;
}

function toProblem(error: ErrorObject, raw: RawProject): SpecProblem {
  const path = toSegments(error.instancePath, raw.data);
  const e: ErrorObject & ErrorContext = {
    ...error,
    data: valueAt(raw.data, path),
    parent: schemaFor(path),
  };
  const params = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'additionalProperties': {
      const key = String(params['additionalProperty']);
      const keyPath = [...path, key];
      return { location: raw.locateKey(keyPath), path: keyPath, message: unknownKeyMessage(key, path, e) };
    }
    case 'required': {
      const missing = String(params['missingProperty']);
      return { location: raw.locate(path), path, message: `missing required key "${missing}"` };
    }
    case 'type':
      return { location: raw.locate(path), path, message: typeMessage(e) + indentationHint(path) };
    case 'pattern':
      return { location: raw.locate(path), path, message: patternMessage(e) };
    case 'enum': {
      const allowed = (params['allowedValues'] as unknown[]).map(String);
      const hint = typeof e.data === 'string' ? suggest(e.data, allowed) : undefined;
      const tail = hint ? `did you mean "${hint}"?` : `got ${describeValue(e.data)}`;
      return { location: raw.locate(path), path, message: `must be one of: ${allowed.join(', ')} (${tail})` };
    }
    case 'uniqueItems': {
      const i = Number(params['i']);
      const j = Number(params['j']);
      const itemPath = [...path, Math.max(i, j)];
      const item = (e.data as unknown[])[Math.max(i, j)];
      return {
        location: raw.locate(itemPath),
        path: itemPath,
        message: `duplicate entry${item !== null && typeof item === 'object' ? '' : ` ${describeValue(item)}`} (same as item ${Math.min(i, j)})`,
      };
    }
    case 'minimum':
    case 'maximum':
      return {
        location: raw.locate(path),
        path,
        message: `must be ${String(params['comparison'])} ${String(params['limit'])} (got ${describeValue(e.data)})`,
      };
    default:
      return { location: raw.locate(path), path, message: e.message ?? `is invalid (${e.keyword})` };
  }
}

function unknownKeyMessage(key: string, parentPath: PathSegment[], e: ErrorContext): string {
  const parent = e.parent;
  const patterns = Object.keys(parent?.patternProperties ?? {});
  if (patterns.includes(NAME_PATTERN)) {
    return `invalid name "${key}": use only letters, digits, ".", "_" and "-"`;
  }
  const candidates = Object.keys(parent?.properties ?? {});
  const hint =
    suggest(key, candidates) ??
    (parentPath.length === 2 && parentPath[0] === 'services' ? misplaced[key] : undefined);
  if (hint) return `unknown key "${key}" (did you mean "${hint}"?)`;
  const value = (e.data as Record<string, unknown> | undefined)?.[key];
  if (parentPath.length === 0 && looksLikeService(value)) {
    return `unknown key "${key}" at top level (a service? services go under "services:")`;
  }
  const where = parentPath.length === 0 ? 'at top level' : `in ${formatPath(parentPath)}`;
  return `unknown key "${key}" ${where} (extensions must start with "x-")`;
}

/** `image: nginx` one level too far left lands as a service named "image". */
function indentationHint(path: PathSegment[]): string {
  const [top, name] = path;
  if (path.length !== 2 || top !== 'services' || typeof name !== 'string') return '';
  const serviceKeys = composeSchema.definitions.service.properties;
  return Object.hasOwn(serviceKeys, name)
    ? `; "${name}" is a service key: is it indented under its service?`
    : '';
}

function looksLikeService(value: unknown): boolean {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  return ['image', 'build', 'command', 'ports', 'environment'].some((k) => Object.hasOwn(value, k));
}

const TYPE_NAMES: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  integer: 'an integer',
  boolean: 'a boolean',
  array: 'a list',
  object: 'a mapping',
  null: 'null',
};

function typeMessage(e: ErrorObject & ErrorContext): string {
  const types = String((e.params as { type: string }).type).split(',');
  const pattern = e.parent?.pattern;
  const patternText = pattern ? PATTERN_DESCRIPTIONS[pattern] : undefined;
  // `['boolean', 'string']` with a boolean pattern reads as "a boolean": the string is only a spelling of it.
  const spelledAsString = types.includes('string') && types.length <= 2;
  const wanted = patternText && spelledAsString ? patternText : joinOr(types.map((t) => TYPE_NAMES[t] ?? t));
  return `must be ${wanted} (got ${describeType(e.data)})`;
}

function patternMessage(e: ErrorObject & ErrorContext): string {
  const pattern = String((e.params as { pattern: string }).pattern);
  const described = PATTERN_DESCRIPTIONS[pattern];
  const wanted = described ?? `a string matching ${pattern}`;
  const hint = typeof e.data === 'string' ? suggest(e.data, PATTERN_CHOICES[pattern] ?? []) : undefined;
  return `must be ${wanted} (${hint ? `did you mean "${hint}"?` : `got ${describeValue(e.data)}`})`;
}

function joinOr(words: string[]): string {
  if (words.length <= 1) return words[0] ?? 'valid';
  return `${words.slice(0, -1).join(', ')} or ${words[words.length - 1]!}`;
}

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'list';
  if (typeof value === 'object') return 'mapping';
  return typeof value;
}

function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === null || typeof value !== 'object') return String(value);
  return describeType(value);
}

const misplaced: Record<string, string> = {
  replicas: 'deploy.replicas',
  resources: 'deploy.resources',
  memory: 'mem_limit',
  env: 'environment',
  cmd: 'command',
};

/**
 * The schema that applies at `path`, found by walking the schema along the data's path. ajv's own schemaPath
 * is relative to the nearest `$ref` target, so it cannot say which definition failed; the walk can, because the
 * schema has no `anyOf`/`oneOf` and each value has exactly one applicable schema.
 */
function schemaFor(path: readonly PathSegment[]): SchemaNode | undefined {
  let node = deref(composeSchema as SchemaNode);
  for (const seg of path) {
    if (!node) return undefined;
    if (typeof seg === 'number') node = deref(node.items);
    else node = deref(node.properties?.[seg] ?? matchPattern(node.patternProperties, seg));
  }
  return node;
}

function matchPattern(patterns: Record<string, unknown> | undefined, key: string): unknown {
  for (const [pattern, schema] of Object.entries(patterns ?? {})) {
    if (new RegExp(pattern, 'u').test(key)) return schema;
  }
  return undefined;
}

function deref(node: unknown): SchemaNode | undefined {
  if (node === null || typeof node !== 'object') return undefined;
  const target = (node as { $ref?: string }).$ref;
  if (target === undefined) return node as SchemaNode;
  const name = target.slice('#/definitions/'.length);
  return deref((composeSchema.definitions as Record<string, unknown>)[name]);
}

function valueAt(data: unknown, path: readonly PathSegment[]): unknown {
  let node = data;
  for (const seg of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string | number, unknown>)[seg];
  }
  return node;
}

/** `/services/web/ports/0` → ['services', 'web', 'ports', 0], using the data to tell list indexes from keys. */
function toSegments(pointer: string, data: unknown): PathSegment[] {
  if (pointer === '') return [];
  const out: PathSegment[] = [];
  let node: unknown = data;
  for (const part of pointer.slice(1).split('/')) {
    const key = part.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(node)) {
      const index = Number(key);
      out.push(index);
      node = node[index];
    } else {
      out.push(key);
      node = node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined;
    }
  }
  return out;
}

/** Orders problems as the files were merged (by name when a location uses another spelling), then by position. */
function byLocation(files: readonly string[]): (a: SpecProblem, b: SpecProblem) => number {
  const rank = (p: SpecProblem) => (p.location ? files.indexOf(p.location.file) : -1);
  return (a, b) => {
    const la = a.location;
    const lb = b.location;
    if (!la || !lb) return 0;
    const byFile = rank(a) - rank(b) || (la.file < lb.file ? -1 : la.file > lb.file ? 1 : 0);
    return byFile || la.line - lb.line || la.col - lb.col;
  };
}

function collectWarnings(raw: RawProject, target: Target): SpecWarning[] {
  const warnings: SpecWarning[] = [];
  const data = raw.data;
  if (Object.hasOwn(data, 'version')) {
    warnings.push({
      location: raw.locateKey(['version']),
      path: 'version',
      message: 'the top-level "version" key is obsolete and ignored; remove it',
    });
  }
  const legacyExternal = ['networks', 'volumes', 'secrets', 'configs'].map((kind) => [
    kind,
    '*',
    'external',
    'name',
  ]);
  for (const path of findKeys(data, legacyExternal)) {
    warnings.push({
      location: raw.locateKey(path),
      path: formatPath(path),
      message: 'deprecated: write `name:` beside `external: true` instead',
    });
  }
  for (const path of findKeys(data, unsupportedKeys(target))) {
    warnings.push({
      location: raw.locateKey(path),
      path: formatPath(path),
      message: 'accepted but not implemented by tsstack yet; ignored',
    });
  }
  for (const path of findKeys(data, [
    ['x-tsstack', '*'],
    ['services', '*', 'x-tsstack', '*'],
  ])) {
    const key = String(path[path.length - 1]);
    const known = path[0] === 'services' ? X_TSSTACK_SERVICE_KEYS : X_TSSTACK_KEYS;
    if (known.includes(key)) continue;
    const hint = suggest(key, known);
    warnings.push({
      location: raw.locateKey(path),
      path: formatPath(path),
      message: `unknown tsstack option "${key}"${hint ? ` (did you mean "${hint}"?)` : ''}; ignored`,
    });
  }
  return warnings;
}
