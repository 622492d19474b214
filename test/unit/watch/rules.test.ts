import { describe, expect, it } from 'vitest';
import {
  compileRule,
  compileServiceRules,
  isBuiltinIgnored,
  matchingRules,
  prunable,
  relativeInside,
} from '../../../src/watch/rules.js';
import { rule, service } from './helpers.js';

const ROOT = '/proj/app';

describe('relativeInside', () => {
  it('gives the POSIX path inside the root, empty for the root, undefined outside', () => {
    expect(relativeInside(ROOT, '/proj/app/src/a.ts')).toBe('src/a.ts');
    expect(relativeInside(ROOT, ROOT)).toBe('');
    expect(relativeInside(ROOT, '/proj/apple/a.ts')).toBeUndefined();
    expect(relativeInside(ROOT, '/proj/other')).toBeUndefined();
  });
});

describe('built-in ignores', () => {
  it.each([
    'a.ts~',
    '.a.ts.swp',
    '.a.ts.swx',
    '.#a.ts',
    '#a.ts#',
    '4913',
    'x.tmp',
    'src/.git/index',
    '.git/HEAD',
  ])('ignores editor temp and git file %s', (rel) => expect(isBuiltinIgnored(rel, false)).toBe(true));

  it('ignores node_modules unless allowed', () => {
    expect(isBuiltinIgnored('node_modules/x/index.js', false)).toBe(true);
    expect(isBuiltinIgnored('pkg/node_modules/x.js', false)).toBe(true);
    expect(isBuiltinIgnored('node_modules/x/index.js', true)).toBe(false);
  });

  it('keeps ordinary files', () => {
    for (const rel of ['src/a.ts', 'tmp/a.ts', 'a.swp', 'gitlog.txt', '49130']) {
      expect(isBuiltinIgnored(rel, false)).toBe(false);
    }
  });
});

describe('compileRule', () => {
  it('matches paths under the rule path only', () => {
    const m = compileRule('web', rule({ path: ROOT, target: '/app' }));
    expect(m.matches('/proj/app/src/index.js')).toBe(true);
    expect(m.matches('/proj/app')).toBe(true);
    expect(m.matches('/proj/apple/index.js')).toBe(false);
    expect(m.matches('/proj/stack.yml')).toBe(false);
  });

  it('never matches editor temp files, .git and node_modules churn', () => {
    const m = compileRule('web', rule({ path: ROOT, target: '/app' }));
    expect(m.matches('/proj/app/src/.index.js.swp')).toBe(false);
    expect(m.matches('/proj/app/src/index.js~')).toBe(false);
    expect(m.matches('/proj/app/4913')).toBe(false);
    expect(m.matches('/proj/app/.git/objects/ab/cd')).toBe(false);
    expect(m.matches('/proj/app/node_modules/left-pad/index.js')).toBe(false);
  });

  it('lets node_modules through when include names it explicitly', () => {
    const m = compileRule('web', rule({ path: ROOT, target: '/app', include: ['node_modules/**'] }));
    expect(m.matches('/proj/app/node_modules/left-pad/index.js')).toBe(true);
    expect(m.matches('/proj/app/src/a.js')).toBe(false);
  });

  it('honours gitignore-style ignore patterns relative to the rule path', () => {
    const m = compileRule(
      'web',
      rule({ path: ROOT, target: '/app', ignore: ['dist/', '*.log', '!keep.log', '/top.txt'] }),
    );
    expect(m.matches('/proj/app/dist/bundle.js')).toBe(false);
    expect(m.matches('/proj/app/dist', true)).toBe(false);
    expect(m.matches('/proj/app/src/debug.log')).toBe(false);
    expect(m.matches('/proj/app/keep.log')).toBe(true);
    expect(m.matches('/proj/app/top.txt')).toBe(false);
    expect(m.matches('/proj/app/src/top.txt')).toBe(true);
    expect(m.matches('/proj/app/src/index.js')).toBe(true);
  });

  it('applies include globs to files (basename for slash-less patterns), not to folders', () => {
    const m = compileRule('web', rule({ path: ROOT, target: '/app', include: ['*.js', 'static/**'] }));
    expect(m.matches('/proj/app/src/deep/a.js')).toBe(true);
    expect(m.matches('/proj/app/static/img/logo.png')).toBe(true);
    expect(m.matches('/proj/app/src/a.css')).toBe(false);
    expect(m.matches('/proj/app/src', true)).toBe(true);
  });

  it('matches a rule whose path is a single file', () => {
    const m = compileRule('web', rule({ path: '/proj/app/package.json', action: 'rebuild' }));
    expect(m.matches('/proj/app/package.json')).toBe(true);
    expect(m.matches('/proj/app/package-lock.json')).toBe(false);
  });

  it('prunes folders nothing can match, never an ancestor of the rule path', () => {
    const m = compileRule('web', rule({ path: ROOT, target: '/app', ignore: ['dist/'] }));
    expect(m.prunes('/proj/app/node_modules')).toBe(true);
    expect(m.prunes('/proj/app/.git')).toBe(true);
    expect(m.prunes('/proj/app/dist')).toBe(true);
    expect(m.prunes('/proj/app/src')).toBe(false);
    expect(m.prunes('/proj')).toBe(false);
    expect(m.prunes('/elsewhere')).toBe(true);
  });
});

describe('.dockerignore', () => {
  const files: Record<string, string> = {
    '/proj/app/.dockerignore': 'secret.txt\n**/*.md\n!README.md\ncoverage\nDockerfile\n',
  };
  const read = (f: string) => files[f];

  it('is honoured for rules under the build context', () => {
    const svc = service(
      'web',
      [rule({ path: ROOT, target: '/app' }), rule({ path: '/proj/app/src', action: 'rebuild' })],
      {
        build: { context: ROOT, args: {}, labels: {} },
      },
    );
    const [sync, rebuild] = compileServiceRules(svc, read);
    expect(sync?.matches('/proj/app/secret.txt')).toBe(false);
    expect(sync?.matches('/proj/app/sub/secret.txt')).toBe(true); // anchored: only the root one
    expect(sync?.matches('/proj/app/docs/guide.md')).toBe(false);
    expect(sync?.matches('/proj/app/README.md')).toBe(true);
    expect(sync?.matches('/proj/app/coverage/lcov.info')).toBe(false);
    expect(rebuild?.matches('/proj/app/src/notes.md')).toBe(false);
    expect(rebuild?.matches('/proj/app/src/index.js')).toBe(true);
    // The build always needs its Dockerfile, even when .dockerignore lists it.
    expect(sync?.matches('/proj/app/Dockerfile')).toBe(true);
  });

  it('does not apply outside the build context or without a build', () => {
    const withBuild = service('web', [rule({ path: '/proj/shared', target: '/shared' })], {
      build: { context: ROOT, args: {}, labels: {} },
    });
    expect(compileServiceRules(withBuild, read)[0]?.matches('/proj/shared/secret.txt')).toBe(true);
    const noBuild = service('web', [rule({ path: ROOT, target: '/app' })]);
    expect(compileServiceRules(noBuild, read)[0]?.matches('/proj/app/secret.txt')).toBe(true);
  });

  it('follows Docker: last match wins, so an exception re-includes a file under an excluded folder', () => {
    const svc = service('web', [rule({ path: ROOT, target: '/app' })], {
      build: { context: ROOT, args: {}, labels: {} },
    });
    const r = (f: string) => (f === '/proj/app/.dockerignore' ? 'assets\n!assets/keep.css\n' : undefined);
    const [m] = compileServiceRules(svc, r);
    expect(m?.matches('/proj/app/assets/big.png')).toBe(false);
    expect(m?.matches('/proj/app/assets/keep.css')).toBe(true);
    expect(m?.matches('/proj/app/assets', true)).toBe(true);
  });
});

describe('matchingRules and prunable across services', () => {
  it('returns every rule of every service that matches', () => {
    const rules = [
      ...compileServiceRules(service('web', [rule({ path: ROOT, target: '/app' })])),
      ...compileServiceRules(service('worker', [rule({ path: '/proj/app/src', action: 'rebuild' })])),
    ];
    expect(matchingRules(rules, '/proj/app/src/a.ts').map((r) => r.service)).toEqual(['web', 'worker']);
    expect(matchingRules(rules, '/proj/app/README').map((r) => r.service)).toEqual(['web']);
    expect(prunable(rules, '/proj/app/node_modules')).toBe(true);
    expect(prunable(rules, '/proj/app/lib')).toBe(false);
  });
});
