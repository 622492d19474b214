import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authKeyOf, hostOfAuthKey, parseImageRef } from '../../../src/runtime/image-ref.js';
import {
  credentialSource,
  credentialsFromEntry,
  dockerConfigPath,
  readDockerConfig,
  RegistryAuth,
} from '../../../src/runtime/registry-auth.js';

const HELPERS = fileURLToPath(new URL('../../integration/fixtures/credential-helpers', import.meta.url));
let dir = '';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tsstack-auth-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('image references', () => {
  it.each([
    ['busybox', 'docker.io', 'library/busybox', undefined],
    ['busybox:1.36', 'docker.io', 'library/busybox', '1.36'],
    ['me/app:2', 'docker.io', 'me/app', '2'],
    ['127.0.0.1:5000/team/app:1', '127.0.0.1:5000', 'team/app', '1'],
    ['localhost/app', 'localhost', 'app', undefined],
    ['ghcr.io/o/app@sha256:abc', 'ghcr.io', 'o/app', undefined],
    ['index.docker.io/library/nginx', 'docker.io', 'library/nginx', undefined],
  ])('%s is %s / %s', (ref, registry, repository, tag) => {
    const r = parseImageRef(ref);
    expect([r.registry, r.repository, r.tag]).toEqual([registry, repository, tag]);
  });

  it('Docker Hub credentials live under its legacy URL; config keys reduce to hosts', () => {
    expect(authKeyOf('docker.io')).toBe('https://index.docker.io/v1/');
    expect(authKeyOf('reg:5000')).toBe('reg:5000');
    expect(hostOfAuthKey('https://index.docker.io/v1/')).toBe('docker.io');
    expect(hostOfAuthKey('http://reg.example:5000/v2/')).toBe('reg.example:5000');
  });
});

describe('the Docker config file', () => {
  it('is $DOCKER_CONFIG/config.json, else ~/.docker/config.json', () => {
    expect(dockerConfigPath({ DOCKER_CONFIG: '/c' })).toBe('/c/config.json');
    expect(dockerConfigPath({ HOME: '/home/u' })).toBe('/home/u/.docker/config.json');
  });

  it('a missing file is an empty config; a broken one is an error that quotes none of it', async () => {
    expect(await readDockerConfig(join(dir, 'none.json'))).toEqual({});
    const broken = join(dir, 'broken.json');
    await writeFile(broken, '{"auths": {"r": {"auth": "c2VjcmV0LXZhbHVl"');
    const err = (await readDockerConfig(broken).catch((e: unknown) => e)) as Error;
    expect(err.message).toBe(`the Docker config file ${broken} is not valid JSON`);
  });

  it('credHelpers beat credsStore, which beats auths', () => {
    const config = {
      auths: { 'reg.a': { auth: 'eDp5' }, 'https://reg.b/v1/': { auth: 'eDp5' } },
      credHelpers: { 'reg.a': 'pass' },
    };
    expect(credentialSource(config, 'reg.a')).toEqual({
      kind: 'helper',
      helper: 'pass',
      from: 'credHelpers',
    });
    expect(credentialSource(config, 'reg.b')).toEqual({ kind: 'file', entry: { auth: 'eDp5' } });
    expect(credentialSource({ ...config, credsStore: 'secretservice' }, 'reg.b')).toMatchObject({
      helper: 'secretservice',
      from: 'credsStore',
    });
    expect(credentialSource(config, 'reg.c')).toEqual({ kind: 'file' });
  });

  it('an auths entry: base64 user:password (a colon in the password kept), or an identity token', () => {
    const auth = Buffer.from('alice:pa:ss').toString('base64');
    expect(credentialsFromEntry({ auth }, 'r')).toEqual({
      serveraddress: 'r',
      username: 'alice',
      password: 'pa:ss',
    });
    expect(credentialsFromEntry({ identitytoken: 'tok' }, 'r')).toEqual({
      serveraddress: 'r',
      identitytoken: 'tok',
    });
    expect(credentialsFromEntry({}, 'r')).toBeUndefined();
  });
});

describe('credential helpers', () => {
  const env = (extra: Record<string, string>) => ({
    ...process.env,
    PATH: `${HELPERS}:${process.env.PATH}`,
    ...extra,
  });

  it('asks docker-credential-NAME with the registry on stdin; <token> marks an identity token', async () => {
    const answer = join(dir, 'answer.json');
    const log = join(dir, 'helper.log');
    const config = join(dir, 'helper-config');
    await writeFile(answer, JSON.stringify({ Username: 'bob', Secret: 'hunter2' }));
    await import('node:fs/promises').then((fs) => fs.mkdir(config, { recursive: true }));
    await writeFile(
      join(config, 'config.json'),
      JSON.stringify({ credHelpers: { 'reg.example:5000': 'tsstacktest' } }),
    );
    const auth = new RegistryAuth(
      env({ DOCKER_CONFIG: config, TSSTACK_TEST_HELPER_FILE: answer, TSSTACK_TEST_HELPER_LOG: log }),
    );
    expect(await auth.forImage('reg.example:5000/app:1')).toEqual({
      serveraddress: 'reg.example:5000',
      username: 'bob',
      password: 'hunter2',
    });
    // Asked once per registry per process.
    await auth.forImage('reg.example:5000/other:2');
    expect((await import('node:fs/promises').then((fs) => fs.readFile(log, 'utf8'))).trim()).toBe(
      'reg.example:5000',
    );
    await writeFile(answer, JSON.stringify({ Username: '<token>', Secret: 'tok-123' }));
    const again = new RegistryAuth(env({ DOCKER_CONFIG: config, TSSTACK_TEST_HELPER_FILE: answer }));
    expect(await again.forImage('reg.example:5000/app:1')).toEqual({
      serveraddress: 'reg.example:5000',
      identitytoken: 'tok-123',
    });
  });

  it('"credentials not found" means anonymous; a missing helper is an error naming it', async () => {
    const config = join(dir, 'store-config');
    await import('node:fs/promises').then((fs) => fs.mkdir(config, { recursive: true }));
    await writeFile(join(config, 'config.json'), JSON.stringify({ credsStore: 'tsstacktest' }));
    const anon = new RegistryAuth(
      env({ DOCKER_CONFIG: config, TSSTACK_TEST_HELPER_FILE: join(dir, 'nope') }),
    );
    expect(await anon.forImage('busybox')).toBeUndefined();
    await writeFile(join(config, 'config.json'), JSON.stringify({ credsStore: 'tsstack-absent' }));
    const missing = new RegistryAuth(env({ DOCKER_CONFIG: config }));
    await expect(missing.forImage('busybox')).rejects.toThrow(
      'credential helper docker-credential-tsstack-absent for docker.io: docker-credential-tsstack-absent is not installed (not found on PATH)',
    );
  });
});
