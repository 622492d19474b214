// Test helper only: a RawProject straight from one YAML text, with real positions, without the loader.
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Node } from 'yaml';
import type { RawProject } from '../../../../src/spec/raw.js';
import type { PathSegment, SourceLocation } from '../../../../src/spec/types.js';

interface Positions {
  value: Map<string, SourceLocation>;
  key: Map<string, SourceLocation>;
}

const keyOf = (path: readonly PathSegment[]) => JSON.stringify(path);

/** Parses `text` as the file `file` (anchors and `<<` merge keys resolved) and maps every path to its position. */
export function rawFromYaml(
  text: string,
  file = 'compose.yaml',
  extra: Partial<RawProject> = {},
): RawProject {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, merge: true, uniqueKeys: true });
  if (doc.errors.length > 0) throw new Error(`test YAML does not parse: ${doc.errors[0]!.message}`);
  const at = (offset: number): SourceLocation => {
    const { line, col } = lineCounter.linePos(offset);
    return { file, line, col };
  };
  const positions: Positions = { value: new Map(), key: new Map() };
  record(doc.contents as Node | null, [], positions, at, doc);
  const data = (doc.toJS({ maxAliasCount: 1000 }) ?? {}) as Record<string, unknown>;
  const locate = (path: readonly PathSegment[]): SourceLocation | undefined => {
    for (let n = path.length; n >= 0; n--) {
      const loc = positions.value.get(keyOf(path.slice(0, n)));
      if (loc) return loc;
    }
    return undefined;
  };
  return {
    data,
    locate,
    locateKey: (path) => positions.key.get(keyOf(path)) ?? locate(path),
    sourceText: (f) => (f === file ? text : undefined),
    projectName: 'test',
    projectDir: '/project',
    files: [file],
    env: {},
    profiles: [],
    ...extra,
  };
}

function record(
  node: Node | null,
  path: PathSegment[],
  out: Positions,
  at: (offset: number) => SourceLocation,
  doc: ReturnType<typeof parseDocument>,
): void {
  if (!node) return;
  const k = keyOf(path);
  if (node.range && !out.value.has(k)) out.value.set(k, at(node.range[0]));
  if (isAlias(node)) {
    // Aliased values keep the alias's own position; their insides point at the anchor's text.
    record(node.resolve(doc) as Node | null, path, out, at, doc);
    return;
  }
  if (isSeq(node)) {
    node.items.forEach((item, i) => record(item as Node, [...path, i], out, at, doc));
    return;
  }
  if (!isMap(node)) return;
  for (const pair of node.items) {
    const keyNode = pair.key as Node | null;
    // With `merge: true` the yaml package gives a merge key a symbol value; its source text is still `<<`.
    if (isScalar(keyNode) && (keyNode.value === '<<' || typeof keyNode.value === 'symbol')) {
      // Merge keys: the merged mapping's entries count as this mapping's, unless written here too.
      const sources = isSeq(pair.value) ? pair.value.items : [pair.value];
      for (const source of sources) {
        const resolved = isAlias(source) ? source.resolve(doc) : source;
        if (isMap(resolved)) mergeInto(resolved, path, out, at, doc, node);
      }
      continue;
    }
    const name = isScalar(keyNode) ? String(keyNode.value) : String(keyNode);
    const childPath = [...path, name];
    if (keyNode?.range) out.key.set(keyOf(childPath), at(keyNode.range[0]));
    record(pair.value as Node | null, childPath, out, at, doc);
  }
}

function mergeInto(
  source: Node,
  path: PathSegment[],
  out: Positions,
  at: (offset: number) => SourceLocation,
  doc: ReturnType<typeof parseDocument>,
  target: Node,
): void {
  if (!isMap(source) || !isMap(target)) return;
  const own = new Set(target.items.map((p) => (isScalar(p.key) ? String(p.key.value) : '')));
  for (const pair of source.items) {
    const name = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
    if (own.has(name)) continue;
    const childPath = [...path, name];
    const keyNode = pair.key as Node | null;
    if (keyNode?.range && !out.key.has(keyOf(childPath))) out.key.set(keyOf(childPath), at(keyNode.range[0]));
    record(pair.value as Node | null, childPath, out, at, doc);
  }
}
