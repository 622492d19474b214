import type { PathSegment, SourceLocation } from './types.js';

/**
 * The stack after loading: files read, YAML parsed, variables interpolated, `include` and `extends` resolved
 * and all `-f` files merged, as plain JS data (no YAML nodes), plus a way back to source positions.
 * This is the contract between loading (load.ts) and validate / normalize / check.
 */
export interface RawProject {
  /** The merged document. */
  data: Record<string, unknown>;
  /** Where the value at `path` came from; for a path with no position of its own, the nearest ancestor's. */
  locate(path: readonly PathSegment[]): SourceLocation | undefined;
  /** Where the key at the end of `path` is written (for unknown-key errors); falls back to `locate`. */
  locateKey(path: readonly PathSegment[]): SourceLocation | undefined;
  /** The text of a loaded file, for code frames. */
  sourceText(file: string): string | undefined;
  /** Normalized project name. */
  projectName: string;
  /** Absolute folder relative paths resolve against. */
  projectDir: string;
  /** Absolute paths of the loaded files in merge order ('-' for stdin). */
  files: string[];
  /** Variables for interpolation and `env_file` defaults: the process environment over `.env` / `--env-file`. */
  env: Record<string, string>;
  /** Profiles enabled by `--profile` or TSSTACK_PROFILES / COMPOSE_PROFILES. */
  profiles: string[];
  /** Absolute paths of every file read: stack files, `extends` and `include` targets, `.env` / env files. */
  sources?: string[];
  /** False: normalizing keeps relative paths as written (`config --no-path-resolution`). */
  resolvePaths?: boolean;
}
