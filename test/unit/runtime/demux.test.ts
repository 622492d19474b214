import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeFrame, FrameDecoder, LineSplitter, LogDemuxer } from '../../../src/runtime/demux.js';

describe('FrameDecoder', () => {
  it('decodes a crafted buffer of stdout and stderr frames', () => {
    const buf = Buffer.concat([
      encodeFrame('stdout', 'a\n'),
      encodeFrame('stderr', 'oops\n'),
      encodeFrame('stdout', 'b'),
    ]);
    const frames = new FrameDecoder().push(buf);
    expect(frames.map((f) => [f.stream, f.payload.toString()])).toEqual([
      ['stdout', 'a\n'],
      ['stderr', 'oops\n'],
      ['stdout', 'b'],
    ]);
  });

  it('reads the header by hand: type byte, three zero bytes, big-endian length', () => {
    const raw = Buffer.from([2, 0, 0, 0, 0, 0, 0, 3, 0x61, 0x62, 0x63]);
    expect(new FrameDecoder().push(raw)).toEqual([{ stream: 'stderr', payload: Buffer.from('abc') }]);
  });

  it('keeps an incomplete header or payload until the rest arrives', () => {
    const d = new FrameDecoder();
    const frame = encodeFrame('stderr', 'hello');
    expect(d.push(frame.subarray(0, 5))).toEqual([]);
    expect(d.push(frame.subarray(5, 10))).toEqual([]);
    expect(d.remainder).toBe(10);
    expect(d.push(frame.subarray(10)).map((f) => f.payload.toString())).toEqual(['hello']);
    expect(d.remainder).toBe(0);
  });

  it('gives the same frames however the stream is chunked', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom('stdout' as const, 'stderr' as const), fc.string()), {
          maxLength: 8,
        }),
        fc.array(fc.nat(40), { maxLength: 10 }),
        (frames, cuts) => {
          const buf = Buffer.concat(frames.map(([s, p]) => encodeFrame(s, p)));
          const points = [...new Set(cuts.map((c) => Math.min(c, buf.length)))].sort((a, b) => a - b);
          const d = new FrameDecoder();
          const out = [];
          let prev = 0;
          for (const p of [...points, buf.length]) {
            out.push(...d.push(buf.subarray(prev, p)));
            prev = p;
          }
          expect(out.map((f) => [f.stream, f.payload.toString()])).toEqual(frames);
        },
      ),
    );
  });
});

describe('LineSplitter', () => {
  it('keeps partial lines across chunks and strips CR', () => {
    const s = new LineSplitter();
    expect(s.push(Buffer.from('one\ntw'))).toEqual(['one']);
    expect(s.push(Buffer.from('o\r\nthree'))).toEqual(['two']);
    expect(s.flush()).toEqual(['three']);
    expect(s.flush()).toEqual([]);
  });

  it('does not break a multi-byte character split between chunks', () => {
    const bytes = Buffer.from('héllo\n');
    const s = new LineSplitter();
    expect(s.push(bytes.subarray(0, 2))).toEqual([]);
    expect(s.push(bytes.subarray(2))).toEqual(['héllo']);
  });
});

describe('LogDemuxer', () => {
  it('splits each stream into its own lines, a line spanning frames joined', () => {
    const d = new LogDemuxer(true);
    const out = [
      ...d.push(Buffer.concat([encodeFrame('stdout', 'par'), encodeFrame('stderr', 'err line\n')])),
      ...d.push(encodeFrame('stdout', 'tial\nnext')),
      ...d.end(),
    ];
    expect(out).toEqual([
      { stream: 'stderr', line: 'err line' },
      { stream: 'stdout', line: 'partial' },
      { stream: 'stdout', line: 'next' },
    ]);
  });

  it('keeps an unfinished frame and a partial line as copies, not views pinning the chunk they came from', () => {
    const d = new LogDemuxer(true);
    const frames = Buffer.concat([encodeFrame('stdout', 'first\npart'), encodeFrame('stdout', 'ial')]);
    const chunk = Buffer.from(frames.subarray(0, frames.length - 2));
    expect(d.push(chunk)).toEqual([{ stream: 'stdout', line: 'first' }]);
    // The stream may reuse or free its chunk once pushed: what is kept must not change with it.
    chunk.fill(0x58);
    expect([...d.push(frames.subarray(frames.length - 2)), ...d.push(Buffer.from('')), ...d.end()]).toEqual([
      { stream: 'stdout', line: 'partial' },
    ]);
  });

  it('treats a TTY stream as raw stdout', () => {
    const d = new LogDemuxer(false);
    expect([...d.push(Buffer.from('\u0001raw\r\nline\n')), ...d.end()]).toEqual([
      { stream: 'stdout', line: '\u0001raw' },
      { stream: 'stdout', line: 'line' },
    ]);
  });
});
