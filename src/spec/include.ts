import path from 'node:path';
import type { SpecProblem } from './errors.js';
import type { LoadedFile } from './extends.js';
import { lmap, sameValue, scalarText, type LEntry, type LMap, type LNode } from './locate.js';
import type { PathSegment, SourceLocation } from './types.js';

/** One `include` entry, paths made absolute against the including file's folder. */
export interface IncludeRequest {
  files: string[];
  projectDir: string;
  /** Undefined: the included project's own `.env`. */
  envFiles?: string[];
  from: SourceLocation;
  path: PathSegment[];
}

/** Loads an included project completely (its own includes and extends resolved, paths absolute). */
export type IncludeLoader = (req: IncludeRequest) => LMap | undefined;

const SECTIONS = ['services', 'networks', 'volumes', 'secrets', 'configs'] as const;
const SINGULAR: Record<string, string> = {
  services: 'service',
  networks: 'network',
  volumes: 'volume',
  secrets: 'secret',
  configs: 'config',
};

/** Reads the top-level `include` of a file and adds the included resources; clashes with local ones are errors. */
export function applyIncludes(file: LoadedFile, load: IncludeLoader, problems: SpecProblem[]): LMap {
  const include = file.doc.entries.get('include');
  if (!include) return file.doc;
  const entries = new Map(file.doc.entries);
  entries.delete('include');
  let doc: LMap = { ...file.doc, entries };
  const list = include.value;
  if (list.kind !== 'seq') {
    problems.push({ location: list.loc, path: ['include'], message: 'include must be a list of files' });
    return doc;
  }
  // Resources brought in by earlier includes, to tell an include clash from a local one.
  const included = new Map<string, string>();
  list.items.forEach((item, i) => {
    const req = requestFor(item, file.dir, ['include', i], problems);
    if (!req) return;
    const loaded = load(req);
    if (!loaded) return;
    doc = addIncluded(doc, loaded, req, included, problems);
  });
  return doc;
}

function requestFor(
  item: LNode,
  dir: string,
  at: PathSegment[],
  problems: SpecProblem[],
): IncludeRequest | undefined {
  const bad = (node: LNode, message: string, sub: PathSegment[] = []) => {
    problems.push({ location: node.loc, path: [...at, ...sub], message });
    return undefined;
  };
  const strings = (node: LNode): string[] | undefined => {
    if (node.kind === 'seq') {
      const out = node.items.map(scalarText);
      return out.every((s): s is string => !!s) ? out : undefined;
    }
    const s = scalarText(node);
    return s ? [s] : undefined;
  };
  if (item.kind === 'scalar') {
    const rel = scalarText(item);
    if (!rel) return bad(item, 'include needs a file path');
    const abs = path.resolve(dir, rel);
    return { files: [abs], projectDir: path.dirname(abs), from: item.loc, path: at };
  }
  if (item.kind !== 'map')
    return bad(item, 'include entries are a path or {path, project_directory, env_file}');
  const pathNode = item.entries.get('path')?.value;
  const files = pathNode && strings(pathNode);
  if (!pathNode || !files || files.length === 0)
    return bad(pathNode ?? item, 'include needs path: a file or a list of files', ['path']);
  const abs = files.map((f) => path.resolve(dir, f));
  const pdNode = item.entries.get('project_directory')?.value;
  const pd = pdNode ? scalarText(pdNode) : undefined;
  const envNode = item.entries.get('env_file')?.value;
  const envFiles = envNode ? strings(envNode) : undefined;
  if (envNode && !envFiles) return bad(envNode, 'env_file must be a path or a list of paths', ['env_file']);
  return {
    files: abs,
    projectDir: pd ? path.resolve(dir, pd) : path.dirname(abs[0] as string),
    envFiles: envFiles?.map((f) => path.resolve(dir, f)),
    from: pathNode.loc,
    path: at,
  };
}

function addIncluded(
  doc: LMap,
  loaded: LMap,
  req: IncludeRequest,
  included: Map<string, string>,
  problems: SpecProblem[],
): LMap {
  const entries = new Map(doc.entries);
  const label = req.files.map((f) => path.basename(f)).join(', ');
  for (const section of SECTIONS) {
    const theirs = loaded.entries.get(section)?.value;
    if (theirs?.kind !== 'map') continue;
    const mineEntry = entries.get(section);
    const mine = mineEntry?.value.kind === 'map' ? mineEntry.value : lmap(req.from);
    const merged = new Map<string, LEntry>(mine.entries);
    for (const [name, entry] of theirs.entries) {
      const local = mine.entries.get(name);
      const id = `${section}.${name}`;
      if (local && !sameValue(local.value, entry.value)) {
        const earlier = included.get(id);
        problems.push({
          location: earlier ? req.from : local.keyLoc,
          path: earlier ? req.path : [section, name],
          message: earlier
            ? `${SINGULAR[section]} "${name}" from ${label} conflicts with the one included from ${earlier}`
            : `${SINGULAR[section]} "${name}" is also defined by the included file ${label}; rename one of them`,
        });
        continue;
      }
      if (!local) {
        merged.set(name, entry);
        included.set(id, label);
      }
    }
    entries.set(section, { keyLoc: mineEntry?.keyLoc ?? req.from, value: lmap(mine.loc, merged) });
  }
  return { ...doc, entries };
}
