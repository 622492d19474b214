import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { splitShellWords } from '../../../src/spec/normalize/command.js';
import { formatted, normalizeYaml } from './helpers/normalize.js';

describe('splitShellWords (shlex rules)', () => {
  it.each([
    ['echo hello world', ['echo', 'hello', 'world']],
    ['sh -c "echo $HOME; ls"', ['sh', '-c', 'echo $HOME; ls']],
    ["echo 'a b' c", ['echo', 'a b', 'c']],
    ['echo a; b', ['echo', 'a;', 'b']],
    ['a|b && c > d', ['a|b', '&&', 'c', '>', 'd']],
    ['echo $HOME ${X}', ['echo', '$HOME', '${X}']],
    ['ls *.txt', ['ls', '*.txt']],
    ['echo a\\ b', ['echo', 'a b']],
    ['echo "a\\"b"', ['echo', 'a"b']],
    ['echo # not a comment', ['echo', '#', 'not', 'a', 'comment']],
    ['  spaced   out  ', ['spaced', 'out']],
    ['', []],
  ])('%j', (text, words) => {
    expect(splitShellWords(text)).toEqual(words);
  });

  it('text without quotes or backslashes splits the same on the fast path as through shell-quote', () => {
    // `"w"` forces the shell-quote path; its first word must be `w` and the rest must match the fast path.
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom(...'ab ;|&<>()#*?[]{}!$`~\t\n='), maxLength: 30 }),
        (text) => {
          const fast = splitShellWords(text);
          const slow = splitShellWords(`"w" ${text}`);
          expect(slow).toEqual(['w', ...(fast as string[])]);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('an unclosed quote is an error', () => {
    expect(splitShellWords("it's")).toBe('"it\'s" has an unclosed quote');
    expect(splitShellWords('say "hi')).toBe('"say \\"hi" has an unclosed quote');
  });
});

describe('command and entrypoint in a service', () => {
  it('strings are split, lists kept, null kept as an explicit reset', () => {
    const { stack, problems } = normalizeYaml(`services:
  a:
    image: x
    command: npm run "dev server"
    entrypoint: [/bin/sh, -c]
  b:
    image: x
    command: null
`);
    expect(problems).toEqual([]);
    expect(stack.services.a!.command).toEqual(['npm', 'run', 'dev server']);
    expect(stack.services.a!.entrypoint).toEqual(['/bin/sh', '-c']);
    expect(stack.services.b!.command).toBeNull();
    expect(stack.services.b!.entrypoint).toBeUndefined();
  });

  it('errors are located', () => {
    const { problems } = normalizeYaml(`services:
  a:
    image: x
    command: echo "oops
  b:
    image: x
    entrypoint: { sh: 1 }
`);
    expect(formatted(problems)).toEqual([
      'stack.yml:4:14 services.a.command: "echo \\"oops" has an unclosed quote',
      'stack.yml:7:17 services.b.entrypoint: expected a string or a list of strings, got a mapping',
    ]);
  });
});
