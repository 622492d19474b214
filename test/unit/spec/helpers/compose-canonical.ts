// Test helper: the canonical form in which `tsstack config --format json` and `docker compose config --format
// json` are compared (docs/spec-loading.md, "Differential test against Compose"). Pure: JSON in, JSON out.
// Each rule removes a difference of spelling only, never of meaning; differences of meaning stay visible.

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonMap = { [key: string]: Json };

/** Maps keyed by a name: an entry is kept even when its value is null or empty (as `{}`). */
const NAMED = new Set([
  'services',
  'networks',
  'volumes',
  'secrets',
  'configs',
  'services.*.networks',
  'services.*.depends_on',
  'services.*.ulimits',
]);

/** Maps of user values: kept as written, `KEY: null` ("no value") included. */
const VALUES = new Set([
  'services.*.environment',
  'services.*.labels',
  'services.*.annotations',
  'services.*.sysctls',
  'services.*.build.args',
  'services.*.build.labels',
  'services.*.logging.options',
  'services.*.deploy.labels',
  'networks.*.labels',
  'networks.*.driver_opts',
  'volumes.*.labels',
  'volumes.*.driver_opts',
  'secrets.*.labels',
  'configs.*.labels',
]);

/** Keys holding a Go duration (`1m30s`); compared as milliseconds, zero the same as absent. */
const DURATIONS = new Set([
  'interval',
  'timeout',
  'start_period',
  'start_interval',
  'stop_grace_period',
  'delay',
  'window',
  'monitor',
]);

/** Keys holding a byte count: Compose prints it as a string of digits, tsstack as a number; zero as absent. */
const BYTES = new Set(['mem_limit', 'mem_reservation', 'memswap_limit', 'shm_size', 'memory', 'size']);

/** Booleans whose default is true: `false` is kept for them and dropped everywhere else. */
const TRUE_BY_DEFAULT = new Set(['required']);

/** The canonical form of a `config --format json` document (see the rules in docs/spec-loading.md). */
export function canonicalProject(doc: Json): Json {
  if (!isMap(doc)) return doc;
  const out: JsonMap = {};
  for (const key of Object.keys(doc).sort()) {
    // Top-level extensions are compared as written.
    const value = key.startsWith('x-') ? doc[key] : canonical(doc[key] as Json, [key]);
    if (value !== undefined) out[key] = value;
  }
  return out;
}

function canonical(value: Json, path: string[]): Json | undefined {
  const at = pattern(path);
  const key = path[path.length - 1] as string;
  if (value === null) return undefined;
  if (typeof value === 'boolean') return value || TRUE_BY_DEFAULT.has(key) ? value : undefined;
  if (typeof value === 'string' || typeof value === 'number') return scalar(value, key, at);
  if (Array.isArray(value)) {
    const items = value.map((v, i) => listItem(v, at, path, i)).filter((v): v is Json => v !== undefined);
    // Compose v2 keeps extra_hosts as a map by host name: its order is by host, the IPs of one host in order.
    if (at.endsWith('extra_hosts')) items.sort((a, b) => compare(host(a), host(b)));
    // Compose expands a port range through a Go map, so its order changes from run to run; order means nothing.
    if (at === 'services.*.ports') items.sort((a, b) => compare(JSON.stringify(a), JSON.stringify(b)));
    return items.length > 0 ? items : undefined;
  }
  if (VALUES.has(at)) return Object.keys(value).length > 0 ? sorted(value) : undefined;
  if (at === 'services.*.healthcheck' && isDisabled(value)) return { disable: true };
  if (at === 'services.*') value = withoutDefaultScale(value);
  if (at === 'services.*.secrets.[]' || at === 'services.*.configs.[]') value = withFullTarget(value, at);
  const named = NAMED.has(at);
  const out: JsonMap = {};
  for (const k of Object.keys(value).sort()) {
    // Compose's JSON output leaves out `x-*` keys below the top level (its YAML output keeps them).
    if (k.startsWith('x-')) continue;
    let v = value[k] as Json;
    if (at === 'services.*.ulimits' && typeof v === 'number') v = { soft: v, hard: v };
    const c = canonical(v, [...path, k]);
    if (c !== undefined) out[k] = c;
    else if (named) out[k] = {};
  }
  return Object.keys(out).length > 0 || named ? out : undefined;
}

function scalar(value: string | number, key: string, at: string): Json | undefined {
  if (DURATIONS.has(key)) {
    const ms = typeof value === 'number' ? value * 1000 : goDuration(value);
    return ms === 0 ? undefined : (ms ?? value);
  }
  if (BYTES.has(key)) {
    const bytes = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
    // Zero is Compose's "not set", and the engine reads it the same way (no limit, default size).
    return bytes === 0 ? undefined : bytes;
  }
  if (at === 'services.*.build.dockerfile' && value === 'Dockerfile') return undefined;
  if (at === 'services.*.ports.[].mode' && value === 'ingress') return undefined;
  if (at.endsWith('.devices.[].count') && value === 'all') return -1;
  if (/\.deploy\.(update_config|rollback_config)\.[a-z_]+$/.test(at) && UPDATE_DEFAULTS[key] === value)
    return undefined;
  return value;
}

/** Docker's defaults of `deploy.update_config` and `deploy.rollback_config`, which tsstack prints. */
const UPDATE_DEFAULTS: Record<string, Json> = {
  parallelism: 1,
  order: 'stop-first',
  failure_action: 'pause',
};

/** A secret's target relative to `/run/secrets/`, a config's to `/`, and a config's default `/SOURCE`. */
function withFullTarget(ref: JsonMap, at: string): JsonMap {
  const base = at.startsWith('services.*.secrets') ? '/run/secrets/' : '/';
  const target = typeof ref.target === 'string' && ref.target !== '' ? ref.target : ref.source;
  if (typeof target !== 'string') return ref;
  return { ...ref, target: target.startsWith('/') ? target : `${base}${target}` };
}

function host(entry: Json): string {
  return typeof entry === 'string' ? (entry.split('=')[0] ?? '') : '';
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function listItem(value: Json, at: string, path: string[], i: number): Json | undefined {
  if (at.endsWith('extra_hosts') && typeof value === 'string') return extraHost(value);
  if (at === 'services.*.devices' && typeof value === 'string') return device(value);
  return canonical(value, [...path, `[${i}]`]);
}

/** `host:ip` (tsstack, docker-compose 1.x) and `host=ip` (Compose v2) as `host=ip`. */
function extraHost(entry: string): string {
  const eq = entry.indexOf('=');
  const colon = entry.indexOf(':');
  const cut = eq >= 0 ? eq : colon;
  return cut < 0 ? entry : `${entry.slice(0, cut)}=${entry.slice(cut + 1)}`;
}

/** `SOURCE[:TARGET][:PERMISSIONS]` in Compose v2's long form. */
function device(entry: string): Json {
  const parts = entry.split(':');
  const [source = '', second, third] = parts;
  if (parts.length === 2 && /^[rwm]+$/.test(second as string))
    return { permissions: second as string, source, target: source };
  return { permissions: third ?? 'rwm', source, target: second ?? source };
}

/** `scale: 1` is the default, and a `scale` equal to `deploy.replicas` says it twice. */
function withoutDefaultScale(service: JsonMap): JsonMap {
  const replicas = isMap(service.deploy ?? null) ? (service.deploy as JsonMap).replicas : undefined;
  if (service.scale !== 1 && (service.scale === undefined || service.scale !== replicas)) return service;
  const { scale: _scale, ...rest } = service;
  return rest;
}

function isDisabled(h: JsonMap): boolean {
  const test = h.test;
  return h.disable === true || (Array.isArray(test) && test[0] === 'NONE');
}

/** A Go duration (`1h2m3.5s`, `500ms`, `0s`) in milliseconds; undefined when it is not one. */
export function goDuration(text: string): number | undefined {
  const units: Record<string, number> = {
    ns: 1e-6,
    us: 1e-3,
    µs: 1e-3,
    ms: 1,
    s: 1000,
    m: 60_000,
    h: 3_600_000,
  };
  if (text === '0') return 0;
  const part = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/gy;
  let total = 0;
  let end = 0;
  for (let m = part.exec(text); m; m = part.exec(text)) {
    total += Number(m[1]) * (units[m[2] as string] as number);
    end = part.lastIndex;
  }
  return end === text.length && end > 0 ? Math.round(total * 1e6) / 1e6 : undefined;
}

/** `services.web.ports.0.mode` → `services.*.ports.[].mode`: names and indexes replaced by wildcards. */
function pattern(path: string[]): string {
  const out: string[] = [];
  for (const seg of path) {
    if (seg.startsWith('[')) out.push('[]');
    else if (NAMED.has(out.join('.'))) out.push('*');
    else out.push(seg);
  }
  return out.join('.');
}

function sorted(map: JsonMap): JsonMap {
  const out: JsonMap = {};
  for (const k of Object.keys(map).sort()) out[k] = map[k] as Json;
  return out;
}

function isMap(value: Json | undefined): value is JsonMap {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
