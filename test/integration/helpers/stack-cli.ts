/** Integration helpers: run the built CLI as a user would, and clean up a project's objects by label. */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import Docker from 'dockerode';
import { loadStack } from '../../../src/spec/index.js';
import type { Stack } from '../../../src/spec/types.js';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const BIN = `${ROOT}bin/tsstack.js`;
/** The `tsstack` command as npm installs it (a shell script that runs BIN). */
export const COMMAND = `${ROOT}bin/tsstack`;
export const docker = new Docker();

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * `node bin/tsstack.js ARGS` (needs `npm run build`), or with `viaCommand` `bin/tsstack ARGS`; never throwing
 * on a non-zero exit.
 */
export function tsstack(
  args: string[],
  env: Record<string, string> = {},
  timeoutMs = 60_000,
  viaCommand = false,
): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      viaCommand ? COMMAND : process.execPath,
      viaCommand ? args : [BIN, ...args],
      { cwd: ROOT, env: { ...process.env, NO_COLOR: '1', ...env }, timeout: timeoutMs },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

export function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

/** A TCP port that was free a moment ago on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0 }, () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Everything the engine has with this project's label. */
export async function projectObjects(
  project: string,
): Promise<{ containers: Docker.ContainerInfo[]; networks: string[]; volumes: string[] }> {
  const filters = JSON.stringify({ label: [`io.tsstack.project=${project}`] });
  const [containers, networks, volumes] = await Promise.all([
    docker.listContainers({ all: true, filters }),
    docker.listNetworks({ filters }),
    docker.listVolumes({ filters }),
  ]);
  return {
    containers,
    networks: networks.map((n) => n.Name),
    volumes: (volumes.Volumes ?? []).map((v) => v.Name),
  };
}

/** Removes every container, network and volume labelled with the project (for afterAll). */
export async function removeProject(project: string): Promise<void> {
  const { containers, networks, volumes } = await projectObjects(project);
  await Promise.all(
    containers.map((c) =>
      docker
        .getContainer(c.Id)
        .remove({ force: true, v: true })
        .catch(() => {}),
    ),
  );
  await Promise.all(
    networks.map((n) =>
      docker
        .getNetwork(n)
        .remove()
        .catch(() => {}),
    ),
  );
  await Promise.all(
    volumes.map((v) =>
      docker
        .getVolume(v)
        .remove()
        .catch(() => {}),
    ),
  );
}

/** Polls `check` until it returns true or `timeoutMs` passes. */
export async function eventually(
  check: () => Promise<boolean>,
  timeoutMs = 20_000,
  stepMs = 200,
): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check().catch(() => false)) return true;
    await new Promise((r) => setTimeout(r, stepMs));
  }
  return false;
}

/** A container's combined log output (the test image never uses a TTY). */
export async function containerLogs(idOrName: string): Promise<string> {
  const buf = (await docker.getContainer(idOrName).logs({ stdout: true, stderr: true })) as unknown as Buffer;
  return buf.toString('utf8');
}

/** Runs a shell command inside a container; resolves with its exit code and combined output. */
export async function execIn(idOrName: string, script: string): Promise<{ code: number; output: string }> {
  const exec = await docker
    .getContainer(idOrName)
    .exec({ Cmd: ['sh', '-c', script], AttachStdout: true, AttachStderr: true });
  const stream = await exec.start({});
  const chunks: Buffer[] = [];
  const sink = new PassThrough();
  sink.on('data', (c: Buffer) => chunks.push(c));
  docker.modem.demuxStream(stream, sink, sink);
  await new Promise<void>((resolve) => stream.on('end', () => resolve()));
  const info = await exec.inspect();
  return { code: info.ExitCode ?? -1, output: Buffer.concat(chunks).toString('utf8') };
}

/** Writes `yaml` to a new file in `dir` and loads it as project `project`, with no environment or flags. */
export async function loadStackText(dir: string, project: string, yaml: string): Promise<Stack> {
  const file = join(dir, `stack-${Math.random().toString(36).slice(2, 8)}.yml`);
  writeFileSync(file, yaml);
  return loadStackFile(file, project, dir);
}

/** Loads `file` as project `project` from `cwd`, with no environment or flags. */
export async function loadStackFile(file: string, project: string, cwd: string): Promise<Stack> {
  const { stack } = await loadStack({
    files: [file],
    cwd,
    projectName: project,
    envFiles: [],
    profiles: [],
    env: {},
  });
  return stack;
}

export interface RunningCli {
  child: ChildProcess;
  /** Everything printed so far. */
  out: { stdout: string; stderr: string };
  /** The exit code (null when killed by a signal). */
  exited: Promise<number | null>;
  /** The JSON lines printed on stdout so far (`--log-format json`). */
  jsonLines: () => Record<string, unknown>[];
}

/**
 * Ends a CLI started by spawnCli: SIGTERM unless it was already sent one (a second SIGTERM while it
 * detaches would kill it, its handler gone), SIGKILL after `graceMs` if it is still there; its exit code.
 */
export async function stopCli(cli: RunningCli, graceMs = 20_000): Promise<number | null> {
  if (!cli.child.killed) cli.child.kill('SIGTERM');
  const kill = setTimeout(() => cli.child.kill('SIGKILL'), graceMs);
  try {
    return await cli.exited;
  } finally {
    clearTimeout(kill);
  }
}

/** Starts `node bin/tsstack.js ARGS` in the background (with `env` added), collecting its output. */
export function spawnCli(args: string[], env: Record<string, string> = {}): RunningCli {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    env: { ...process.env, NO_COLOR: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out = { stdout: '', stderr: '' };
  child.stdout.on('data', (c: Buffer) => (out.stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out.stderr += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const jsonLines = () =>
    out.stdout
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  return { child, out, exited, jsonLines };
}
