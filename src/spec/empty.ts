import type { SpecProblem } from './errors.js';

/**
 * Compose refuses a project whose files hold nothing at all ("empty compose file"): an empty file, one with
 * only comments, or only `{}` / `null`. So does tsstack, located at the top of the (first) file, exit 2.
 * A file with any key (`name:`, `networks:`, even `services: {}`) is not empty.
 */
export function emptyStackProblem(files: string[], firstText: string): SpecProblem {
  const what =
    files.length > 1
      ? `the stack files (${files.join(', ')}) are empty`
      : firstText.trim() === ''
        ? 'the stack file is empty'
        : firstText.split(/\r?\n/).every((line) => /^\s*(#.*)?$/.test(line))
          ? 'the stack file holds only comments'
          : 'the stack file defines nothing';
  return {
    location: { file: files[0] ?? '<stdin>', line: 1, col: 1 },
    path: [],
    message: `${what}; a stack needs a services: mapping`,
  };
}
