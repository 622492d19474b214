import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/core/errors.js';
import { EscapeDetector, detachKeysFor, parseDetachKeys } from '../../../src/session/detach-keys.js';

describe('parseDetachKeys', () => {
  it("reads Docker's key names: ctrl-<letter>, ctrl-@ [ \\ ] ^ _, single characters and DEL", () => {
    expect(parseDetachKeys('ctrl-p,ctrl-q')).toEqual({ text: 'ctrl-p,ctrl-q', bytes: Buffer.from([16, 17]) });
    expect(parseDetachKeys('ctrl-@,ctrl-[,ctrl-\\,ctrl-],ctrl-^,ctrl-_').bytes).toEqual(
      Buffer.from([0, 27, 28, 29, 30, 31]),
    );
    expect(parseDetachKeys('a,ctrl-x,DEL')).toEqual({
      text: 'a,ctrl-x,DEL',
      bytes: Buffer.from([97, 24, 127]),
    });
    // Upper-case control names are accepted and passed on in the engine's spelling.
    expect(parseDetachKeys('Ctrl-X,CTRL-Y').text).toBe('ctrl-x,ctrl-y');
  });

  it.each(['', 'ctrl-', 'ctrl-1', 'ab', 'é', 'ctrl-p,', 'ctrl-p,,ctrl-q', 'del'])(
    'refuses %j with a usage error naming the flag',
    (text) => {
      expect(() => parseDetachKeys(text)).toThrow(UsageError);
      expect(() => parseDetachKeys(text)).toThrow(/^--detach-keys /);
    },
  );

  it('takes the flag, else detachKeys from the Docker config file, else ctrl-p,ctrl-q', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tsstack-detach-'));
    try {
      const env = { DOCKER_CONFIG: dir };
      expect(detachKeysFor(undefined, env).text).toBe('ctrl-p,ctrl-q');
      writeFileSync(join(dir, 'config.json'), JSON.stringify({ detachKeys: 'ctrl-e,e' }));
      expect(detachKeysFor(undefined, env).text).toBe('ctrl-e,e');
      expect(detachKeysFor('ctrl-a', env).text).toBe('ctrl-a');
      // Keys in the config file that do not parse fall back to the default, as Docker does.
      writeFileSync(join(dir, 'config.json'), JSON.stringify({ detachKeys: 'nonsense' }));
      expect(detachKeysFor(undefined, env).text).toBe('ctrl-p,ctrl-q');
      writeFileSync(join(dir, 'config.json'), '{ not json');
      expect(detachKeysFor(undefined, env).text).toBe('ctrl-p,ctrl-q');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** What a detector makes of `input` cut into `cuts` chunks: bytes forwarded (plus the flush) and whether it detached. */
function run(keys: Buffer, input: Buffer, cuts: number[]): { out: Buffer; detached: boolean } {
  const d = new EscapeDetector(keys);
  const out: Buffer[] = [];
  let start = 0;
  for (const end of [...[...new Set(cuts)].sort((a, b) => a - b), input.length]) {
    const r = d.push(input.subarray(start, Math.max(start, end)));
    out.push(r.forward);
    start = Math.max(start, end);
    if (r.detached) return { out: Buffer.concat(out), detached: true };
  }
  out.push(d.flush());
  return { out: Buffer.concat(out), detached: false };
}

describe('EscapeDetector', () => {
  const ctrlPQ = Buffer.from([16, 17]);

  it('swallows the sequence and detaches, forwarding what came before it', () => {
    expect(run(ctrlPQ, Buffer.from('ls\x10\x11rest'), [])).toEqual({
      out: Buffer.from('ls'),
      detached: true,
    });
    // One key a chunk, as a terminal sends them.
    expect(run(ctrlPQ, Buffer.from('a\x10\x11'), [1, 2])).toEqual({ out: Buffer.from('a'), detached: true });
  });

  it('holds back a possible start and sends it on when the next key does not continue the sequence', () => {
    const d = new EscapeDetector(ctrlPQ);
    expect(d.push(Buffer.from([16]))).toEqual({ forward: Buffer.alloc(0), detached: false });
    expect(d.push(Buffer.from('x'))).toEqual({ forward: Buffer.from('\x10x'), detached: false });
    // Ctrl-P twice, then Ctrl-Q: the first Ctrl-P is typed through, the second starts the sequence.
    expect(run(ctrlPQ, Buffer.from([16, 16, 17]), [1, 2])).toEqual({
      out: Buffer.from([16]),
      detached: true,
    });
  });

  it('finds overlapping sequences (a,a,b in aaab)', () => {
    expect(run(Buffer.from('aab'), Buffer.from('aaab'), [1, 2, 3])).toEqual({
      out: Buffer.from('a'),
      detached: true,
    });
  });

  it('forwards input up to the first sequence, however the input is cut into chunks', () => {
    const byte = fc.integer({ min: 0, max: 3 });
    fc.assert(
      fc.property(
        fc.array(byte, { minLength: 1, maxLength: 3 }),
        fc.array(byte, { maxLength: 40 }),
        fc.array(fc.nat(40)),
        (keyBytes, inputBytes, cuts) => {
          const keys = Buffer.from(keyBytes);
          const input = Buffer.from(inputBytes);
          const at = input.indexOf(keys);
          const expected =
            at < 0 ? { out: input, detached: false } : { out: input.subarray(0, at), detached: true };
          expect(run(keys, input, cuts)).toEqual(expected);
        },
      ),
    );
  });
});
