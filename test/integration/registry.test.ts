// Registries with credentials, against a real registry (Debian's docker-registry with htpasswd bcrypt auth,
// started here by scripts/test-registry.sh): build → push → remove → up pulls it back with the credentials
// of a test DOCKER_CONFIG; a wrong password fails with the registry's words and creates nothing; a
// credential helper is honoured and a missing one is named; a build FROM a private image; pull policies.
// No password or token may appear in any output.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRegistry, type TestRegistry } from './helpers/registry.js';
import {
  docker,
  projectObjects,
  removeProject,
  ROOT,
  tsstack,
  uniqueName,
  type CliResult,
} from './helpers/stack-cli.js';

const project = uniqueName('t-registry');
let reg: TestRegistry;
let tmp = '';
let file = '';
let image = '';
const outputs: string[] = [];

async function cli(args: string[], env: Record<string, string> = {}, f = file): Promise<CliResult> {
  const r = await tsstack(
    ['-f', f, '-p', project, ...args],
    { DOCKER_CONFIG: reg.dockerConfig, ...env },
    180_000,
  );
  outputs.push(r.stdout, r.stderr);
  return r;
}

async function removeImage(ref: string): Promise<void> {
  await docker
    .getImage(ref)
    .remove({ force: true })
    .catch(() => {});
}

const running = async (service: string) =>
  (await projectObjects(project)).containers.filter((c) => c.Labels['io.tsstack.service'] === service);

beforeAll(async () => {
  reg = await startRegistry();
  tmp = await mkdtemp(join(tmpdir(), 'tsstack-registry-test-'));
  image = `${reg.address}/${project}/app:1`;
  await mkdir(join(tmp, 'app'));
  await writeFile(
    join(tmp, 'app/Dockerfile'),
    'FROM tsstack-test/busybox:latest\nRUN echo from-the-registry > /msg\nCMD ["sh", "-c", "trap \'exit 0\' TERM; sleep 3600 & wait"]\n',
  );
  file = join(tmp, 'stack.yml');
  await writeFile(
    file,
    [
      'services:',
      '  app:',
      '    build: ./app',
      `    image: ${image}`,
      '    pull_policy: ${POLICY:-missing}',
      '  plain:',
      '    image: tsstack-test/busybox:latest',
      '    command: ["true"]',
      '    profiles: [extra]',
      '',
    ].join('\n'),
  );
});

afterAll(async () => {
  await removeProject(project);
  const mine = await docker.listImages({ filters: { reference: [`${reg.address}/${project}/*`] } });
  for (const i of mine) for (const t of i.RepoTags ?? []) await removeImage(t);
  await removeImage(`${project}-derived`);
  await reg?.stop();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe('a private registry with credentials', () => {
  it('build, push, remove the local image, then up pulls it back with the Docker config credentials', async () => {
    expect((await cli(['build'])).code).toBe(0);
    const pushed = await cli(['push']);
    expect(pushed.stderr).toContain(`Image ${image}  Pushed`);
    expect(pushed.code).toBe(0);
    await removeImage(image);
    const up = await cli(['up', '-d', '--no-build']);
    expect(up.stderr).toContain(`Image ${image}  Pulled`);
    expect(up.code).toBe(0);
    const [c] = await running('app');
    expect(c?.Image).toBe(image);
    expect((await cli(['down', '-t', '1'])).code).toBe(0);
  });

  it('a wrong password fails with the registry’s words and creates nothing', async () => {
    await removeImage(image);
    const auth = Buffer.from(`${reg.user}:not-the-password`).toString('base64');
    const wrong = await reg.writeConfig('wrong', { auths: { [reg.address]: { auth } } });
    const r = await cli(['up', '-d', '--no-build'], { DOCKER_CONFIG: wrong });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/unauthorized|authentication required/i);
    expect(r.stderr).toContain(image);
    expect(r.stderr).not.toContain('not-the-password');
    expect(await projectObjects(project)).toEqual({ containers: [], networks: [], volumes: [] });
  });

  it('a credential helper named in credHelpers is asked, with the registry as the server', async () => {
    const helperLog = join(tmp, 'helper.log');
    const answer = join(tmp, 'helper-answer.json');
    await writeFile(
      answer,
      JSON.stringify({ ServerURL: reg.address, Username: reg.user, Secret: reg.password }),
    );
    const config = await reg.writeConfig('helper', { credHelpers: { [reg.address]: 'tsstacktest' } });
    const env = {
      DOCKER_CONFIG: config,
      PATH: `${join(ROOT, 'test/integration/fixtures/credential-helpers')}:${process.env.PATH ?? ''}`,
      TSSTACK_TEST_HELPER_FILE: answer,
      TSSTACK_TEST_HELPER_LOG: helperLog,
    };
    await removeImage(image);
    const r = await cli(['pull', 'app'], env);
    expect(r.stderr).toContain(`Image ${image}  Pulled`);
    expect(r.code).toBe(0);
    expect((await readFile(helperLog, 'utf8')).trim().split('\n')).toContain(reg.address);
  });

  it('a helper that is not installed is an error naming it', async () => {
    const config = await reg.writeConfig('missing-helper', {
      credHelpers: { [reg.address]: 'tsstack-nonexistent' },
    });
    // up, not pull: pull only warns about a service that can build its image.
    await removeImage(image);
    const r = await cli(['up', '-d', '--no-build'], { DOCKER_CONFIG: config });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('credential helper docker-credential-tsstack-nonexistent');
    expect(r.stderr).toContain('is not installed');
    expect(await projectObjects(project)).toEqual({ containers: [], networks: [], volumes: [] });
  });

  it('a build FROM a private image pulls its base with the credentials', async () => {
    await removeImage(image);
    await mkdir(join(tmp, 'derived'));
    await writeFile(join(tmp, 'derived/Dockerfile'), `FROM ${image}\nRUN cat /msg > /derived\n`);
    const derivedFile = join(tmp, 'derived.yml');
    await writeFile(derivedFile, 'services:\n  derived:\n    build: ./derived\n');
    const anonymous = await reg.writeConfig('anonymous', {});
    const denied = await cli(['build'], { DOCKER_CONFIG: anonymous }, derivedFile);
    expect(denied.code).toBe(1);
    expect(denied.stderr).toMatch(/unauthorized|authentication required|no basic auth credentials/i);
    const ok = await cli(['build'], {}, derivedFile);
    expect(ok.stderr).toContain(`Image ${project}-derived  Built`);
    expect(ok.code).toBe(0);
  });
});

describe('pull policies', () => {
  it('missing uses the local image; always pulls each time; never fails when it is missing', async () => {
    const present = await cli(['pull', 'app']);
    expect(present.code).toBe(0);
    const missing = await cli(['up', '-d', '--no-build', '--dry-run']);
    expect(missing.code).toBe(0);
    const always = await cli(['up', '-d', '--no-build'], { POLICY: 'always' });
    expect(always.stderr).toContain(`Image ${image}  Pulled`);
    expect(always.code).toBe(0);
    const again = await cli(['up', '-d', '--no-build'], { POLICY: 'missing' });
    expect(again.stderr).not.toContain('Pulled');
    expect((await cli(['down', '-t', '1'])).code).toBe(0);
    await removeImage(image);
    const never = await cli(['up', '-d', '--no-build'], { POLICY: 'never' });
    expect(never.code).toBe(1);
    expect(never.stderr).toContain('pull_policy: never');
    expect(await projectObjects(project)).toEqual({ containers: [], networks: [], volumes: [] });
  });

  it('every_1s pulls again once the image was pulled a second ago; daily does not', async () => {
    expect((await cli(['pull', 'app'])).code).toBe(0);
    await new Promise((r) => setTimeout(r, 1100));
    const stale = await cli(['up', '-d', '--no-build'], { POLICY: 'every_1s' });
    expect(stale.stderr).toContain(`Image ${image}  Pulled`);
    const fresh = await cli(['up', '-d', '--no-build'], { POLICY: 'daily' });
    expect(fresh.stderr).not.toContain('Pulled');
    expect(fresh.code).toBe(0);
    expect((await cli(['down', '-t', '1'])).code).toBe(0);
  });

  it('up --pull overrides the policy; pull --policy missing, --ignore-buildable and -q', async () => {
    const override = await cli(['up', '-d', '--no-build', '--pull', 'always'], { POLICY: 'never' });
    expect(override.stderr).toContain(`Image ${image}  Pulled`);
    expect((await cli(['down', '-t', '1'])).code).toBe(0);
    const skipPresent = await cli(['pull', '--policy', 'missing']);
    expect(skipPresent.code).toBe(0);
    expect(skipPresent.stderr).not.toContain('Pulled');
    const buildable = await cli(['pull', '--ignore-buildable']);
    expect(buildable.code).toBe(0);
    expect(buildable.stderr).not.toContain(image);
    const quiet = await cli(['pull', '-q']);
    expect(quiet).toMatchObject({ code: 0, stdout: '', stderr: '' });
    const bad = await cli(['up', '--pull', 'sometimes']);
    expect(bad.code).toBe(2);
  });
});

describe('secrets stay out of the output', () => {
  it('no password or token appears in any output of these tests, nor in config', async () => {
    const config = await cli(['config']);
    expect(config.code).toBe(0);
    const auth = Buffer.from(`${reg.user}:${reg.password}`).toString('base64');
    for (const text of outputs) {
      expect(text).not.toContain(reg.password);
      expect(text).not.toContain(auth);
    }
    expect(outputs.length).toBeGreaterThan(20);
  });
});
