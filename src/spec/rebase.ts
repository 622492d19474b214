import path from 'node:path';
import { lmap, lscalar, lseq, type LEntry, type LMap, type LNode } from './locate.js';

/**
 * Makes the relative paths of a service absolute against `dir`: used when a service comes from another
 * folder (`extends.file`, `include`), whose relative paths mean "relative to that file", not to the project.
 */
export function rebaseService(svc: LMap, dir: string): LMap {
  const entries = new Map(svc.entries);
  const update = (key: string, fn: (n: LNode) => LNode) => {
    const e = entries.get(key);
    if (e) entries.set(key, { keyLoc: e.keyLoc, value: fn(e.value) });
  };
  update('build', (n) => {
    if (n.kind !== 'map') return absContext(n, dir);
    if (n.entries.has('context')) return mapField(n, 'context', (c) => absContext(c, dir));
    // No context means ".", which is the other file's folder, not the project's.
    const entries = new Map(n.entries);
    entries.set('context', { keyLoc: n.loc, value: lscalar(n.loc, dir) });
    return { ...n, entries };
  });
  update('env_file', (n) => filesList(n, dir));
  update('label_file', (n) => filesList(n, dir));
  update('volumes', (n) =>
    n.kind === 'seq'
      ? lseq(
          n.loc,
          n.items.map((v) => rebaseVolume(v, dir)),
        )
      : n,
  );
  update('develop', (n) =>
    mapField(n, 'watch', (w) =>
      w.kind === 'seq'
        ? lseq(
            w.loc,
            w.items.map((r) => mapField(r, 'path', (p) => absPath(p, dir))),
          )
        : w,
    ),
  );
  return { ...svc, entries };
}

/** Rebases every service and the `file:` of top-level secrets and configs of an included document. */
export function rebaseDocument(doc: LMap, dir: string): LMap {
  const entries = new Map(doc.entries);
  const section = (key: string, fn: (n: LMap) => LNode) => {
    const e = entries.get(key);
    if (e?.value.kind !== 'map') return;
    const inner = new Map<string, LEntry>();
    for (const [k, v] of e.value.entries)
      inner.set(k, { keyLoc: v.keyLoc, value: v.value.kind === 'map' ? fn(v.value) : v.value });
    entries.set(key, { keyLoc: e.keyLoc, value: lmap(e.value.loc, inner) });
  };
  section('services', (s) => rebaseService(s, dir));
  section('secrets', (s) => mapField(s, 'file', (f) => absPath(f, dir)));
  section('configs', (s) => mapField(s, 'file', (f) => absPath(f, dir)));
  return { ...doc, entries };
}

function mapField(node: LNode, key: string, fn: (n: LNode) => LNode): LNode {
  if (node.kind !== 'map') return node;
  const e = node.entries.get(key);
  if (!e) return node;
  const entries = new Map(node.entries);
  entries.set(key, { keyLoc: e.keyLoc, value: fn(e.value) });
  return { ...node, entries };
}

function absPath(node: LNode, dir: string): LNode {
  if (node.kind !== 'scalar' || typeof node.value !== 'string' || node.value === '') return node;
  if (path.isAbsolute(node.value) || node.value.startsWith('~')) return node;
  return { ...lscalar(node.loc, path.resolve(dir, node.value)) };
}

function absContext(node: LNode, dir: string): LNode {
  if (
    node.kind === 'scalar' &&
    typeof node.value === 'string' &&
    /^[a-z]+:\/\/|^git@|^github\.com\//i.test(node.value)
  ) {
    return node;
  }
  return absPath(node, dir);
}

function filesList(node: LNode, dir: string): LNode {
  if (node.kind === 'scalar') return absPath(node, dir);
  if (node.kind === 'seq')
    return lseq(
      node.loc,
      node.items.map((i) =>
        i.kind === 'map' ? mapField(i, 'path', (p) => absPath(p, dir)) : absPath(i, dir),
      ),
    );
  return node;
}

function isRelativeSource(source: string): boolean {
  return source === '.' || source === '..' || source.startsWith('./') || source.startsWith('../');
}

function rebaseVolume(v: LNode, dir: string): LNode {
  if (v.kind === 'scalar' && typeof v.value === 'string') {
    const colon = v.value.indexOf(':');
    const source = colon < 0 ? '' : v.value.slice(0, colon);
    if (!isRelativeSource(source)) return v;
    return lscalar(v.loc, `${path.resolve(dir, source)}${v.value.slice(colon)}`);
  }
  if (v.kind === 'map') {
    const source = v.entries.get('source')?.value;
    if (source?.kind === 'scalar' && typeof source.value === 'string' && isRelativeSource(source.value)) {
      return mapField(v, 'source', (s) => absPath(s, dir));
    }
  }
  return v;
}
