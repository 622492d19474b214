import { lmap, lscalar, lseq, sameValue, scalarText, type LEntry, type LMap, type LNode } from './locate.js';
import type { PathSegment } from './types.js';

/**
 * How Compose merges one file over another:
 * - replace: the later value wins whole (`command`, `entrypoint`, `healthcheck.test`)
 * - keyed: list (`KEY=value`) or map form, merged by key (`environment`, `labels`, ...)
 * - named / networks: list of names or map of objects, merged by name (`depends_on`, service `networks`)
 * - target: sequences merged by container path (`volumes`, `secrets`, `configs`)
 * Without a rule, mappings merge recursively, sequences are appended without duplicates (`ports`, `dns`,
 * `cap_add`, ...) and scalars are replaced.
 */
type Rule = 'replace' | 'keyed' | 'hosts' | 'named' | 'networks' | 'target' | 'logging' | 'build';

const RULES: Record<string, Rule> = {
  'services.*.command': 'replace',
  'services.*.entrypoint': 'replace',
  'services.*.healthcheck.test': 'replace',
  'services.*.build': 'build',
  'services.*.logging': 'logging',
  'services.*.environment': 'keyed',
  'services.*.labels': 'keyed',
  'services.*.annotations': 'keyed',
  'services.*.sysctls': 'keyed',
  'services.*.build.args': 'keyed',
  'services.*.build.labels': 'keyed',
  'services.*.deploy.labels': 'keyed',
  'networks.*.labels': 'keyed',
  'volumes.*.labels': 'keyed',
  'secrets.*.labels': 'keyed',
  'configs.*.labels': 'keyed',
  'services.*.extra_hosts': 'hosts',
  'services.*.build.extra_hosts': 'hosts',
  'services.*.depends_on': 'named',
  'services.*.networks': 'networks',
  'services.*.volumes': 'target',
  'services.*.secrets': 'target',
  'services.*.configs': 'target',
};

/** The same rules for a host process under `x-tsstack.processes` (its `build` is a command: replaced). */
const PROCESS_RULES: Record<string, Rule> = {
  command: 'replace',
  build: 'replace',
  'healthcheck.test': 'replace',
  environment: 'keyed',
  depends_on: 'named',
};

function ruleFor(path: readonly PathSegment[]): Rule | undefined {
  if (path.length < 2) return undefined;
  if (path[0] === 'x-tsstack' && path[1] === 'processes' && path.length > 3)
    return PROCESS_RULES[path.slice(3).join('.')];
  if (path[0] === 'services' && path[2] === 'x-tsstack' && path[3] === 'depends_on' && path.length === 4)
    return 'named';
  const pattern = path.map((seg, i) => (i === 1 ? '*' : String(seg))).join('.');
  return RULES[pattern];
}

/** Merges a later stack file over an earlier one. */
export function mergeDocuments(base: LMap, over: LMap): LMap {
  return mergeMaps(base, over, []);
}

/** Merges a service over the service it extends (same rules as merging files). */
export function mergeService(base: LMap, over: LMap, name: string): LMap {
  return mergeMaps(base, over, ['services', name]);
}

function mergeMaps(base: LMap, over: LMap, path: PathSegment[]): LMap {
  const entries = new Map<string, LEntry>(base.entries);
  for (const [key, entry] of over.entries) {
    const before = base.entries.get(key);
    const merged = before ? mergeValue(before.value, entry.value, [...path, key]) : withoutReset(entry.value);
    if (merged === undefined) entries.delete(key);
    else entries.set(key, { keyLoc: before?.keyLoc ?? entry.keyLoc, value: merged });
  }
  return { ...lmap(base.loc, entries) };
}

function withoutReset(node: LNode): LNode | undefined {
  return node.tag === 'reset' ? undefined : node;
}

/** The merged value, or undefined when the later file resets the key with `!reset`. */
export function mergeValue(base: LNode, over: LNode, path: PathSegment[]): LNode | undefined {
  if (over.tag === 'reset') return undefined;
  if (over.tag === 'override') return over;
  const rule = ruleFor(path);
  switch (rule) {
    case 'replace':
      return over;
    case 'keyed':
      return mergeKeyed(base, over, path, 'kv');
    case 'hosts':
      if (base.kind === 'seq' && over.kind === 'seq') return appendUnique(base, over);
      return mergeKeyed(base, over, path, 'hosts');
    case 'named':
    case 'networks':
      if (base.kind === 'seq' && over.kind === 'seq') return appendUnique(base, over);
      return mergeKeyed(base, over, path, rule === 'named' ? 'depends' : 'names');
    case 'target':
      return mergeByTarget(base, over, path);
    case 'logging':
      return mergeLogging(base, over, path);
    case 'build':
      return mergeDefault(buildAsMap(base), buildAsMap(over), path);
    case undefined:
      return mergeDefault(base, over, path);
  }
}

function mergeDefault(base: LNode, over: LNode, path: PathSegment[]): LNode {
  if (base.kind === 'map' && over.kind === 'map') return mergeMaps(base, over, path);
  // `web:` with nothing under it in a later file changes nothing (use !reset to remove).
  if (base.kind === 'map' && over.kind === 'scalar' && over.value === null) return base;
  if (base.kind === 'seq' && over.kind === 'seq') return appendUnique(base, over);
  // Fields that take a string or a list (`dns: 8.8.8.8`) append when either side is a list.
  if ((base.kind === 'seq' && over.kind === 'scalar') || (base.kind === 'scalar' && over.kind === 'seq')) {
    if (isOneOrMany(path)) return appendUnique(base, over);
  }
  return over;
}

const ONE_OR_MANY = new Set(['dns', 'dns_search', 'tmpfs', 'env_file', 'label_file', 'cap_add', 'cap_drop']);

function isOneOrMany(path: PathSegment[]): boolean {
  return path.length === 3 && path[0] === 'services' && ONE_OR_MANY.has(String(path[2]));
}

function asItems(node: LNode): LNode[] {
  return node.kind === 'seq' ? node.items : [node];
}

function appendUnique(base: LNode, over: LNode): LNode {
  const items = [...asItems(base)];
  for (const item of asItems(over)) if (!items.some((x) => sameValue(x, item))) items.push(item);
  return lseq(base.loc, items);
}

type ListForm = 'kv' | 'hosts' | 'names' | 'depends';

/** A list-or-map field as a map: `KEY=value` → KEY: value, `KEY` → KEY: null, a name → name: {...}. */
export function keyedAsMap(node: LNode, form: ListForm): LMap | undefined {
  if (node.kind === 'map') return node;
  if (node.kind !== 'seq') return undefined;
  const out = lmap(node.loc);
  for (const item of node.items) {
    const text = scalarText(item);
    if (text === undefined) return undefined;
    const [key, value] = splitItem(text, form, item);
    out.entries.set(key, { keyLoc: item.loc, value });
  }
  return out;
}

function splitItem(text: string, form: ListForm, item: LNode): [string, LNode] {
  if (form === 'names') return [text, lscalar(item.loc, null)];
  if (form === 'depends') {
    const value = lmap(item.loc);
    value.entries.set('condition', { keyLoc: item.loc, value: lscalar(item.loc, 'service_started') });
    return [text, value];
  }
  let sep = text.indexOf('=');
  if (sep < 0 && form === 'hosts') sep = text.indexOf(':');
  if (sep < 0) return [text, lscalar(item.loc, null)];
  return [text.slice(0, sep), lscalar(item.loc, text.slice(sep + 1))];
}

function mergeKeyed(base: LNode, over: LNode, path: PathSegment[], form: ListForm): LNode {
  const b = keyedAsMap(base, form);
  const o = keyedAsMap(over, form);
  if (!b || !o) return over;
  const entries = new Map<string, LEntry>(b.entries);
  for (const [key, entry] of o.entries) {
    const before = b.entries.get(key);
    const value = before
      ? mergeEntryValue(before.value, entry.value, [...path, key])
      : withoutReset(entry.value);
    if (value === undefined) entries.delete(key);
    else entries.set(key, { keyLoc: before?.keyLoc ?? entry.keyLoc, value });
  }
  return lmap(b.loc, entries);
}

function mergeEntryValue(base: LNode, over: LNode, path: PathSegment[]): LNode | undefined {
  if (over.tag === 'reset') return undefined;
  if (base.kind === 'map' && over.kind === 'map' && over.tag !== 'override')
    return mergeMaps(base, over, path);
  // A network listed by name (null) keeps the options given elsewhere.
  if (over.kind === 'scalar' && over.value === null && base.kind === 'map') return base;
  return over;
}

/** The container path a volume / secret / config entry is keyed by. */
export function targetKey(item: LNode, field: string): string {
  if (item.kind === 'map') {
    const target = scalarText(item.entries.get('target')?.value ?? lscalar(item.loc, null));
    if (target) return target;
    return `source:${scalarText(item.entries.get('source')?.value ?? lscalar(item.loc, null)) ?? ''}`;
  }
  const text = scalarText(item) ?? '';
  if (field !== 'volumes') return `source:${text}`;
  const parts = text.split(':');
  return parts.length === 1 ? (parts[0] as string) : (parts[1] as string);
}

function mergeByTarget(base: LNode, over: LNode, path: PathSegment[]): LNode {
  if (base.kind !== 'seq' || over.kind !== 'seq') return over;
  const field = String(path[2]);
  const items = [...base.items];
  for (const item of over.items) {
    const key = targetKey(item, field);
    const at = items.findIndex((x) => targetKey(x, field) === key);
    if (at >= 0) items[at] = item;
    else items.push(item);
  }
  return lseq(base.loc, items);
}

function mergeLogging(base: LNode, over: LNode, path: PathSegment[]): LNode {
  if (base.kind !== 'map' || over.kind !== 'map') return over;
  const driver = (n: LMap) => scalarText(n.entries.get('driver')?.value ?? lscalar(n.loc, null));
  const bd = driver(base);
  const od = driver(over);
  // Options of one logging driver mean nothing to another.
  if (bd && od && bd !== od) return over;
  return mergeMaps(base, over, path);
}

function buildAsMap(node: LNode): LNode {
  if (node.kind !== 'scalar') return node;
  const out = lmap(node.loc);
  out.entries.set('context', { keyLoc: node.loc, value: node });
  return out;
}
