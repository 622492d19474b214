import {
  LineCounter,
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  parseDocument,
  type Alias,
  type Scalar,
} from 'yaml';
import type { SpecProblem } from './errors.js';
import {
  lmap,
  lscalar,
  lseq,
  pathOf,
  type LMap,
  type LNode,
  type LScalar,
  type MergeTag,
  type PathChain,
  type ScalarValue,
} from './locate.js';
import type { SourceLocation } from './types.js';
import { parseYamlFast } from './yaml-fast.js';

/** Stack files larger than this are refused before parsing. */
export const MAX_FILE_BYTES = 10 * 1024 * 1024;
/** Total nodes aliases may expand to in one file; a "billion laughs" document hits this in milliseconds. */
export const MAX_ALIAS_EXPANSION = 500_000;
/** Nesting deeper than this is refused, which keeps every later recursive stage far from the stack limit. */
export const MAX_DEPTH = 200;

export interface ParsedYaml {
  /** The top-level mapping; undefined when the file could not be parsed. */
  node?: LMap;
  problems: SpecProblem[];
}

export interface ParseLimits {
  maxBytes?: number;
  maxAliasExpansion?: number;
  /** Parse with the `yaml` package even when the js-yaml fast path could (tests compare the two). */
  noFastPath?: boolean;
}

/** Thrown inside the builder to stop at the first value past a limit (the problem is already recorded). */
class LimitExceeded extends Error {}

interface Built {
  node: LNode;
  /** Node count with aliases expanded. */
  size: number;
}

/** Parses one stack file keeping the position of every value; `file` is the name errors show. */
export function parseYaml(text: string, file: string, limits: ParseLimits = {}): ParsedYaml {
  const maxBytes = limits.maxBytes ?? MAX_FILE_BYTES;
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > maxBytes) {
    return {
      problems: [
        {
          location: { file, line: 1, col: 1 },
          path: [],
          message: `file is ${bytes} bytes; stack files are limited to ${maxBytes} bytes`,
        },
      ],
    };
  }
  if (!limits.noFastPath) {
    const fast = parseYamlFast(text, sourcePositions(text, file), MAX_DEPTH);
    if (fast) return topLevel(fast, []);
  }
  const lineCounter = new LineCounter();
  const doc = withPlainEnv(() =>
    parseDocument(text, { merge: true, uniqueKeys: false, prettyErrors: false, lineCounter }),
  );
  const at = positions(lineCounter.lineStarts, file);
  if (doc.errors.length > 0) {
    return {
      problems: doc.errors.map((e) => ({
        location: at(e.pos[0]),
        path: [],
        message: yamlMessage(e.message),
      })),
    };
  }
  const builder = new Builder(text, at, limits.maxAliasExpansion ?? MAX_ALIAS_EXPANSION);
  let root: LNode;
  try {
    root = doc.contents ? builder.build(doc.contents, undefined).node : lmap(at(0));
  } catch (err) {
    if (err instanceof LimitExceeded) return { problems: [...builder.problems] };
    throw err;
  }
  return topLevel(root, builder.problems);
}

/** A document's top level: a mapping, or nothing (an empty file is an empty mapping). */
function topLevel(root: LNode, problems: SpecProblem[]): ParsedYaml {
  if (root.kind === 'scalar' && root.value === null) return { node: lmap(root.loc), problems };
  if (root.kind !== 'map') {
    problems.push({
      location: root.loc,
      path: [],
      message: 'the top level of a stack file must be a mapping',
    });
    return { problems };
  }
  return { node: root, problems };
}

/** Offset → file:line:col for `text`, lines counted as yaml's LineCounter counts them. */
export function sourcePositions(text: string, file: string): (offset: number) => SourceLocation {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return positions(starts, file);
}

/**
 * Offset → file:line:col, as `LineCounter.linePos` computes it (`lineStarts` ascending), without its binary
 * search and its intermediate object: the builder asks for offsets in nearly ascending order, so the search
 * starts where the last one ended and moves a line or two.
 */
function positions(lineStarts: readonly number[], file: string): (offset: number) => SourceLocation {
  let low = 0;
  return (offset) => {
    // The first line start at or after `offset`.
    while (low > 0 && (lineStarts[low - 1] as number) >= offset) low--;
    while (low < lineStarts.length && (lineStarts[low] as number) < offset) low++;
    if (lineStarts[low] === offset) return { file, line: low + 1, col: 1 };
    if (low === 0) return { file, line: 0, col: offset };
    return { file, line: low, col: offset - (lineStarts[low - 1] as number) + 1 };
  };
}

/**
 * Runs `f` with `process.env` swapped for a plain copy. yaml's parser reads `process.env.LOG_TOKENS` once per
 * token (about 235,000 times for 1,000 services), and every read of the real `process.env` calls into C++;
 * measured, the copy made the token parse about a fifth cheaper. `f` is synchronous, so nothing else runs
 * before the real environment is back, and the copy has the same values.
 */
function withPlainEnv<T>(f: () => T): T {
  const env = process.env;
  process.env = { ...env };
  try {
    return f();
  } finally {
    process.env = env;
  }
}

/** yaml's messages carry their own position text when pretty; we print positions ourselves. */
function yamlMessage(message: string): string {
  if (message.includes('Maximum call stack size exceeded')) return 'the document is nested too deeply';
  const firstLine = message.split('\n')[0] ?? message;
  return `YAML syntax error: ${firstLine.replace(/ at line \d+, column \d+:?$/, '')}`;
}

class Builder {
  readonly problems: SpecProblem[] = [];
  private readonly memo = new Map<unknown, Built>();
  private readonly building = new Set<unknown>();
  /** Anchors seen so far in document order: an alias names the latest one before it. */
  private readonly anchors = new Map<string, unknown>();
  private expanded = 0;
  private depth = 0;

  constructor(
    private readonly text: string,
    private readonly at: (offset: number) => SourceLocation,
    private readonly maxExpansion: number,
  ) {}

  build(node: unknown, path: PathChain): Built {
    if (isAlias(node)) return this.alias(node, path);
    const anchor = (node as { anchor?: string } | null)?.anchor;
    // Only anchored nodes can be reached twice (through aliases), so only they are remembered.
    if (!anchor) return this.fresh(node, path);
    const memo = this.memo.get(node);
    if (memo) return memo;
    this.anchors.set(anchor, node);
    this.building.add(node);
    const built = this.fresh(node, path);
    this.building.delete(node);
    this.memo.set(node, built);
    return built;
  }

  private alias(node: Alias, path: PathChain): Built {
    const loc = this.locOf(node);
    // Alias.resolve() rescans the whole document for every alias; tracking anchors while walking is linear.
    const target = this.anchors.get(node.source);
    if (!target) {
      this.problems.push({ location: loc, path: pathOf(path), message: `unknown alias *${node.source}` });
      return { node: lscalar(loc, null), size: 1 };
    }
    if (this.building.has(target)) {
      this.problems.push({
        location: loc,
        path: pathOf(path),
        message: `alias *${node.source} refers to a node that contains it`,
      });
      return { node: lscalar(loc, null), size: 1 };
    }
    const built = this.build(target, path);
    this.expanded += built.size;
    if (this.expanded > this.maxExpansion) {
      this.problems.push({
        location: loc,
        path: pathOf(path),
        message: `aliases expand to more than ${this.maxExpansion} values (at *${node.source}); refusing a document that grows exponentially`,
      });
      throw new LimitExceeded();
    }
    return built;
  }

  /** Where a string's text starts when its source is the string itself, maybe in quotes, on one line. */
  private textColumn(node: { range?: [number, number, number] | null }, value: string, loc: SourceLocation) {
    if (!node.range || value.includes('\n')) return undefined;
    const raw = this.text.slice(node.range[0], node.range[1]);
    if (raw === value) return loc.col;
    if (raw === `"${value}"` || raw === `'${value}'`) return loc.col + 1;
    return undefined;
  }

  private locOf(node: unknown): SourceLocation {
    const range = (node as { range?: [number, number, number] } | null)?.range;
    return this.at(range ? range[0] : 0);
  }

  private fresh(node: unknown, path: PathChain): Built {
    if (isScalar(node)) return this.collection(node, path);
    if (++this.depth > MAX_DEPTH) {
      this.problems.push({
        location: this.locOf(node),
        path: pathOf(path),
        message: `values are nested more than ${MAX_DEPTH} levels deep`,
      });
      throw new LimitExceeded();
    }
    try {
      return this.collection(node, path);
    } finally {
      this.depth--;
    }
  }

  private collection(node: unknown, path: PathChain): Built {
    const loc = this.locOf(node);
    const tag = mergeTag(node);
    if (isScalar(node)) return { node: this.scalar(node, loc, tag), size: 1 };
    if (isSeq(node)) {
      const out = lseq(loc);
      let size = 1;
      node.items.forEach((item, i) => {
        if (isPlainScalar(item)) {
          out.items.push(this.scalar(item, this.locOf(item), mergeTag(item)));
          size += 1;
          return;
        }
        const b = this.build(item, { parent: path, seg: i });
        out.items.push(b.node);
        size += b.size;
      });
      if (tag) out.tag = tag;
      return { node: out, size };
    }
    if (isMap(node)) {
      const built = this.mapping(node.items, loc, path);
      if (tag) built.node.tag = tag;
      return built;
    }
    // A null document body or an unexpected node type.
    return { node: lscalar(loc, null), size: 1 };
  }

  private scalar(node: Scalar, loc: SourceLocation, tag: MergeTag | undefined): LScalar {
    const out = lscalar(loc, tag === 'reset' ? null : scalarValue(node.value, node));
    if (tag) out.tag = tag;
    if (typeof out.value === 'string' && out.value.includes('$')) {
      const textCol = this.textColumn(node, out.value, loc);
      if (textCol !== undefined) out.textCol = textCol;
    }
    return out;
  }

  private mapping(pairs: unknown[], loc: SourceLocation, path: PathChain): Built {
    const out = lmap(loc);
    let size = 1;
    // Keys written in the mapping itself win over merged ones wherever the `<<` stands.
    const own = new Set<string>();
    if (pairs.some((pair) => isPair(pair) && isMergeKey(pair.key))) {
      for (const pair of pairs) {
        if (!isPair(pair) || isMergeKey(pair.key)) continue;
        const key = keyText(pair.key);
        if (key !== undefined) own.add(key);
      }
    }
    for (const pair of pairs) {
      if (!isPair(pair)) continue;
      const keyLoc = this.locOf(pair.key);
      if (isMergeKey(pair.key)) {
        size += this.mergeInto(out, own, pair.value, keyLoc, path);
        continue;
      }
      const key = keyText(pair.key);
      if (key === undefined) {
        this.problems.push({
          location: keyLoc,
          path: pathOf(path),
          message: 'mapping keys must be strings or numbers',
        });
        continue;
      }
      const first = out.entries.get(key);
      if (first) {
        this.problems.push({
          location: keyLoc,
          path: pathOf({ parent: path, seg: key }),
          message: `duplicate key "${key}" (first written at line ${first.keyLoc.line})`,
        });
        continue;
      }
      // Most values are scalars without an anchor: built here, with no path or size record to allocate.
      const value = pair.value;
      if (!value || isPlainScalar(value)) {
        const node = isPlainScalar(value)
          ? this.scalar(value, this.locOf(value), mergeTag(value))
          : lscalar(keyLoc, null);
        out.entries.set(key, { keyLoc, value: node });
        size += 1;
        continue;
      }
      const b = this.build(value, { parent: path, seg: key });
      out.entries.set(key, { keyLoc, value: b.node });
      size += b.size;
    }
    return { node: out, size };
  }

  /** `<<: *base` or `<<: [*a, *b]`: copies keys the mapping does not set itself; earlier sources win. */
  private mergeInto(
    out: LMap,
    own: Set<string>,
    value: unknown,
    keyLoc: SourceLocation,
    path: PathChain,
  ): number {
    const sources = isSeq(value) ? value.items : [value];
    let size = 0;
    for (const source of sources) {
      const b = this.build(source, path);
      if (b.node.kind !== 'map') {
        this.problems.push({
          location: keyLoc,
          path: pathOf(path),
          message: 'a merge key (<<) needs a mapping or a list of mappings',
        });
        continue;
      }
      for (const [k, e] of b.node.entries) {
        if (own.has(k) || out.entries.has(k)) continue;
        out.entries.set(k, { keyLoc: e.keyLoc, value: e.value });
      }
      size += b.size;
    }
    return size;
  }
}

/** A scalar that no alias can name, so it is built once, where it stands. */
function isPlainScalar(node: unknown): node is Scalar {
  return isScalar(node) && !node.anchor;
}

function isMergeKey(key: unknown): boolean {
  return isScalar(key) && (typeof key.value === 'symbol' || (key.value === '<<' && key.type === 'PLAIN'));
}

function keyText(key: unknown): string | undefined {
  if (!isScalar(key)) return undefined;
  const v = key.value;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  return undefined;
}

const LEGACY_OCTAL = /^[-+]?0[0-7]+$/;

/** Plain `0640` is octal as in Compose (Go's YAML reader), not the decimal YAML 1.2 reads. */
function scalarValue(v: unknown, node: { type?: string; source?: string }): ScalarValue {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number' && node.type === 'PLAIN' && node.source && LEGACY_OCTAL.test(node.source)) {
    return parseInt(node.source, 8);
  }
  if (typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  return String(v);
}

function mergeTag(node: unknown): MergeTag | undefined {
  const tag = (node as { tag?: string } | null)?.tag;
  if (tag === '!reset') return 'reset';
  if (tag === '!override') return 'override';
  return undefined;
}
