/** Parsing of option values that several commands share. */
import { UsageError } from '../core/errors.js';
import type { LogFormat } from '../session/headless.js';

/** Parses `-t/--timeout` seconds. */
export function parseTimeout(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0)
    throw new UsageError(`--timeout must be a whole number of seconds, not "${value}"`);
  return n;
}

/** `--log-format`: plain or json. */
export function parseLogFormat(value: string | undefined): LogFormat {
  if (value === undefined || value === 'plain' || value === 'json') return value ?? 'plain';
  throw new UsageError(`--log-format must be plain or json, not "${value}"`);
}

/** Commander helper for repeatable options. */
export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** A whole number above zero for a flag, or undefined when not given (exit 2 otherwise). */
export function parsePositive(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new UsageError(`${flag} must be a whole number above 0, not "${value}"`);
  return n;
}

/** `up --pull`: the policies Compose's `up --pull` takes. */
export function parseUpPull(value: string | undefined): 'always' | 'missing' | 'never' | 'build' | undefined {
  if (value === undefined) return undefined;
  if (value === 'always' || value === 'missing' || value === 'never' || value === 'build') return value;
  throw new UsageError(`--pull must be always, missing, never or build, not "${value}"`);
}
