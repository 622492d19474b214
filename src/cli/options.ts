/** Parsing of option values that several commands share. */
import { Option } from 'commander';
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

/** Linux signals by name, as `docker kill -s` takes them (with or without `SIG`, any case). */
const SIGNALS = new Set([
  'ABRT',
  'ALRM',
  'BUS',
  'CHLD',
  'CLD',
  'CONT',
  'FPE',
  'HUP',
  'ILL',
  'INT',
  'IO',
  'IOT',
  'KILL',
  'PIPE',
  'POLL',
  'PROF',
  'PWR',
  'QUIT',
  'SEGV',
  'STKFLT',
  'STOP',
  'SYS',
  'TERM',
  'TRAP',
  'TSTP',
  'TTIN',
  'TTOU',
  'URG',
  'USR1',
  'USR2',
  'VTALRM',
  'WINCH',
  'XCPU',
  'XFSZ',
  'RTMIN',
  'RTMAX',
]);

/** `kill -s`: a known signal name or a number 1..64, as the engine will take it; exit 2 otherwise. */
export function parseSignal(value: string): string {
  if (/^\d+$/.test(value)) {
    const n = Number(value);
    if (n >= 1 && n <= 64) return value;
  } else {
    const name = value.toUpperCase().replace(/^SIG/, '');
    const rt = /^RT(MIN\+([1-9]|1[0-5])|MAX-([1-9]|1[0-4]))$/.test(name);
    if (SIGNALS.has(name) || rt) return `SIG${name}`;
  }
  throw new UsageError(`-s ${value}: no such signal (use a name such as SIGTERM or HUP, or a number 1-64)`);
}

/**
 * An option that takes a value although its name starts with `no-` (`--no-attach SERVICE`): commander
 * would read it as the negation of `--attach`; here it is its own option, `noAttach`.
 */
export function noPrefixedValueOption(flags: string, description: string): Option {
  const option = new Option(flags, description).argParser(collect).default([]);
  option.negate = false;
  return option;
}
