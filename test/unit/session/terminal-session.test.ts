import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { StreamSession } from '../../../src/runtime/types.js';
import { enterRawMode } from '../../../src/session/raw-mode.js';
import { connectTerminal, signalExitCode, type TerminalIo } from '../../../src/session/terminal-session.js';

/** A session whose engine side the test plays: what tsstack sends in, resizes, and when it closes. */
function fakeSession(opts: { tty: boolean; stdin?: boolean }) {
  const stdin = new PassThrough();
  const received: Buffer[] = [];
  stdin.on('data', (c: Buffer) => received.push(c));
  let ended = false;
  stdin.on('end', () => (ended = true));
  let closeIt: () => void = () => undefined;
  const closed = new Promise<void>((r) => (closeIt = r));
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const resizes: [number, number][] = [];
  let closedByUs = false;
  const finish = () => {
    stdout.end();
    stderr.end();
    closeIt();
  };
  const session: StreamSession = {
    tty: opts.tty,
    stdout,
    stderr,
    ...(opts.stdin !== false ? { stdin } : {}),
    resize: async (rows, cols) => void resizes.push([rows, cols]),
    closed,
    close: () => {
      closedByUs = true;
      finish();
    },
  };
  return {
    session,
    stdout,
    stderr,
    finish,
    resizes,
    sent: () => Buffer.concat(received).toString('latin1'),
    stdinEnded: () => ended,
    closedByUs: () => closedByUs,
  };
}

/** A terminal: stdin with raw mode, stdout with a size, and a process to send signals to. */
function fakeTerminal(isTTY = true) {
  const modes: boolean[] = [];
  const stdin = Object.assign(new PassThrough(), {
    isTTY,
    isRaw: false,
    setRawMode(mode: boolean) {
      modes.push(mode);
      stdin.isRaw = mode;
      return stdin;
    },
  });
  const out: Buffer[] = [];
  const stdout = Object.assign(new PassThrough(), { isTTY, rows: 30, columns: 120 });
  stdout.on('data', (c: Buffer) => out.push(c));
  const err: Buffer[] = [];
  const stderr = new PassThrough();
  stderr.on('data', (c: Buffer) => err.push(c));
  const proc = new EventEmitter();
  const io: TerminalIo = { stdin, stdout, stderr, process: proc };
  return {
    io,
    stdin,
    stdout,
    proc,
    modes,
    out: () => Buffer.concat(out).toString(),
    err: () => Buffer.concat(err).toString(),
  };
}

const tick = () => new Promise((r) => setTimeout(r, 10));
const ctrlPQ = Buffer.from([16, 17]);

describe('connectTerminal', () => {
  it('with a TTY: raw mode, the window size, keys through, output out; all undone when the process ends', async () => {
    const s = fakeSession({ tty: true });
    const t = fakeTerminal();
    const done = connectTerminal(s.session, { detachKeys: ctrlPQ, endStdin: true, io: t.io });
    await tick();
    expect(t.stdin.isRaw).toBe(true);
    expect(s.resizes).toEqual([[30, 120]]);
    t.stdin.write('echo hi\r');
    t.stdin.write(Buffer.from([3])); // Ctrl-C goes to the container's TTY
    s.stdout.write('hi\r\n');
    t.stdout.rows = 40;
    t.stdout.emit('resize');
    await tick();
    expect(s.sent()).toBe('echo hi\r\x03');
    expect(s.resizes).toEqual([
      [30, 120],
      [40, 120],
    ]);
    s.finish();
    expect(await done).toEqual({ kind: 'ended' });
    expect(t.out()).toBe('hi\r\n');
    expect(t.modes).toEqual([true, false]);
    expect(t.stdin.isPaused()).toBe(true);
    expect(t.proc.listenerCount('exit')).toBe(0);
    expect(t.proc.listenerCount('SIGINT')).toBe(0);
  });

  it('the detach keys leave the session (closing the connection) without reaching the process', async () => {
    const s = fakeSession({ tty: true });
    const t = fakeTerminal();
    const done = connectTerminal(s.session, { detachKeys: ctrlPQ, endStdin: true, io: t.io });
    t.stdin.write('ls');
    t.stdin.write(Buffer.from([16]));
    t.stdin.write(Buffer.from([17]));
    expect(await done).toEqual({ kind: 'detached' });
    expect(s.sent()).toBe('ls');
    expect(s.closedByUs()).toBe(true);
    expect(s.stdinEnded()).toBe(false);
    expect(t.modes).toEqual([true, false]);
  });

  it('without a TTY: no raw mode, bytes as they are (detach keys included), and our end of input ends theirs', async () => {
    const s = fakeSession({ tty: false });
    const t = fakeTerminal(false);
    const done = connectTerminal(s.session, { detachKeys: ctrlPQ, endStdin: true, io: t.io });
    t.stdin.end(Buffer.from('data\x10\x11\n'));
    await tick();
    expect(s.sent()).toBe('data\x10\x11\n');
    expect(s.stdinEnded()).toBe(true);
    s.stderr.write('oops\n');
    s.finish();
    expect(await done).toEqual({ kind: 'ended' });
    expect(t.err()).toBe('oops\n');
    expect(t.modes).toEqual([]);
  });

  it('attach keeps the connection open when our input ends', async () => {
    const s = fakeSession({ tty: false });
    const t = fakeTerminal(false);
    const done = connectTerminal(s.session, { endStdin: false, io: t.io });
    t.stdin.end('x');
    await tick();
    expect(s.stdinEnded()).toBe(false);
    s.finish();
    await done;
  });

  it('forwards signals to the process when asked; the third Ctrl-C leaves anyway', async () => {
    const s = fakeSession({ tty: false });
    const t = fakeTerminal(false);
    const proxied: string[] = [];
    const done = connectTerminal(s.session, {
      endStdin: true,
      io: t.io,
      proxySignal: (sig) => proxied.push(sig),
    });
    t.proc.emit('SIGTERM');
    t.proc.emit('SIGINT');
    t.proc.emit('SIGINT');
    expect(proxied).toEqual(['SIGTERM', 'SIGINT', 'SIGINT']);
    t.proc.emit('SIGINT');
    expect(await done).toEqual({ kind: 'signal', signal: 'SIGINT' });
    expect(s.closedByUs()).toBe(true);
    expect(t.proc.listenerCount('SIGINT')).toBe(0);
  });

  it('without forwarding, a signal leaves the session and restores the terminal', async () => {
    const s = fakeSession({ tty: true });
    const t = fakeTerminal();
    const done = connectTerminal(s.session, { detachKeys: ctrlPQ, endStdin: true, io: t.io });
    await tick();
    t.proc.emit('SIGTERM');
    expect(await done).toEqual({ kind: 'signal', signal: 'SIGTERM' });
    expect(t.modes).toEqual([true, false]);
    expect(signalExitCode('SIGTERM')).toBe(143);
    expect(signalExitCode('SIGINT')).toBe(130);
  });

  it('with no stdin attached (--no-stdin), the terminal is left alone', async () => {
    const s = fakeSession({ tty: true, stdin: false });
    const t = fakeTerminal();
    const done = connectTerminal(s.session, { detachKeys: ctrlPQ, endStdin: false, io: t.io });
    await tick();
    s.finish();
    await done;
    expect(t.modes).toEqual([]);
  });
});

describe('enterRawMode', () => {
  it('restores the terminal when the process exits while it is raw (a crash), and only once', () => {
    const modes: boolean[] = [];
    const stdin = { isTTY: true, isRaw: false, setRawMode: (m: boolean) => modes.push(m) };
    const proc = new EventEmitter();
    const restore = enterRawMode(stdin, proc);
    proc.emit('exit', 1);
    restore();
    expect(modes).toEqual([true, false]);
    expect(proc.listenerCount('exit')).toBe(0);
  });

  it('does nothing when stdin is not a terminal', () => {
    const proc = new EventEmitter();
    enterRawMode({ isTTY: false }, proc)();
    expect(proc.listenerCount('exit')).toBe(0);
  });
});
