/**
 * Registry credentials, read the way the Docker CLI reads them: `$DOCKER_CONFIG/config.json` (default
 * `~/.docker/config.json`), where `credHelpers` names a helper per registry, `credsStore` a helper for all
 * others, and `auths` holds what `docker login` stored without a helper. Helpers are the
 * `docker-credential-NAME` programs of the docker-credential-helpers protocol (`get`, server URL on stdin,
 * JSON on stdout).
 *
 * Nothing here ever puts a password or token into a message: errors name the file, the helper and the
 * registry only.
 */
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { EngineError } from '../core/errors.js';
import { authKeyOf, hostOfAuthKey, parseImageRef } from './image-ref.js';

/** What the Engine API takes in `X-Registry-Auth` (a token, or a user name and password). */
export interface RegistryCredentials {
  serveraddress: string;
  username?: string;
  password?: string;
  identitytoken?: string;
}

interface AuthEntry {
  auth?: string;
  username?: string;
  password?: string;
  identitytoken?: string;
}

export interface DockerConfigFile {
  auths?: Record<string, AuthEntry>;
  credsStore?: string;
  credHelpers?: Record<string, string>;
}

type Env = Record<string, string | undefined>;

const HELPER_TIMEOUT_MS = 60_000;

/** `$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`. */
export function dockerConfigPath(env: Env): string {
  const dir = env.DOCKER_CONFIG || join(env.HOME || homedir(), '.docker');
  return join(dir, 'config.json');
}

/** The config file, or an empty one when there is none; a file that is not JSON is an error naming it. */
export async function readDockerConfig(path: string): Promise<DockerConfigFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new EngineError(`cannot read the Docker config file ${path}: ${(err as Error).message}`);
  }
  try {
    const parsed = JSON.parse(text) as unknown;
    return parsed && typeof parsed === 'object' ? (parsed as DockerConfigFile) : {};
  } catch {
    // JSON.parse's message quotes the text around the error, which may be a password: not repeated.
    throw new EngineError(`the Docker config file ${path} is not valid JSON`);
  }
}

/** Which source holds a registry's credentials: a helper (per registry, else the store) or `auths`. */
export function credentialSource(
  config: DockerConfigFile,
  registry: string,
):
  | { kind: 'helper'; helper: string; from: 'credHelpers' | 'credsStore' }
  | { kind: 'file'; entry?: AuthEntry } {
  for (const [key, helper] of Object.entries(config.credHelpers ?? {}))
    if (hostOfAuthKey(key) === registry && helper) return { kind: 'helper', helper, from: 'credHelpers' };
  if (config.credsStore) return { kind: 'helper', helper: config.credsStore, from: 'credsStore' };
  for (const [key, entry] of Object.entries(config.auths ?? {}))
    if (hostOfAuthKey(key) === registry) return { kind: 'file', entry };
  return { kind: 'file' };
}

/** Credentials from an `auths` entry: `auth` is base64 of `user:password`; an identity token wins. */
export function credentialsFromEntry(
  entry: AuthEntry,
  serveraddress: string,
): RegistryCredentials | undefined {
  let { username, password } = entry;
  if (entry.auth) {
    const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon > 0) {
      username = decoded.slice(0, colon);
      password = decoded.slice(colon + 1);
    }
  }
  if (entry.identitytoken)
    return { serveraddress, ...(username ? { username } : {}), identitytoken: entry.identitytoken };
  if (!username && !password) return undefined;
  return { serveraddress, username, password };
}

/** Runs `docker-credential-NAME get` for one server; undefined when the helper has nothing stored for it. */
export async function credentialsFromHelper(
  helper: string,
  serverUrl: string,
  registry: string,
  env: Env,
): Promise<RegistryCredentials | undefined> {
  const program = `docker-credential-${helper}`;
  const { code, stdout, failure } = await runHelper(program, serverUrl, env);
  if (failure) throw new EngineError(`credential helper ${program} for ${registry}: ${failure}`);
  const out = stdout.trim();
  if (code !== 0) {
    // The protocol's words for "nothing stored": then the registry is tried without credentials.
    if (/credentials not found/i.test(out)) return undefined;
    throw new EngineError(
      `credential helper ${program} failed for ${registry} (exit code ${code})${out ? `: ${firstLine(out)}` : ''}`,
    );
  }
  let answer: { Username?: string; Secret?: string };
  try {
    answer = JSON.parse(out) as typeof answer;
  } catch {
    throw new EngineError(
      `credential helper ${program} answered for ${registry} with something that is not JSON`,
    );
  }
  if (!answer.Secret) return undefined;
  // `<token>` as the user name marks an identity token (docker-credential-helpers' convention).
  if (answer.Username === '<token>') return { serveraddress: serverUrl, identitytoken: answer.Secret };
  return { serveraddress: serverUrl, username: answer.Username ?? '', password: answer.Secret };
}

function firstLine(s: string): string {
  return (s.split('\n')[0] ?? '').slice(0, 300);
}

function runHelper(
  program: string,
  input: string,
  env: Env,
): Promise<{ code: number; stdout: string; failure?: string }> {
  return new Promise((resolve) => {
    let settled = false;
    const done = (r: { code: number; stdout: string; failure?: string }) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(r);
    };
    const child = spawn(program, ['get'], { env: env as NodeJS.ProcessEnv, stdio: ['pipe', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => chunks.push(c));
    child.stderr.resume();
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      done({ code: -1, stdout: '', failure: `no answer within ${HELPER_TIMEOUT_MS / 1000} s` });
    }, HELPER_TIMEOUT_MS);
    child.on('error', (err: NodeJS.ErrnoException) =>
      done({
        code: -1,
        stdout: '',
        failure: err.code === 'ENOENT' ? `${program} is not installed (not found on PATH)` : err.message,
      }),
    );
    child.on('close', (code) => done({ code: code ?? -1, stdout: Buffer.concat(chunks).toString('utf8') }));
    child.stdin.on('error', () => {});
    child.stdin.end(input);
  });
}

/** Looks credentials up per registry once per process, as a command pulls or pushes several images. */
export class RegistryAuth {
  private config: Promise<DockerConfigFile> | undefined;
  private readonly cache = new Map<string, Promise<RegistryCredentials | undefined>>();

  constructor(private readonly env: Env) {}

  /** Credentials for the registry of `ref`, or undefined to go without (anonymous). */
  forImage(ref: string): Promise<RegistryCredentials | undefined> {
    return this.forRegistry(parseImageRef(ref).registry);
  }

  forRegistry(registry: string): Promise<RegistryCredentials | undefined> {
    let hit = this.cache.get(registry);
    if (!hit) {
      hit = this.lookup(registry);
      this.cache.set(registry, hit);
    }
    return hit;
  }

  private async lookup(registry: string): Promise<RegistryCredentials | undefined> {
    this.config ??= readDockerConfig(dockerConfigPath(this.env));
    const config = await this.config;
    const key = authKeyOf(registry);
    const source = credentialSource(config, registry);
    if (source.kind === 'helper') return credentialsFromHelper(source.helper, key, registry, this.env);
    return source.entry ? credentialsFromEntry(source.entry, key) : undefined;
  }
}
