import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { extract } from 'tar-stream';
import { afterEach, describe, expect, it } from 'vitest';
import { buildContextTar, dockerignoreMatcher } from '../../../src/runtime/build-context.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function context(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'tsstack-ctx-'));
  dirs.push(dir);
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  return dir;
}

async function entries(tar: NodeJS.ReadableStream): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const ex = extract();
  ex.on('entry', (header, stream, next) => {
    let body = '';
    stream.on('data', (d: unknown) => (body += String(d)));
    stream.on('end', () => {
      if (header.type === 'file') out.set(header.name, body);
      next();
    });
  });
  await new Promise<void>((resolve, reject) => {
    ex.on('finish', resolve);
    ex.on('error', reject);
    tar.pipe(ex);
  });
  return out;
}

describe('dockerignoreMatcher', () => {
  it('anchors patterns at the root like Docker, with ** for any depth and ! exceptions', () => {
    const { ignores, hasExceptions } = dockerignoreMatcher(
      '# c\n*.log\n/tmp\n./cache\n**/*.bak\n!keep.bak\n',
    );
    expect(ignores('a.log')).toBe(true);
    expect(ignores('sub/a.log')).toBe(false);
    expect(ignores('tmp')).toBe(true);
    expect(ignores('cache')).toBe(true);
    expect(ignores('x/y/z.bak')).toBe(true);
    expect(ignores('keep.bak')).toBe(false);
    expect(hasExceptions).toBe(true);
  });
});

describe('buildContextTar', () => {
  it('sends what .dockerignore keeps, and always the Dockerfile and .dockerignore', async () => {
    const dir = context({
      Dockerfile: 'FROM scratch',
      '.dockerignore': 'Dockerfile\n.dockerignore\nsecret\nnode_modules\n*.log\n',
      'app.js': 'x',
      secret: 's',
      'node_modules/m/index.js': 'm',
      'root.log': 'l',
      'src/deep.log': 'kept: *.log is root-only',
    });
    const ctx = buildContextTar({ context: dir });
    expect(ctx.dockerfile).toBe('Dockerfile');
    const names = [...(await entries(ctx.tar)).keys()].sort();
    expect(names).toEqual(['.dockerignore', 'Dockerfile', 'app.js', 'src/deep.log']);
  });

  it('walks an ignored folder when an exception reaches into it', async () => {
    const dir = context({
      '.dockerignore': 'docs\n!docs/keep.md\n',
      'docs/keep.md': 'k',
      'docs/drop.md': 'd',
    });
    const names = [...(await entries(buildContextTar({ context: dir }).tar)).keys()].sort();
    expect(names).toEqual(['.dockerignore', 'docs/keep.md']);
  });

  it('adds an inline Dockerfile, and one from outside the context, under a generated name', async () => {
    const dir = context({ 'a.txt': 'a' });
    const inline = buildContextTar({ context: dir, dockerfileInline: 'FROM scratch\n' });
    const files = await entries(inline.tar);
    expect(files.get(inline.dockerfile)).toBe('FROM scratch\n');
    expect(files.has('a.txt')).toBe(true);

    const outside = context({ 'other.Dockerfile': 'FROM busybox\n' });
    const ext = buildContextTar({ context: dir, dockerfile: join(outside, 'other.Dockerfile') });
    expect((await entries(ext.tar)).get(ext.dockerfile)).toBe('FROM busybox\n');

    const inside = buildContextTar({ context: dir, dockerfile: 'build/Dockerfile.dev' });
    expect(inside.dockerfile).toBe('build/Dockerfile.dev');
    expect([...(await entries(inside.tar)).keys()]).toEqual(['a.txt']);
  });
});
