/** The options of loadStack (spec/index.ts), shared with the file loader. */
import type { Target } from './types.js';

/** What the CLI passes in: global options plus the process environment. */
export interface LoadOptions {
  /** `-f` values in order; '-' reads stdin. Empty means discovery from `cwd` upward. */
  files: string[];
  cwd: string;
  projectName?: string;
  projectDirectory?: string;
  envFiles: string[];
  profiles: string[];
  env: Record<string, string | undefined>;
  /** Reads all of stdin (for `-f -`). */
  readStdin?: () => Promise<string>;
  /** When true and no file is found, return an empty stack instead of failing (for `ps -p x`, `down -p x`). */
  allowMissing?: boolean;
  /** Where the stack will run (default `local`): decides the checks that hold on one engine only. */
  target?: Target;
  /** False: `${VAR}` is kept as written (`config --no-interpolate`, `config --variables`). */
  interpolate?: boolean;
  /** False: relative paths stay as written in the output (`config --no-path-resolution`); files are still read. */
  resolvePaths?: boolean;
  /** False: skip the checks across the model (references, cycles, ports) (`config --no-consistency`). */
  consistency?: boolean;
}
