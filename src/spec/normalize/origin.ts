// Which list entry of the source a normalized item came from. Short syntax can expand one entry into several
// (port ranges) and invalid entries are dropped, so indexes of the normalized lists do not match the source.
const origins = new WeakMap<object, number>();

/** Remembers that `item` was built from entry `index` of its source list. */
export function setOrigin<T extends object>(item: T, index: number): T {
  origins.set(item, index);
  return item;
}

/** The source index `item` was built from, if known. */
export function originOf(item: object): number | undefined {
  return origins.get(item);
}
