/** Kubernetes naming rules (DNS-1035 labels, IANA port names, label keys and values) and a table that keeps names unique. */

/** Service names must be DNS-1035 labels: lowercase letters, digits and '-', starting with a letter. */
export const DNS_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
/** Namespaces (and pod hostnames) are DNS-1123 labels: they may start with a digit. */
export const DNS_1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** IANA_SVC_NAME: at most 15 characters, at least one letter, no leading, trailing or double '-'. */
export const PORT_NAME = /^(?=.*[a-z])[a-z0-9]+(-[a-z0-9]+)*$/;
const LABEL_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** Environment variable names the API server accepts on every version (C identifiers plus '-' and '.'). */
export const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

/** Longest name a workload may have: StatefulSet pods add `-<ordinal>` and revisions add an 11-character hash. */
export const WORKLOAD_NAME_MAX = 52;

/** Turns any Compose name into a DNS-1035 label of at most `max` characters (`my_app.v2` → `my-app-v2`). */
export function toDnsLabel(name: string, max = 63): string {
  let s = name
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-+|-+$/g, '');
  if (s === '') s = 'unnamed';
  if (!/^[a-z]/.test(s)) s = `x-${s}`;
  return s.slice(0, max).replace(/-+$/, '');
}

/** A valid port name from a user's name, or undefined when nothing usable is left. */
export function toPortName(name: string): string | undefined {
  const s = name
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 15)
    .replace(/-+$/, '');
  return PORT_NAME.test(s) ? s : undefined;
}

/** True when `key` is a valid label or annotation key (`[prefix/]name`). */
export function isLabelKey(key: string): boolean {
  const slash = key.lastIndexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined && (prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix))) return false;
  return name.length <= 63 && LABEL_NAME.test(name);
}

/** True when `value` may be a label value (selectors can use it); other values can only be annotations. */
export function isLabelValue(value: string): boolean {
  return value === '' || (value.length <= 63 && LABEL_NAME.test(value));
}

/** Hands out names that are unique within one scope, suffixing `-2`, `-3` on a clash. */
export class NameTable {
  private readonly used = new Set<string>();

  constructor(private readonly max = 63) {}

  /** Reserves `wanted` (already valid) or the first free suffixed form of it. */
  claim(wanted: string): string {
    let name = wanted;
    for (let n = 2; this.used.has(name); n++) {
      const suffix = `-${n}`;
      name = `${wanted.slice(0, this.max - suffix.length).replace(/-+$/, '')}${suffix}`;
    }
    this.used.add(name);
    return name;
  }

  has(name: string): boolean {
    return this.used.has(name);
  }
}
