/**
 * Detach keys: the key sequence that leaves an interactive session with the process still running
 * (`ctrl-p,ctrl-q` by default, as in Docker). Parsed like Docker's `term.ToBytes`, and watched for in the
 * bytes typed on the terminal, so they are never sent to the container.
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../core/errors.js';

export const DEFAULT_DETACH_KEYS = 'ctrl-p,ctrl-q';

/** Control keys by name, in ASCII order from NUL: `ctrl-@` is 0, `ctrl-a` is 1, ... `ctrl-_` is 31. */
const CONTROL = '@abcdefghijklmnopqrstuvwxyz[\\]^_';

export interface DetachKeys {
  /** The normalized text, as the engine accepts it (`ctrl-p,ctrl-q`). */
  text: string;
  bytes: Buffer;
}

/**
 * Parses `ctrl-p,ctrl-q`-style keys: each comma-separated key is one ASCII character, `ctrl-<c>` for c
 * in a-z, @, [, \, ], ^, _ (letters in either case), or `DEL`. Throws UsageError (exit 2) naming the key.
 */
export function parseDetachKeys(text: string, flag = '--detach-keys'): DetachKeys {
  const bytes: number[] = [];
  const names: string[] = [];
  for (const key of text.split(',')) {
    const lower = key.toLowerCase();
    const control = lower.startsWith('ctrl-') && lower.length === 6 ? CONTROL.indexOf(lower[5] ?? '') : -1;
    if (control >= 0) {
      bytes.push(control);
      names.push(lower);
    } else if (key === 'DEL') {
      bytes.push(127);
      names.push(key);
    } else if (key.length === 1 && key.charCodeAt(0) < 128) {
      bytes.push(key.charCodeAt(0));
      names.push(key);
    } else {
      const what = key === '' ? 'an empty key' : `"${key}"`;
      throw new UsageError(
        `${flag} "${text}": ${what} is not a key (expected a comma-separated list of single characters, ctrl-<letter> or ctrl-@ [ \\ ] ^ _, or DEL)`,
      );
    }
  }
  return { text: names.join(','), bytes: Buffer.from(bytes) };
}

/**
 * The detach keys to use: the flag when given, else `detachKeys` from the Docker CLI's config file
 * (`$DOCKER_CONFIG/config.json` or `~/.docker/config.json`, as Compose reads it), else ctrl-p,ctrl-q.
 * An unreadable config file, or keys in it that do not parse, fall back to the default like Docker does.
 */
export function detachKeysFor(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): DetachKeys {
  if (flag !== undefined) return parseDetachKeys(flag);
  const dir = env.DOCKER_CONFIG || join(homedir(), '.docker');
  try {
    const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as { detachKeys?: unknown };
    if (typeof config.detachKeys === 'string' && config.detachKeys !== '')
      return parseDetachKeys(config.detachKeys);
  } catch {
    // No config file, or one we cannot use: the default applies.
  }
  return parseDetachKeys(DEFAULT_DETACH_KEYS);
}

/** What to do with a chunk of typed bytes: send `forward` on, and detach when `detached`. */
export interface EscapeResult {
  forward: Buffer;
  detached: boolean;
}

/**
 * Finds the detach sequence in the bytes typed, across chunk boundaries. Bytes that might begin the
 * sequence are held back until the next byte decides; bytes before the sequence are forwarded, the
 * sequence itself and anything after it are not.
 */
export class EscapeDetector {
  private held: number[] = [];
  private done = false;

  constructor(private readonly keys: Buffer) {}

  push(chunk: Buffer): EscapeResult {
    if (this.done || this.keys.length === 0)
      return { forward: this.done ? Buffer.alloc(0) : chunk, detached: false };
    const out: number[] = [];
    for (const byte of chunk) {
      const candidate = [...this.held, byte];
      if (candidate.length === this.keys.length && this.isPrefix(candidate)) {
        this.done = true;
        this.held = [];
        return { forward: Buffer.from(out), detached: true };
      }
      // The longest tail of what was typed that can still begin the sequence is held; the rest goes on.
      let start = 0;
      while (start < candidate.length && !this.isPrefix(candidate.slice(start))) start++;
      out.push(...candidate.slice(0, start));
      this.held = candidate.slice(start);
    }
    return { forward: Buffer.from(out), detached: false };
  }

  /** Bytes held back as a possible start of the sequence (sent on when the input ends). */
  flush(): Buffer {
    const held = Buffer.from(this.held);
    this.held = [];
    return held;
  }

  private isPrefix(bytes: number[]): boolean {
    return bytes.length <= this.keys.length && bytes.every((b, i) => this.keys[i] === b);
  }
}
