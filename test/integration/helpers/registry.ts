/**
 * A private registry per test file: scripts/test-registry.sh starts Debian's docker-registry on a free
 * 127.0.0.1 port with htpasswd (bcrypt) auth, in this process's network namespace (so the engine the
 * tests run against can reach it), and a Docker config directory with its credentials.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './stack-cli.js';

export interface TestRegistry {
  /** `127.0.0.1:PORT`. */
  address: string;
  user: string;
  password: string;
  /** A DOCKER_CONFIG folder whose config.json holds the right credentials (`auths`). */
  dockerConfig: string;
  /** Writes another DOCKER_CONFIG folder with `config` as its config.json; returns its path. */
  writeConfig(name: string, config: unknown): Promise<string>;
  stop(): Promise<void>;
}

function script(args: string[], env: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      'bash',
      [join(ROOT, 'scripts/test-registry.sh'), ...args],
      { env: { ...process.env, ...env }, timeout: 60_000 },
      (err, stdout, stderr) =>
        err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout.trim()),
    );
  });
}

export async function startRegistry(): Promise<TestRegistry> {
  const dir = await mkdtemp(join(tmpdir(), 'tsstack-registry-'));
  const user = `user-${randomBytes(3).toString('hex')}`;
  const password = `pw-${randomBytes(12).toString('hex')}`;
  const address = await script(['start', join(dir, 'registry'), user], {
    TSSTACK_REGISTRY_PASSWORD: password,
  });
  const writeConfig = async (name: string, config: unknown): Promise<string> => {
    const d = join(dir, name);
    await mkdir(d, { recursive: true });
    await writeFile(join(d, 'config.json'), JSON.stringify(config, null, 2));
    return d;
  };
  const auth = Buffer.from(`${user}:${password}`).toString('base64');
  const dockerConfig = await writeConfig('docker-config', { auths: { [address]: { auth } } });
  return {
    address,
    user,
    password,
    dockerConfig,
    writeConfig,
    async stop() {
      await script(['stop', join(dir, 'registry')], {}).catch(() => {});
      await rm(dir, { recursive: true, force: true });
    },
  };
}
