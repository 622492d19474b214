/**
 * A bounded, persistent log buffer: appending returns a new buffer and never changes what an older buffer
 * shows, so the store's fold stays pure, yet an append costs O(1) amortized (no copying of the whole ring).
 *
 * Lines live in fixed-size chunks. An older buffer remembers how many lines of the last chunk it owns
 * (`lastLen`); appending pushes onto the shared chunk only when nobody appended past that point before,
 * otherwise it copies the one chunk. When the buffer holds a whole chunk more than its capacity, the oldest
 * chunk is dropped, so memory stays flat however long the stack runs.
 */

export interface LogEntry {
  /** Monotonic sequence number across the store, for scrollback anchoring and React keys. */
  seq: number;
  service: string;
  replica: number;
  stream: 'stdout' | 'stderr';
  message: string;
  time: number;
}

export interface LogBuffer {
  readonly chunks: readonly LogEntry[][];
  /** Lines of the last chunk this buffer owns. */
  readonly lastLen: number;
  /** Lines this buffer shows (sum over chunks, the last counted up to lastLen). */
  readonly size: number;
  readonly capacity: number;
  readonly chunkSize: number;
}

/** An empty buffer keeping between `capacity` and `capacity` + capacity/8 (at most 256) lines. */
export function emptyLogBuffer(capacity: number): LogBuffer {
  const cap = Math.max(1, Math.floor(capacity));
  const chunkSize = Math.min(256, Math.max(1, Math.ceil(cap / 8)));
  return { chunks: [], lastLen: 0, size: 0, capacity: cap, chunkSize };
}

/** Returns a buffer with `entry` appended; `buf` itself still shows what it showed before. */
export function appendLog(buf: LogBuffer, entry: LogEntry): LogBuffer {
  let chunks = buf.chunks;
  let lastLen = buf.lastLen;
  const last = chunks[chunks.length - 1];
  if (last && lastLen < buf.chunkSize) {
    if (last.length === lastLen) {
      last.push(entry);
    } else {
      // Someone already appended to this chunk from the same state: branch with a copy.
      const copy = last.slice(0, lastLen);
      copy.push(entry);
      chunks = [...chunks.slice(0, -1), copy];
    }
    lastLen += 1;
  } else {
    chunks = [...chunks, [entry]];
    lastLen = 1;
  }
  let size = buf.size + 1;
  const first = chunks[0];
  if (first && chunks.length > 1 && size - first.length >= buf.capacity) {
    chunks = chunks.slice(1);
    size -= first.length;
  }
  return { chunks, lastLen, size, capacity: buf.capacity, chunkSize: buf.chunkSize };
}

/** The lines of a buffer, oldest first. */
export function logLines(buf: LogBuffer): LogEntry[] {
  const out: LogEntry[] = [];
  const n = buf.chunks.length;
  for (let i = 0; i < n; i++) {
    const chunk = buf.chunks[i]!;
    const len = i === n - 1 ? buf.lastLen : chunk.length;
    for (let j = 0; j < len; j++) out.push(chunk[j]!);
  }
  return out;
}

/** The newest `count` lines ending `skip` lines before the newest, oldest first (for a scrolled pane). */
export function logWindow(
  buf: LogBuffer,
  count: number,
  skip = 0,
  match?: (e: LogEntry) => boolean,
): LogEntry[] {
  const out: LogEntry[] = [];
  let skipped = 0;
  for (let i = buf.chunks.length - 1; i >= 0 && out.length < count; i--) {
    const chunk = buf.chunks[i]!;
    const len = i === buf.chunks.length - 1 ? buf.lastLen : chunk.length;
    for (let j = len - 1; j >= 0 && out.length < count; j--) {
      const e = chunk[j]!;
      if (match && !match(e)) continue;
      if (skipped < skip) {
        skipped++;
        continue;
      }
      out.push(e);
    }
  }
  return out.reverse();
}
