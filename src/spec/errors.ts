import { TsstackError } from '../core/errors.js';
import type { PathSegment, SourceLocation } from './types.js';

/** One located problem in the stack files. */
export interface SpecProblem {
  location?: SourceLocation;
  /** Path in the document, e.g. ['services', 'web', 'ports', 0]. */
  path: PathSegment[];
  message: string;
  /** A few lines of source around the location, with a caret; filled in when the text is known. */
  frame?: string;
}

/** Renders a path as users read it: `services.web.ports[0]`. */
export function formatPath(path: readonly PathSegment[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out === '' ? seg : `.${seg}`;
  }
  return out;
}

/** `stack.yml:14:7 services.web.ports[0]: message` */
export function formatProblem(p: SpecProblem): string {
  const where = p.location ? `${p.location.file}:${p.location.line}:${p.location.col} ` : '';
  const path = p.path.length > 0 ? `${formatPath(p.path)}: ` : '';
  const head = `${where}${path}${p.message}`;
  return p.frame ? `${head}\n${p.frame}` : head;
}

/** Invalid stack input: every problem found, reported at once; exit code 2. */
export class SpecError extends TsstackError {
  constructor(readonly problems: SpecProblem[]) {
    super(problems.map(formatProblem).join('\n'), 2);
  }
}
