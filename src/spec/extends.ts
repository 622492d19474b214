import path from 'node:path';
import type { SpecProblem } from './errors.js';
import { child, lmap, scalarText, type LEntry, type LMap } from './locate.js';
import { mergeService } from './merge.js';
import { rebaseService } from './rebase.js';
import type { SourceLocation } from './types.js';

/** A parsed, interpolated stack file. */
export interface LoadedFile {
  /** Absolute path ('-' for stdin). */
  abs: string;
  /** Folder its relative paths resolve against. */
  dir: string;
  doc: LMap;
}

/** Reads another file named by `extends.file` (cached by the caller); undefined when it cannot be read. */
export type ExtendsFileReader = (abs: string, from: SourceLocation) => LoadedFile | undefined;

/**
 * Replaces every `extends` in the services of `file` by the service it names (in the same file or in
 * `extends.file`), merged under the extending service with the file-merge rules. Chains are followed;
 * cycles and unknown services are reported at the `extends` that names them.
 */
export function resolveExtends(
  file: LoadedFile,
  readFile: ExtendsFileReader,
  problems: SpecProblem[],
  earlier?: LMap,
): LMap {
  const services = child(file.doc, 'services');
  if (services?.kind !== 'map') return file.doc;
  const ctx: Context = { memo: new Map(), readFile, problems, earlier };
  const out = new Map<string, LEntry>();
  for (const [name, entry] of services.entries) {
    if (entry.value.kind !== 'map' || !entry.value.entries.has('extends')) out.set(name, entry);
    else
      out.set(name, {
        keyLoc: entry.keyLoc,
        value: resolveService(file, name, [], ctx),
      });
  }
  const entries = new Map(file.doc.entries);
  const servicesEntry = file.doc.entries.get('services') as LEntry;
  entries.set('services', { keyLoc: servicesEntry.keyLoc, value: lmap(services.loc, out) });
  return { ...file.doc, entries };
}

interface Context {
  memo: Map<string, LMap>;
  readFile: ExtendsFileReader;
  problems: SpecProblem[];
  /** The files merged before this one: a service of an override file may extend a service of the base file. */
  earlier?: LMap;
}

function resolveService(file: LoadedFile, name: string, chain: string[], ctx: Context): LMap {
  const { memo, readFile, problems } = ctx;
  const id = `${file.abs}#${name}`;
  const done = memo.get(id);
  if (done) return done;
  const found = child(child(file.doc, 'services'), name);
  // `base:` with nothing under it is an empty service.
  const svc = found?.kind === 'map' ? found : lmap(found?.loc ?? file.doc.loc);
  const extEntry = svc.entries.get('extends');
  const own = withoutKey(svc, 'extends');
  if (!extEntry) return svc;
  const path0 = ['services', name, 'extends'];
  const ext = extEntry.value;
  const fail = (location: SourceLocation, message: string, sub: (string | number)[] = []): LMap => {
    problems.push({ location, path: [...path0, ...sub], message });
    memo.set(id, own);
    return own;
  };

  const baseName =
    ext.kind === 'map' ? scalarText(ext.entries.get('service')?.value ?? ext) : scalarText(ext);
  if (!baseName || (ext.kind === 'map' && !ext.entries.has('service'))) {
    return fail(
      ext.loc,
      'extends needs the name of a service (extends: NAME or extends: {service: NAME, file: PATH})',
    );
  }
  let target = file;
  const fileNode = ext.kind === 'map' ? ext.entries.get('file')?.value : undefined;
  if (fileNode) {
    const rel = scalarText(fileNode);
    if (!rel) return fail(fileNode.loc, 'extends.file must be a path', ['file']);
    const abs = path.resolve(file.dir, rel);
    const loaded = abs === file.abs ? file : readFile(abs, fileNode.loc);
    if (!loaded) {
      // The reader has already reported why (missing file, YAML error).
      memo.set(id, own);
      return own;
    }
    target = loaded;
  }
  const baseId = `${target.abs}#${baseName}`;
  const serviceNode = ext.kind === 'map' ? (ext.entries.get('service')?.value ?? ext) : ext;
  if ([...chain, id].includes(baseId)) {
    const names = [...chain, id, baseId].slice([...chain, id].indexOf(baseId)).map((s) => s.split('#').pop());
    return fail(
      serviceNode.loc,
      `extends cycle: ${names.join(' → ')}`,
      ext.kind === 'map' ? ['service'] : [],
    );
  }
  const base = child(child(target.doc, 'services'), baseName);
  if (base === undefined && target === file && chain.length === 0) {
    const before = child(child(ctx.earlier, 'services'), baseName);
    if (before?.kind === 'map') {
      const merged = mergeService(before, own, name);
      memo.set(id, merged);
      return merged;
    }
  }
  if (base === undefined) {
    const where = target === file ? '' : ` in ${path.basename(target.abs)}`;
    const known = child(target.doc, 'services');
    const hint = known?.kind === 'map' ? ` (services: ${[...known.entries.keys()].join(', ')})` : '';
    return fail(
      serviceNode.loc,
      `extends names service "${baseName}", which is not defined${where}${hint}`,
      ext.kind === 'map' ? ['service'] : [],
    );
  }
  let resolved = resolveService(target, baseName, [...chain, id], ctx);
  if (target.dir !== file.dir) resolved = rebaseService(resolved, target.dir);
  const merged = mergeService(resolved, own, name);
  memo.set(id, merged);
  return merged;
}

function withoutKey(node: LMap, key: string): LMap {
  const entries = new Map(node.entries);
  entries.delete(key);
  return { ...node, entries };
}
