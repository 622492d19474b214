// Reading host processes' output from named pipes: whole lines in order, a UTF-8 character split across
// two writes kept whole, CRLF trimmed, a last line without a newline kept, over-long lines cut, and two
// pipes read at once (they share one read buffer) never mixed.
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_LINE, openPipeForReading, readPipe } from '../../../src/runtime/process/output.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function fifo(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tsstack-pipe-'));
  dirs.push(dir);
  const path = join(dir, 'out');
  execFileSync('mkfifo', [path]);
  return path;
}

const tick = () => new Promise((r) => setTimeout(r, 20));

describe('readPipe', () => {
  it('splits lines across reads, keeps split characters whole, trims CR, keeps the last partial line', async () => {
    const path = fifo();
    const lines: string[] = [];
    const reader = readPipe(openPipeForReading(path), (l) => lines.push(l));
    const w = openSync(path, 'w');
    const euro = Buffer.from('€'); // three bytes
    writeSync(w, Buffer.concat([Buffer.from('one\r\ntw'), euro.subarray(0, 1)]));
    await tick();
    writeSync(w, Buffer.concat([euro.subarray(1), Buffer.from('o\nthree')]));
    await tick();
    writeSync(w, 'x'.repeat(MAX_LINE + 10) + '\n');
    closeSync(w);
    await reader.done;
    // The over-long line is cut at the bound: its rest is dropped, or (when it came in pieces) shown apart.
    expect(lines.slice(0, 3)).toEqual(['one', 'tw€o', 'three' + 'x'.repeat(MAX_LINE - 5)]);
    for (const rest of lines.slice(3)) expect(rest).toMatch(/^x{1,15}$/);
  });

  it('two pipes written at once are read apart', async () => {
    const a = fifo();
    const b = fifo();
    const got: Record<string, string[]> = { a: [], b: [] };
    const ra = readPipe(openPipeForReading(a), (l) => got.a!.push(l));
    const rb = readPipe(openPipeForReading(b), (l) => got.b!.push(l));
    const wa = openSync(a, 'w');
    const wb = openSync(b, 'w');
    const want = (p: string) => Array.from({ length: 2000 }, (_, i) => `${p} line ${i} ${'y'.repeat(40)}`);
    for (let i = 0; i < 2000; i += 100) {
      writeSync(
        wa,
        want('a')
          .slice(i, i + 100)
          .join('\n') + '\n',
      );
      writeSync(
        wb,
        want('b')
          .slice(i, i + 100)
          .join('\n') + '\n',
      );
      if (i % 500 === 0) await tick();
    }
    closeSync(wa);
    closeSync(wb);
    await Promise.all([ra.done, rb.done]);
    expect(got.a).toEqual(want('a'));
    expect(got.b).toEqual(want('b'));
  });
});
