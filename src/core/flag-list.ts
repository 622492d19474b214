/** A list of flags from an environment variable: unset, `defaults`; set, its words (empty: none). */
export function flagList(raw: string | undefined, defaults: readonly string[]): readonly string[] {
  return raw === undefined ? defaults : raw.split(/\s+/).filter((f) => f !== '');
}
