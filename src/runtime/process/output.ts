/**
 * Reading a process's output from its named pipe, one line at a time. The pipe is opened non-blocking and
 * read through the event loop (a net.Socket over the pipe's fd), so fifty processes cost fifty sockets and
 * no thread each. The stream ends when the process and every descendant holding the pipe have exited.
 */
import { constants, openSync } from 'node:fs';
import { Socket, type OnReadOpts, type SocketConstructorOpts } from 'node:net';
import { StringDecoder } from 'node:string_decoder';

/** Longer lines are cut here (memory stays bounded whatever a process prints). */
export const MAX_LINE = 16 * 1024;

export interface PipeReader {
  /** Resolves once the pipe reached its end (every writer closed it) or `close` was called. */
  readonly done: Promise<void>;
  close(): void;
}

/** Opens a named pipe for reading without waiting for a writer. */
export function openPipeForReading(path: string): number {
  return openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
}

/**
 * Calls `onLine` for every line written to the pipe (its path, or a read end already open), with the time
 * it was read (unix ms).
 */
export function readPipe(pipe: string | number, onLine: (line: string, time: number) => void): PipeReader {
  let socket: Socket;
  let partial = '';
  const decoder = new StringDecoder('utf8');
  const take = (text: string, now: number): void => {
    text = partial + text;
    let nl = text.indexOf('\n');
    let start = 0;
    while (nl >= 0) {
      const line = text.slice(start, nl);
      onLine(cut(line.endsWith('\r') ? line.slice(0, -1) : line), now);
      start = nl + 1;
      nl = text.indexOf('\n', start);
    }
    text = text.slice(start);
    // A line longer than the bound is emitted in pieces rather than held whole.
    while (text.length > MAX_LINE) {
      onLine(text.slice(0, MAX_LINE), now);
      text = text.slice(MAX_LINE);
    }
    partial = text;
  };
  try {
    // Every read lands in one buffer shared by all pipes and is decoded at once, instead of a new 64 KiB
    // buffer per read left for the garbage collector (50 processes logging: hundreds of reads a second).
    // Node takes `onread` for any socket; its types list it only for connect().
    const onread: OnReadOpts = {
      buffer: shared,
      callback: (n, buf) => {
        take(decoder.write(buf.subarray(0, n)), Date.now());
        return true;
      },
    };
    const options: SocketConstructorOpts & { onread: OnReadOpts } = {
      fd: typeof pipe === 'number' ? pipe : openPipeForReading(pipe),
      readable: true,
      onread,
    };
    socket = new Socket(options);
  } catch {
    return { done: Promise.resolve(), close: () => undefined };
  }
  const done = new Promise<void>((resolve) => {
    const end = (): void => {
      take(decoder.end(), Date.now());
      if (partial !== '') onLine(partial, Date.now());
      partial = '';
      resolve();
    };
    socket.once('close', end);
    socket.once('error', () => socket.destroy());
  });
  return { done, close: () => socket.destroy() };
}

/** The read buffer of every pipe (reads are handled synchronously, one at a time). */
const shared = Buffer.allocUnsafe(64 * 1024);

function cut(line: string): string {
  return line.length > MAX_LINE ? line.slice(0, MAX_LINE) : line;
}
