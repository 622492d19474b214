/**
 * A cache of parsed stack files, keyed by their content, so that running tsstack again on a large file
 * that has not changed skips the YAML parse.
 *
 * Why: parsing with the `yaml` package keeping every position is most of what `config`/`up` spend on a
 * large stack (a 1,000-service file: ~0.6 s of CPU in a fresh process, measured in bench/spec), and a
 * no-op run should be instant. A hit decodes a compact JSON form of the located tree instead
 * (docs/spec-loading.md has the numbers).
 *
 * Safety: the key is a SHA-256 of the cache format, the tsstack and `yaml` versions, the name errors show
 * for the file and its full text, so any edit misses. Only files that parsed without a problem are
 * stored, only when they are larger than `minBytes` (4 KiB: smaller files parse in a few milliseconds even cold), and any
 * read or write failure falls back to parsing. `TSSTACK_NO_CACHE=1` turns it off; the folder is
 * `$TSSTACK_CACHE_DIR`, else `$XDG_CACHE_HOME/tsstack`, else `~/.cache/tsstack`; the newest
 * `MAX_ENTRIES` files are kept.
 */
import { createHash } from 'node:crypto';
import {
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { cacheDir } from '../core/cache-dir.js';
import { VERSION } from '../core/version.js';
import type { LEntry, LNode, MergeTag, ScalarValue } from './locate.js';
import type { SourceLocation } from './types.js';
import { parseYaml, type ParsedYaml } from './yaml.js';

const FORMAT = 1;
const MAX_ENTRIES = 16;
/** Files smaller than this are parsed every time. */
export const CACHE_MIN_BYTES = 4 * 1024;

/** The bundle script defines it (`yaml` is bundled with the CLI); elsewhere it is not defined. */
declare const TSSTACK_YAML_VERSION: string | undefined;

let yamlVersionRead: string | undefined;
/** The installed `yaml` package's version, read when a file is first big enough to cache (not at start-up). */
function yamlVersion(): string {
  if (yamlVersionRead === undefined) {
    // Resolving the package costs about 2 ms; the bundle knows the version it was built with.
    if (typeof TSSTACK_YAML_VERSION === 'string') return (yamlVersionRead = TSSTACK_YAML_VERSION);
    try {
      yamlVersionRead = (createRequire(import.meta.url)('yaml/package.json') as { version: string }).version;
    } catch {
      yamlVersionRead = 'unknown';
    }
  }
  return yamlVersionRead;
}

export interface ParseCacheOptions {
  env?: NodeJS.ProcessEnv;
  /** Overrides CACHE_MIN_BYTES (tests). */
  minBytes?: number;
}

export { cacheDir };

/** parseYaml, answered from the cache when the same text was parsed before. */
export function parseYamlCached(text: string, file: string, options: ParseCacheOptions = {}): ParsedYaml {
  const dir = cacheDir(options.env);
  if (!dir || text.length < (options.minBytes ?? CACHE_MIN_BYTES)) return parseYaml(text, file);
  const key = createHash('sha256')
    .update(`${FORMAT}\0${VERSION}\0${yamlVersion()}\0${file}\0`)
    .update(text)
    .digest('hex');
  const entry = path.join(dir, `parse-${key}.json`);
  const hit = readEntry(entry, file);
  if (hit) return { node: hit, problems: [] };
  const parsed = parseYaml(text, file);
  if (parsed.node && parsed.problems.length === 0) writeEntry(dir, entry, encode(parsed.node));
  return parsed;
}

function readEntry(entry: string, file: string): ParsedYaml['node'] {
  let text: string;
  try {
    text = readFileSync(entry, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const node = decode(JSON.parse(text) as unknown[], file);
    return node.kind === 'map' ? node : undefined;
  } catch {
    return undefined; // a damaged entry: parse instead (and overwrite it)
  }
}

function writeEntry(dir: string, entry: string, data: unknown[]): void {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const tmp = `${entry}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(data), { mode: 0o600 });
    renameSync(tmp, entry);
    prune(dir);
  } catch {
    // A read-only or full disk only costs the next run its cache hit.
  }
}

function prune(dir: string): void {
  const entries = readdirSync(dir)
    .filter((f) => f.startsWith('parse-') && f.endsWith('.json'))
    .map((f) => {
      const p = path.join(dir, f);
      return { p, at: statSync(p).mtimeMs };
    })
    .sort((a, b) => b.at - a.at);
  for (const old of entries.slice(MAX_ENTRIES)) unlinkSync(old.p);
}

// The encoded form: one flat JSON array per node, nodes numbered in the order they are first written so
// that a node shared by YAML aliases is written once and referred to afterwards (the tree stays as small
// as the file, and decoding restores the sharing).
//   scalar: [0, line, col, tag, value, textCol]   map: [1, line, col, tag, key, keyLine, keyCol, node, ...]
//   seq:    [2, line, col, tag, node, ...]        reference to node n: [3, n]
// tag: 0 none, 1 reset, 2 override. The file name is not stored: it is part of the key.
const TAGS: (MergeTag | undefined)[] = [undefined, 'reset', 'override'];
const tagCode = (tag: MergeTag | undefined): number => (tag ? TAGS.indexOf(tag) : 0);

/** Exported for tests. */
export function encode(root: LNode): unknown[] {
  const ids = new Map<LNode, number>();
  const walk = (node: LNode): unknown[] => {
    const seen = ids.get(node);
    if (seen !== undefined) return [3, seen];
    ids.set(node, ids.size);
    const head = [node.loc.line, node.loc.col, tagCode(node.tag)];
    if (node.kind === 'scalar') return [0, ...head, node.value, node.textCol ?? -1];
    if (node.kind === 'seq') return [2, ...head, ...node.items.map(walk)];
    const out: unknown[] = [1, ...head];
    for (const [key, e] of node.entries) out.push(key, e.keyLoc.line, e.keyLoc.col, walk(e.value));
    return out;
  };
  return walk(root);
}

/** Exported for tests. Throws on anything malformed. */
export function decode(data: unknown[], file: string): LNode {
  const nodes: LNode[] = [];
  const loc = (line: unknown, col: unknown): SourceLocation => {
    if (typeof line !== 'number' || typeof col !== 'number') throw new Error('bad position');
    return { file, line, col };
  };
  const walk = (d: unknown): LNode => {
    if (!Array.isArray(d)) throw new Error('bad node');
    const kind = d[0] as number;
    if (kind === 3) {
      const n = nodes[d[1] as number];
      if (!n) throw new Error('bad reference');
      return n;
    }
    const at = loc(d[1], d[2]);
    const tag = TAGS[d[3] as number];
    if (kind === 0) {
      const value = d[4] as ScalarValue;
      if (value !== null && !['string', 'number', 'boolean'].includes(typeof value))
        throw new Error('bad scalar');
      const node: LNode = { kind: 'scalar', loc: at, value };
      if (tag) node.tag = tag;
      if (typeof d[5] === 'number' && d[5] >= 0) node.textCol = d[5];
      nodes.push(node);
      return node;
    }
    if (kind === 2) {
      const node: LNode = { kind: 'seq', loc: at, items: [] };
      if (tag) node.tag = tag;
      nodes.push(node);
      for (let i = 4; i < d.length; i++) node.items.push(walk(d[i]));
      return node;
    }
    if (kind !== 1) throw new Error('bad kind');
    const entries = new Map<string, LEntry>();
    const node: LNode = { kind: 'map', loc: at, entries };
    if (tag) node.tag = tag;
    nodes.push(node);
    for (let i = 4; i + 3 < d.length; i += 4) {
      entries.set(String(d[i]), { keyLoc: loc(d[i + 1], d[i + 2]), value: walk(d[i + 3]) });
    }
    return node;
  };
  return walk(data);
}
