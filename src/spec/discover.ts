import { existsSync, statSync } from 'node:fs';
import path from 'node:path';

/** File names looked for, in order of preference. */
export const STACK_FILE_NAMES = [
  'compose.yaml',
  'compose.yml',
  'docker-compose.yaml',
  'docker-compose.yml',
  'stack.yml',
] as const;

export interface Discovered {
  /** Absolute paths: the stack file, then its override file when one exists. */
  files: string[];
  /** Other candidate names found beside the chosen one (Compose warns about them). */
  ignored: string[];
}

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

/** `compose.yaml` → `compose.override.yaml` (then `.yml`): the override file that goes with a stack file. */
export function overrideFor(file: string): string | undefined {
  const dir = path.dirname(file);
  const ext = path.extname(file);
  const base = path.basename(file, ext);
  const other = ext === '.yaml' ? '.yml' : '.yaml';
  for (const candidate of [`${base}.override${ext}`, `${base}.override${other}`]) {
    const p = path.join(dir, candidate);
    if (isFile(p)) return p;
  }
  return undefined;
}

/** Looks for a stack file in `cwd` and then each parent folder; the first folder with one wins. */
export function discoverStackFiles(cwd: string): Discovered | undefined {
  let dir = path.resolve(cwd);
  while (true) {
    const found = STACK_FILE_NAMES.map((n) => path.join(dir, n)).filter(isFile);
    const first = found[0];
    if (first) {
      const override = overrideFor(first);
      return { files: override ? [first, override] : [first], ignored: found.slice(1) };
    }
    const parent = path.dirname(dir);
    if (parent === dir || !existsSync(parent)) return undefined;
    dir = parent;
  }
}
