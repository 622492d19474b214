/**
 * Orders strings by UTF-16 code units, as the default sort does. Not `localeCompare`: its first call
 * loads ICU's collator, which cost ~18 ms of a command's start here (measured on a no-op `up`), and the
 * names tsstack sorts (services, containers, networks, volumes, timestamps) need no locale rules.
 */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
