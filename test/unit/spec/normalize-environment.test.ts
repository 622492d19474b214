import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatted, normalizeYaml } from './helpers/normalize.js';

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tsstack-env-'));
  writeFileSync(
    join(dir, 'common.env'),
    '# comment\nA=from-common\nB="quoted value"\nexport C=exported\nD\n\nE=x # trailing\n',
  );
  writeFileSync(join(dir, 'local.env'), "A=from-local\nF='single $X'\n");
  writeFileSync(join(dir, 'raw.env'), 'R="kept quotes"\n');
  writeFileSync(join(dir, 'bad.env'), 'GOOD=1\nthis is not an assignment\n');
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const envOf = (service: string, env: Record<string, string> = {}) => {
  const { stack, problems } = normalizeYaml(`services:\n  web:\n    image: x\n${service}`, {
    projectDir: dir,
    env,
  });
  return { env: stack.services.web!.environment, problems: formatted(problems) };
};

describe('environment', () => {
  it('list form: KEY=VALUE, and a bare KEY from the project variables or unset', () => {
    expect(
      envOf('    environment:\n      - A=1\n      - B=x=y\n      - HOME\n      - MISSING\n', {
        HOME: '/home/u',
      }),
    ).toEqual({
      env: { A: '1', B: 'x=y', HOME: '/home/u', MISSING: null },
      problems: [],
    });
  });

  it('map form: numbers and booleans become strings, null takes the variable', () => {
    expect(
      envOf('    environment:\n      N: 5\n      T: true\n      S: text\n      V: null\n', { V: 'v' }),
    ).toEqual({
      env: { N: '5', T: 'true', S: 'text', V: 'v' },
      problems: [],
    });
  });

  it('a list entry without a name is an error', () => {
    expect(envOf('    environment:\n      - =oops\n').problems).toEqual([
      'stack.yml:5:9 services.web.environment[0]: "=oops" has no name before "="',
    ]);
  });
});

describe('env_file', () => {
  it('a single file, read relative to the project folder', () => {
    expect(envOf('    env_file: common.env\n', { D: 'from-shell' })).toEqual({
      env: { A: 'from-common', B: 'quoted value', C: 'exported', D: 'from-shell', E: 'x' },
      problems: [],
    });
  });

  it('later files win over earlier ones, and environment wins over all', () => {
    const { env } = envOf(
      '    env_file: [common.env, local.env]\n    environment: { B: from-environment }\n',
    );
    expect(env).toMatchObject({ A: 'from-local', B: 'from-environment', F: 'single $X' });
  });

  it('long form: a missing file with required: false is skipped; format: raw keeps values verbatim', () => {
    const { env, problems } = envOf(
      '    env_file:\n      - path: ./missing.env\n        required: false\n      - path: raw.env\n        format: raw\n',
    );
    expect(problems).toEqual([]);
    expect(env).toEqual({ R: '"kept quotes"' });
  });

  it('a missing required file is a located error', () => {
    const { problems } = envOf('    env_file:\n      - common.env\n      - nope.env\n');
    expect(problems).toEqual([
      `stack.yml:6:9 services.web.env_file[1]: env file ${join(dir, 'nope.env')} not found`,
    ]);
  });

  it('a missing file in the long form without required: false is an error too', () => {
    const { problems } = envOf('    env_file:\n      - path: nope.env\n');
    expect(problems).toEqual([
      `stack.yml:5:9 services.web.env_file[0]: env file ${join(dir, 'nope.env')} not found`,
    ]);
  });

  it('a line that is not an assignment is located in the env file', () => {
    const { problems } = envOf('    env_file: bad.env\n');
    expect(problems).toEqual([
      `${join(dir, 'bad.env')}:2:1 services.web.env_file: "this is not an assignment" is not a variable assignment (expected KEY=value)`,
    ]);
  });
});
