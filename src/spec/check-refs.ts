/** Paths to the entry that names a dependency, for errors located at it. */
import type { RawProject } from './raw.js';
import type { PathSegment } from './types.js';

/** The path of the entry naming `name` in a list-or-map field: `depends_on[1]` for lists, `depends_on.db` for maps. */
export function refPath(raw: RawProject, base: PathSegment[], name: string): PathSegment[] {
  const value = valueAt(raw.data, base);
  if (Array.isArray(value)) {
    const i = value.findIndex(
      (v) => v === name || (typeof v === 'string' && v.split(':')[0] === name.split(':')[0]),
    );
    return i >= 0 ? [...base, i] : base;
  }
  return [...base, name];
}

export function valueAt(data: unknown, path: PathSegment[]): unknown {
  let cur = data;
  for (const seg of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[seg];
  }
  return cur;
}
