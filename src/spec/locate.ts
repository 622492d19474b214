import type { PathSegment, SourceLocation } from './types.js';

/**
 * A YAML value with the source position of every piece: the form loading works on (interpolate, extends,
 * include, merge) so that after all of it each value still knows the file, line and column it came from.
 * Nodes are never mutated once built; aliases share nodes.
 */
export type LNode = LMap | LSeq | LScalar;

export type ScalarValue = string | number | boolean | null;

/** `!reset` drops the value while merging, `!override` replaces instead of merging (Compose's YAML tags). */
export type MergeTag = 'reset' | 'override';

interface LBase {
  loc: SourceLocation;
  tag?: MergeTag;
}

export interface LEntry {
  keyLoc: SourceLocation;
  value: LNode;
}

export interface LMap extends LBase {
  kind: 'map';
  entries: Map<string, LEntry>;
}

export interface LSeq extends LBase {
  kind: 'seq';
  items: LNode[];
}

export interface LScalar extends LBase {
  kind: 'scalar';
  value: ScalarValue;
  /** Column of the value's first character when the source spells the string verbatim on one line. */
  textCol?: number;
}

export function lmap(loc: SourceLocation, entries: Map<string, LEntry> = new Map()): LMap {
  return { kind: 'map', loc, entries };
}

export function lseq(loc: SourceLocation, items: LNode[] = []): LSeq {
  return { kind: 'seq', loc, items };
}

export function lscalar(loc: SourceLocation, value: ScalarValue): LScalar {
  return { kind: 'scalar', loc, value };
}

/** The entry value under `key` when `node` is a mapping. */
export function child(node: LNode | undefined, key: string): LNode | undefined {
  return node?.kind === 'map' ? node.entries.get(key)?.value : undefined;
}

/** The node at `path`, or undefined when the path leaves the tree. */
export function nodeAt(root: LNode, path: readonly PathSegment[]): LNode | undefined {
  let node: LNode | undefined = root;
  for (const seg of path) {
    if (!node) return undefined;
    if (node.kind === 'map') node = node.entries.get(String(seg))?.value;
    else if (node.kind === 'seq' && typeof seg === 'number') node = node.items[seg];
    else return undefined;
  }
  return node;
}

/** Where the value at `path` is written; for a path with no node of its own, the nearest ancestor's position. */
export function locateIn(root: LNode, path: readonly PathSegment[]): SourceLocation {
  let node: LNode = root;
  for (const seg of path) {
    let next: LNode | undefined;
    if (node.kind === 'map') next = node.entries.get(String(seg))?.value;
    else if (node.kind === 'seq' && typeof seg === 'number') next = node.items[seg];
    if (!next) return node.loc;
    node = next;
  }
  return node.loc;
}

/** Where the key at the end of `path` is written; falls back to `locateIn`. */
export function locateKeyIn(root: LNode, path: readonly PathSegment[]): SourceLocation {
  if (path.length === 0) return root.loc;
  const parent = nodeAt(root, path.slice(0, -1));
  const last = path[path.length - 1];
  if (parent?.kind === 'map' && last !== undefined) {
    const entry = parent.entries.get(String(last));
    if (entry) return entry.keyLoc;
  }
  return locateIn(root, path);
}

/** Plain JS data (objects, arrays, scalars) for validation and normalization. */
export function toPlain(node: LNode): unknown {
  switch (node.kind) {
    case 'scalar':
      return node.value;
    case 'seq':
      return node.items.map(toPlain);
    case 'map': {
      const out: Record<string, unknown> = {};
      for (const [key, entry] of node.entries) setOwn(out, key, toPlain(entry.value));
      return out;
    }
  }
}

/** Assigns without the `__proto__` setter, so a key named `__proto__` stays a plain key. */
export function setOwn(obj: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  } else obj[key] = value;
}

/** Deep equality of two nodes' values (positions ignored). */
export function sameValue(a: LNode, b: LNode): boolean {
  if (a === b) return true;
  if (a.kind === 'scalar' && b.kind === 'scalar') return a.value === b.value;
  if (a.kind === 'seq' && b.kind === 'seq') {
    return a.items.length === b.items.length && a.items.every((x, i) => sameValue(x, b.items[i] as LNode));
  }
  if (a.kind === 'map' && b.kind === 'map') {
    if (a.entries.size !== b.entries.size) return false;
    for (const [k, e] of a.entries) {
      const other = b.entries.get(k);
      if (!other || !sameValue(e.value, other.value)) return false;
    }
    return true;
  }
  return false;
}

/** A string form of a scalar, as Compose reads list items such as `KEY=value`. */
export function scalarText(node: LNode): string | undefined {
  if (node.kind !== 'scalar') return undefined;
  return node.value === null ? '' : String(node.value);
}

/** A path built as a linked list while walking, turned into an array only when a problem needs it. */
export type PathChain = { parent: PathChain; seg: PathSegment } | undefined;

export function pathOf(chain: PathChain): PathSegment[] {
  const out: PathSegment[] = [];
  for (let c = chain; c; c = c.parent) out.push(c.seg);
  return out.reverse();
}
