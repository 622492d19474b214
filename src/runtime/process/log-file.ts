/**
 * Log files of host processes, one per replica under the state folder, bounded: when a file would pass
 * its size it becomes `<file>.1` (replacing the older one) and a new file starts, so a replica keeps at
 * most twice the bound on disk. A line is `<ISO time> <o|e> <message>`, so `logs -t`, `--since` and the
 * stream survive the supervisor that wrote them.
 */
import {
  closeSync,
  fstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  renameSync,
  statSync,
  writeSync,
} from 'node:fs';
import { dirname } from 'node:path';

export type LogStream = 'stdout' | 'stderr';

export interface LogLine {
  /** Unix ms. */
  time: number;
  stream: LogStream;
  message: string;
}

/** Default bound of one log file (bytes); TSSTACK_PROCESS_LOG_BYTES sets another. */
export const DEFAULT_LOG_BYTES = 5 * 1024 * 1024;

/** Buffered writes are flushed after this long, or at 64 KiB. */
const FLUSH_MS = 100;
const FLUSH_BYTES = 64 * 1024;

/** Appends log lines to a file in batches and rotates it at `maxBytes`. */
export class LogWriter {
  private fd: number | undefined;
  private size = 0;
  private pending: string[] = [];
  private pendingBytes = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    readonly path: string,
    private readonly maxBytes = DEFAULT_LOG_BYTES,
  ) {}

  write(stream: LogStream, time: number, message: string): void {
    const line = `${new Date(time).toISOString()} ${stream === 'stderr' ? 'e' : 'o'} ${message}\n`;
    this.pending.push(line);
    this.pendingBytes += line.length;
    if (this.pendingBytes >= FLUSH_BYTES) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), FLUSH_MS).unref();
  }

  /** Writes what is buffered, rotating whenever the next lines would pass the file's bound. */
  flush(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.length === 0) return;
    const lines = this.pending;
    this.pending = [];
    this.pendingBytes = 0;
    try {
      if (this.fd === undefined) this.open();
      let chunk = '';
      let chunkBytes = 0;
      for (const line of lines) {
        const bytes = Buffer.byteLength(line);
        if (this.size + chunkBytes + bytes > this.maxBytes && this.size + chunkBytes > 0) {
          this.append(chunk, chunkBytes);
          chunk = '';
          chunkBytes = 0;
          this.rotate();
        }
        chunk += line;
        chunkBytes += bytes;
      }
      this.append(chunk, chunkBytes);
    } catch {
      // A full or vanished disk loses log lines, never the process.
      this.closeFd();
    }
  }

  private append(text: string, bytes: number): void {
    if (bytes === 0) return;
    writeSync(this.fd!, text);
    this.size += bytes;
  }

  close(): void {
    this.flush();
    this.closeFd();
  }

  private open(): void {
    mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
    this.fd = openSync(this.path, 'a', 0o600);
    this.size = fstatSync(this.fd).size;
  }

  private rotate(): void {
    this.closeFd();
    renameSync(this.path, `${this.path}.1`);
    this.open();
  }

  private closeFd(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

/** Parses one line of a log file; undefined for a line tsstack did not write. */
export function parseLogLine(text: string): LogLine | undefined {
  const sp = text.indexOf(' ');
  if (sp < 0 || text[sp + 2] !== ' ') return undefined;
  const time = Date.parse(text.slice(0, sp));
  if (Number.isNaN(time)) return undefined;
  return { time, stream: text[sp + 1] === 'e' ? 'stderr' : 'stdout', message: text.slice(sp + 3) };
}

/** The lines of a replica's log (the rotated file first), from `since` (unix seconds), the last `tail`. */
export function readLogLines(path: string, o: { since?: number; tail?: number } = {}): LogLine[] {
  const lines: LogLine[] = [];
  for (const file of [`${path}.1`, path]) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const raw of text.split('\n')) {
      const line = raw === '' ? undefined : parseLogLine(raw);
      if (line && (o.since === undefined || line.time >= o.since * 1000)) lines.push(line);
    }
  }
  return o.tail === undefined ? lines : o.tail === 0 ? [] : lines.slice(-o.tail);
}

/** Size of the log file now (0 when missing): where a follower that printed the file so far starts. */
export function logSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/**
 * Follows a log file from byte `offset`, yielding lines as they are appended, across rotations (the rest of
 * the renamed file is read before the new one), until `signal` aborts.
 */
export async function* followLog(
  path: string,
  offset: number,
  signal: AbortSignal,
  pollMs = 150,
): AsyncGenerator<LogLine> {
  let fd: number | undefined;
  let ino = -1;
  let pos = offset;
  let partial = '';
  const buf = Buffer.alloc(64 * 1024);
  try {
    while (!signal.aborted) {
      if (fd === undefined) {
        try {
          fd = openSync(path, 'r');
          ino = fstatSync(fd).ino;
        } catch {
          fd = undefined;
        }
      }
      let read = 0;
      if (fd !== undefined) {
        for (
          let n = readSync(fd, buf, 0, buf.length, pos);
          n > 0;
          n = readSync(fd, buf, 0, buf.length, pos)
        ) {
          pos += n;
          read += n;
          const text = partial + buf.toString('utf8', 0, n);
          const parts = text.split('\n');
          partial = parts.pop() ?? '';
          for (const p of parts) {
            const line = parseLogLine(p);
            if (line) yield line;
          }
        }
        // Rotated: what the old file held is read; go on with the new one from its start.
        if (read === 0 && currentIno(path) !== ino) {
          closeSync(fd);
          fd = undefined;
          pos = 0;
          partial = '';
          continue;
        }
      }
      if (read === 0) await sleep(pollMs, signal);
    }
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function currentIno(path: string): number {
  try {
    return statSync(path).ino;
  } catch {
    return -1;
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done(): void {
      signal.removeEventListener('abort', done);
      clearTimeout(t);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
