// E2E helper: the differences between `tsstack config` and `docker compose config` that tsstack keeps on
// purpose. Each one is listed, with its reason, in docs/spec-loading.md ("Deliberate differences"); the
// differential test forgives exactly these and nothing else.
import path from 'node:path';
import type { Json } from '../../unit/spec/helpers/compose-canonical.js';

type JsonMap = { [key: string]: Json };

/** Both canonical documents with the deliberate differences taken out (Compose's side made like tsstack's). */
export function forgiveDeliberate(tsstack: Json, compose: Json): Json {
  const services = (doc: Json): JsonMap => (isMap(doc) && isMap(doc.services) ? doc.services : {});
  const ours = services(tsstack);
  const copy = structuredClone(compose);
  for (const [name, svc] of Object.entries(services(copy))) {
    if (!isMap(svc)) continue;
    const mine = isMap(ours[name]) ? ours[name] : {};
    absoluteBindSources(svc);
    for (const key of ['command', 'entrypoint']) shellOperators(svc, mine, key);
    extensionLikeLabels(svc, mine);
    for (const key of ['labels', 'environment', 'annotations', 'sysctls']) goNumbers(svc, mine, key);
  }
  return copy;
}

/**
 * Go's YAML reader (Compose) takes more plain scalars for numbers than YAML 1.2 does: `1_000`, `0_`, `0b10`,
 * `0o17` with underscores, and prints them back in Go's spelling (`1000`, `0`, `2`). tsstack keeps YAML 1.2's
 * reading, where they are text. Forgiven when Compose's value is the number Go reads in tsstack's text.
 */
function goNumbers(svc: JsonMap, mine: JsonMap, key: string): void {
  const ours = mine[key];
  const theirs = svc[key];
  if (!isMap(ours) || !isMap(theirs)) return;
  for (const [k, v] of Object.entries(ours)) {
    const t = theirs[k];
    if (typeof v !== 'string' || typeof t !== 'string' || v === t) continue;
    const n = goNumber(v);
    if (n !== undefined && n === Number(t)) theirs[k] = v;
  }
}

/** The number Go's YAML reader makes of a plain scalar, or undefined when it reads text. */
export function goNumber(text: string): number | undefined {
  if (!/^[-+.0-9]/.test(text)) return undefined;
  const plain = text.replaceAll('_', '');
  const m = /^([-+]?)(0b[01]+|0o[0-7]+|0x[0-9a-fA-F]+|0[0-7]+|[0-9]+)$/.exec(plain);
  if (m) {
    const digits = m[2] as string;
    const value = /^0[0-7]/.test(digits) ? parseInt(digits, 8) : Number(digits);
    return m[1] === '-' ? -value : value;
  }
  return /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/.test(plain) ? Number(plain) : undefined;
}

/** tsstack cleans every host path (`/var/lib/docker/` → `/var/lib/docker`); Compose only the relative ones. */
function absoluteBindSources(svc: JsonMap): void {
  if (!Array.isArray(svc.volumes)) return;
  for (const v of svc.volumes) {
    if (isMap(v) && v.type === 'bind' && typeof v.source === 'string' && v.source.startsWith('/'))
      v.source = path.posix.resolve(v.source);
  }
}

const OPERATOR = /[;&|<>]/;

/**
 * Compose v2 splits a command string only up to the first unquoted shell operator (`&&`, `;`, `|`, `<`, `>`)
 * and drops the rest; tsstack keeps every word, as docker-compose 1.x did. Forgiven when Compose's words
 * are tsstack's cut at an operator.
 */
function shellOperators(svc: JsonMap, mine: JsonMap, key: string): void {
  const theirs = Array.isArray(svc[key]) ? svc[key].map(String) : [];
  const ours = Array.isArray(mine[key]) ? mine[key].map(String) : undefined;
  if (ours && cutAtOperator(ours, theirs)) svc[key] = mine[key] as Json;
}

function cutAtOperator(ours: string[], theirs: string[]): boolean {
  const n = theirs.length;
  if (ours.length < n || theirs.slice(0, -1).some((w, i) => w !== ours[i])) return false;
  if (n === 0) return OPERATOR.test((ours[0] ?? '').charAt(0));
  const [a, b] = [ours[n - 1] as string, theirs[n - 1] as string];
  if (a === b) return OPERATOR.test((ours[n] ?? '').charAt(0));
  return a.startsWith(b) && OPERATOR.test(a.charAt(b.length));
}

/** Compose reads a label key starting with `x-` as an extension of the labels mapping and loses it. */
function extensionLikeLabels(svc: JsonMap, mine: JsonMap): void {
  const ours = mine.labels;
  if (!isMap(ours) || !Object.keys(ours).some((k) => k.startsWith('x-'))) return;
  const labels: JsonMap = isMap(svc.labels) ? { ...svc.labels } : {};
  delete labels['#extensions'];
  for (const [k, v] of Object.entries(ours)) if (k.startsWith('x-')) labels[k] = v;
  svc.labels = Object.fromEntries(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/**
 * Why one side may refuse a stack the other accepts. tsstack refuses at load what Compose only fails on at
 * `up` (host ports, two mounts at one container path), a `$` that starts no variable, and a list entry written
 * twice where the specification says entries are unique (Compose v2 drops the copy); Compose refuses a required dependency on a service its
 * profiles disable, which tsstack enables.
 */
export const TSSTACK_ONLY_REFUSALS: RegExp[] = [
  /host port \S+ is fixed but the service has \d+ replicas/,
  /host port \S+ is already published by/,
  /invalid interpolation format in /,
  /duplicate entry .* \(same as item \d+\)/,
  /container path "[^"]*" is already mounted by /,
];

export const COMPOSE_ONLY_REFUSALS: RegExp[] = [/depends on undefined service/];

function isMap(value: Json | undefined): value is JsonMap {
  return value !== null && value !== undefined && typeof value === 'object' && !Array.isArray(value);
}
