import { describe, expect, it } from 'vitest';
import { parseDotenv } from '../../../src/spec/dotenv.js';

const parse = (text: string, env: Record<string, string> = {}) => parseDotenv(text, '.env', (n) => env[n]);

describe('parseDotenv', () => {
  it('reads KEY=value lines, skipping blanks and comments', () => {
    const r = parse('# comment\n\nA=1\n  B = two words  \nexport C=3\n   # indented comment\n');
    expect(r.problems).toEqual([]);
    expect(r.vars).toEqual({ A: '1', B: 'two words', C: '3' });
  });

  it('cuts inline comments only after whitespace in unquoted values', () => {
    expect(parse('A=x # note\nB=x#not-a-comment\nC=#x\n').vars).toEqual({
      A: 'x',
      B: 'x#not-a-comment',
      C: '#x',
    });
  });

  it('keeps single-quoted values literally', () => {
    expect(parse("A='$HOME \\n # x'  # c\nB=''\n").vars).toEqual({ A: '$HOME \\n # x', B: '' });
  });

  it('handles escapes and multi-line values in double quotes', () => {
    const r = parse('A="line1\\nline2\\t\\"q\\" \\\\ \\$X"\nB="first\nsecond\nthird"\nC=after\n');
    expect(r.problems).toEqual([]);
    expect(r.vars).toEqual({ A: 'line1\nline2\t"q" \\ $X', B: 'first\nsecond\nthird', C: 'after' });
  });

  it('expands variables from the environment, then from earlier lines', () => {
    const r = parse('BASE=/srv\nDATA=${BASE}/data\nHOME_DIR="$HOME/x"\nLIT=\'${BASE}\'\nDEF=${NOPE:-d}\n', {
      HOME: '/root',
    });
    expect(r.vars).toEqual({
      BASE: '/srv',
      DATA: '/srv/data',
      HOME_DIR: '/root/x',
      LIT: '${BASE}',
      DEF: 'd',
    });
  });

  it('keeps text that is not a valid reference as written', () => {
    expect(parse('PASS=a$1b\n').vars).toEqual({ PASS: 'a$1b' });
  });

  it('takes a bare KEY from the environment when set', () => {
    expect(parse('USER\nMISSING\n', { USER: 'me' }).vars).toEqual({ USER: 'me' });
  });

  it('accepts CRLF line endings and empty values', () => {
    expect(parse('A=1\r\nB=\r\n').vars).toEqual({ A: '1', B: '' });
  });

  it('locates an unterminated quote and bad names', () => {
    const r = parse('OK=1\n1BAD=x\nQ="never closed\nmore\n');
    expect(r.problems).toEqual([
      { location: { file: '.env', line: 2, col: 1 }, path: [], message: 'invalid variable name "1BAD"' },
      {
        location: { file: '.env', line: 3, col: 3 },
        path: [],
        message: 'unterminated double-quoted value for Q',
      },
    ]);
    expect(r.vars).toEqual({ OK: '1' });
  });

  it('reports text after a closing quote', () => {
    const r = parse('A="x" y\n');
    expect(r.problems[0]?.message).toBe('unexpected text after the quoted value of A: "y"');
  });
});

describe('projectEnv', () => {
  it('keeps a variable named __proto__ as a plain variable', async () => {
    const { projectEnv } = await import('../../../src/spec/project-env.js');
    const env = projectEnv(
      {},
      '/nowhere',
      ['x.env'],
      { read: () => '__proto__=polluted\nA=1\n', display: (f) => f },
      [],
    );
    expect(Object.getPrototypeOf(env)).toBeNull();
    expect(Object.keys(env).sort()).toEqual(['A', '__proto__']);
    expect(Object.getOwnPropertyDescriptor(env, '__proto__')?.value).toBe('polluted');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('lets the process environment win over env files, later files over earlier ones', async () => {
    const { projectEnv } = await import('../../../src/spec/project-env.js');
    const files: Record<string, string> = { 'a.env': 'X=a\nY=a\nZ=a\n', 'b.env': 'Y=b\nZ=b\n' };
    const env = projectEnv(
      { Z: 'process' },
      '/p',
      ['a.env', 'b.env'],
      { read: (f) => files[f], display: (f) => f },
      [],
    );
    expect(env).toMatchObject({ X: 'a', Y: 'b', Z: 'process' });
  });
});
