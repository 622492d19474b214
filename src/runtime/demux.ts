/**
 * The engine's multiplexed stream format (logs and exec without a TTY): frames of an 8-byte header
 * (stream type, 3 zero bytes, big-endian payload length) followed by the payload. Frames split across
 * chunks arbitrarily, and a frame may hold part of a line or several lines.
 */

export type StreamName = 'stdout' | 'stderr';

export interface Frame {
  stream: StreamName;
  payload: Buffer;
}

const HEADER = 8;
const EMPTY = Buffer.alloc(0);

/** Incremental decoder: push chunks as they arrive, get the complete frames so far. */
export class FrameDecoder {
  private pending: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Frame[] {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const frames: Frame[] = [];
    let offset = 0;
    while (this.pending.length - offset >= HEADER) {
      const type = this.pending[offset];
      const size = this.pending.readUInt32BE(offset + 4);
      if (this.pending.length - offset - HEADER < size) break;
      const payload = this.pending.subarray(offset + HEADER, offset + HEADER + size);
      // Type 0 (stdin) only appears when a TTY echoes input; it is the terminal's output.
      frames.push({ stream: type === 2 ? 'stderr' : 'stdout', payload });
      offset += HEADER + size;
    }
    // Keep a copy of an unfinished frame, not a view: a view would pin the whole (often 64 KiB) chunk for
    // as long as the stream is idle, for every followed container.
    this.pending = offset === this.pending.length ? EMPTY : Buffer.from(this.pending.subarray(offset));
    return frames;
  }

  /** Bytes of an unfinished frame left at the end of the stream. */
  get remainder(): number {
    return this.pending.length;
  }
}

/** Splits bytes into lines, keeping a partial line until its newline arrives (UTF-8 safe: split on bytes). */
export class LineSplitter {
  private partial: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): string[] {
    const data = this.partial.length === 0 ? chunk : Buffer.concat([this.partial, chunk]);
    const lines: string[] = [];
    let start = 0;
    for (let i = data.indexOf(10, start); i !== -1; i = data.indexOf(10, start)) {
      lines.push(stripCr(data.toString('utf8', start, i)));
      start = i + 1;
    }
    // A copy of the partial line, not a view pinning the whole chunk (see FrameDecoder.push).
    this.partial = start === data.length ? EMPTY : Buffer.from(data.subarray(start));
    return lines;
  }

  /** The last line when the stream ended without a newline. */
  flush(): string[] {
    if (this.partial.length === 0) return [];
    const line = stripCr(this.partial.toString('utf8'));
    this.partial = Buffer.alloc(0);
    return [line];
  }
}

function stripCr(s: string): string {
  return s.endsWith('\r') ? s.slice(0, -1) : s;
}

/** Encodes one frame (for tests and fakes that speak the engine's format). */
export function encodeFrame(stream: StreamName | 'stdin', payload: string | Buffer): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload) : payload;
  const header = Buffer.alloc(HEADER);
  header[0] = stream === 'stdin' ? 0 : stream === 'stdout' ? 1 : 2;
  header.writeUInt32BE(body.length, 4);
  return Buffer.concat([header, body]);
}

/**
 * Turns an engine log or exec stream into lines per stream, in arrival order.
 * `multiplexed` is false for TTY containers, whose output is raw stdout.
 */
export class LogDemuxer {
  private readonly frames = new FrameDecoder();
  private readonly splitters: Record<StreamName, LineSplitter> = {
    stdout: new LineSplitter(),
    stderr: new LineSplitter(),
  };

  constructor(private readonly multiplexed: boolean) {}

  push(chunk: Buffer): { stream: StreamName; line: string }[] {
    if (!this.multiplexed)
      return this.splitters.stdout.push(chunk).map((line) => ({ stream: 'stdout', line }));
    const out: { stream: StreamName; line: string }[] = [];
    for (const f of this.frames.push(chunk))
      for (const line of this.splitters[f.stream].push(f.payload)) out.push({ stream: f.stream, line });
    return out;
  }

  end(): { stream: StreamName; line: string }[] {
    return (['stdout', 'stderr'] as const).flatMap((stream) =>
      this.splitters[stream].flush().map((line) => ({ stream, line })),
    );
  }
}
