/**
 * The values of `run` and `exec` flags turned into what the engine needs, with Compose's meanings: `-e`,
 * `--label`, `--publish`, `--volume`, `--entrypoint`, and whether a TTY is allocated. Pure; every bad value
 * is a UsageError (exit 2) naming the flag, before anything is created.
 */
import { resolve } from 'node:path';
import { homedir } from 'node:os';
import { UsageError } from '../core/errors.js';
import { parsePortShort } from '../spec/normalize/ports.js';
import { parseVolumeShort } from '../spec/normalize/volumes.js';
import { splitShellWords } from '../spec/normalize/command.js';
import type { LoadedStack } from '../spec/index.js';
import type { PortSpec, ServiceVolume, Stack } from '../spec/types.js';

/** `-e KEY=VALUE` as given; `-e KEY` takes KEY's value from tsstack's environment, or is left out when unset. */
export function resolveEnvFlags(values: string[], env: NodeJS.ProcessEnv): string[] {
  return values.flatMap((e) => {
    if (e.startsWith('=') || e === '') throw new UsageError(`-e "${e}": expected KEY=VALUE or KEY`);
    if (e.includes('=')) return [e];
    const value = env[e];
    return value === undefined ? [] : [`${e}=${value}`];
  });
}

/** `--label KEY=VALUE` (or `KEY`, empty value); tsstack's own labels cannot be set, they are its state. */
export function parseLabelFlags(values: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const l of values) {
    const eq = l.indexOf('=');
    const key = eq < 0 ? l : l.slice(0, eq);
    if (key === '') throw new UsageError(`--label "${l}": expected KEY=VALUE`);
    if (key.startsWith('io.tsstack.'))
      throw new UsageError(`--label "${l}": labels under io.tsstack. are tsstack's own and cannot be set`);
    out[key] = eq < 0 ? '' : l.slice(eq + 1);
  }
  return out;
}

/** `--publish [IP:][HOST:]CONTAINER[/PROTO]`, Compose's short port syntax. */
export function parsePublishFlags(values: string[]): PortSpec[] {
  return values.flatMap((p) => {
    const ports = parsePortShort(p);
    if (typeof ports === 'string') throw new UsageError(`--publish "${p}": ${ports}`);
    return ports;
  });
}

/** `--volume [SOURCE:]TARGET[:MODE]`; a relative host path is taken from the current folder, as `docker run -v`. */
export function parseVolumeFlags(values: string[], cwd: string): ServiceVolume[] {
  const abs = (p: string): string =>
    p === '~' || p.startsWith('~/') ? resolve(homedir(), p.slice(2)) : resolve(cwd, p);
  return values.map((v) => {
    const vol = parseVolumeShort(v, abs);
    if (typeof vol === 'string') throw new UsageError(`--volume: ${vol}`);
    return vol;
  });
}

/**
 * The stack with the declared volumes that `run -v NAME:...` names, so the one-off mounts the project's
 * volume (`<project>_NAME`, labelled, created when missing). The loaded stack keeps only the volumes some
 * service uses, as Compose's model does; Compose 2.26 then mounts an unlabelled volume named just `NAME`.
 */
export function withDeclaredVolumes(loaded: LoadedStack, volumes: ServiceVolume[]): Stack {
  const { stack, declaredVolumes = {} } = loaded;
  const wanted = volumes.flatMap((v) =>
    v.type === 'volume' && v.source && !(v.source in stack.volumes) && v.source in declaredVolumes
      ? [v.source]
      : [],
  );
  if (wanted.length === 0) return stack;
  const added = Object.fromEntries(wanted.map((n) => [n, declaredVolumes[n] as Stack['volumes'][string]]));
  return { ...stack, volumes: { ...stack.volumes, ...added } };
}

/** `--entrypoint "CMD ARGS"`: split into words like Compose (quotes and escapes, no shell operators). */
export function parseEntrypoint(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  const words = splitShellWords(value);
  if (typeof words === 'string') throw new UsageError(`--entrypoint: ${words}`);
  // An empty entrypoint clears the image's, as `docker run --entrypoint ''` does.
  return words.length > 0 ? words : [''];
}

export interface TtyFlags {
  /** `-t/--tty` given. */
  tty?: boolean;
  /** `-T/--no-TTY` given. */
  noTty?: boolean;
}

/**
 * Whether the process gets a TTY: with `-t`, yes; with `-T`, no; otherwise when both stdin and stdout are
 * terminals (Compose looks at stdout alone, then refuses a piped stdin; tsstack takes that as no TTY).
 */
export function decideTty(
  flags: TtyFlags,
  terminal: { stdin: boolean; stdout: boolean },
  interactive: boolean,
): boolean {
  if (flags.tty && flags.noTty) throw new UsageError("--tty and --no-TTY can't be used together");
  if (flags.noTty) return false;
  if (flags.tty) {
    if (interactive && !terminal.stdin)
      throw new UsageError('-t: the input device is not a TTY (leave out -t, or use -T)');
    return true;
  }
  return terminal.stdin && terminal.stdout;
}
