/** Crash-consistency helpers: a generated N-service stack, SIGKILL of the built CLI at engine-event points, and a convergence check. */
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BIN, ROOT, docker, execIn, projectObjects, tsstack, type CliResult } from './stack-cli.js';

export const IMAGE = 'tsstack-test/busybox:latest';

/** A stack of `n` sleepers; s0 keeps a named volume; the first half carry GEN in their environment (recreated when it changes). */
export function crashStackYaml(n: number): string {
  const lines = ['services:'];
  for (let i = 0; i < n; i++) {
    lines.push(
      `  s${i}:`,
      `    image: ${IMAGE}`,
      '    command: ["sleep", "86400"]',
      // sleep as PID 1 ignores SIGTERM; SIGKILL keeps stops (and recreates) quick.
      '    stop_signal: SIGKILL',
    );
    if (i < n / 2) lines.push('    environment:', '      GEN: "${GEN:-1}"');
    if (i === 0) lines.push('    volumes:', '      - data:/data');
  }
  lines.push('volumes:', '  data: {}', '');
  return lines.join('\n');
}

export interface KillPoint {
  type: 'container' | 'network';
  action: string;
  /** Kill when this many matching events of the project were seen. */
  n: number;
}

export interface KillResult {
  killed: boolean;
  seen: number;
  cli: CliResult;
}

/** A project under test: its file, env and CLI runner. */
export class CrashProject {
  readonly file: string;
  constructor(
    readonly project: string,
    readonly dir: string,
    readonly services: number,
    readonly env: Record<string, string>,
  ) {
    this.file = join(dir, 'stack.yml');
  }

  async write(): Promise<void> {
    await writeFile(this.file, crashStackYaml(this.services));
  }

  cli(args: string[], extraEnv: Record<string, string> = {}, timeoutMs = 300_000): Promise<CliResult> {
    return tsstack(['-f', this.file, '-p', this.project, ...args], { ...this.env, ...extraEnv }, timeoutMs);
  }

  /** Runs the CLI and SIGKILLs it right after the engine reports the `n`th matching event of this project. */
  killAt(args: string[], point: KillPoint, extraEnv: Record<string, string> = {}): Promise<KillResult> {
    return runKilledAt(['-f', this.file, '-p', this.project, ...args], this.project, point, {
      ...this.env,
      ...extraEnv,
    });
  }

  /** What must hold after a converging `up -d`: exactly the desired containers, all running, hashes current, volume data kept. */
  async convergedProblems(gen: string, marker?: string): Promise<string[]> {
    const problems: string[] = [];
    const { containers, networks, volumes } = await projectObjects(this.project);
    const names = containers.map((c) => c.Names[0]?.replace(/^\//, '') ?? '').sort();
    const want = Array.from({ length: this.services }, (_, i) => `${this.project}-s${i}-1`).sort();
    if (JSON.stringify(names) !== JSON.stringify(want))
      problems.push(
        `containers: extra ${JSON.stringify(names.filter((n) => !want.includes(n)))}, missing ${JSON.stringify(want.filter((n) => !names.includes(n)))}`,
      );
    const notRunning = containers.filter((c) => c.State !== 'running').map((c) => `${c.Names[0]} ${c.State}`);
    if (notRunning.length > 0) problems.push(`not running: ${notRunning.join(', ')}`);
    const noHash = containers.filter((c) => !c.Labels['io.tsstack.config-hash']);
    if (noHash.length > 0) problems.push(`${noHash.length} containers without a config hash`);
    if (JSON.stringify(networks) !== JSON.stringify([`${this.project}_default`]))
      problems.push(`networks: ${JSON.stringify(networks)}`);
    if (JSON.stringify(volumes) !== JSON.stringify([`${this.project}_data`]))
      problems.push(`volumes: ${JSON.stringify(volumes)}`);
    const dry = await this.cli(['up', '-d', '--dry-run'], { GEN: gen });
    if (dry.stdout !== 'nothing to do\n') problems.push(`a further up would do:\n${dry.stdout}${dry.stderr}`);
    const s0 = `${this.project}-s0-1`;
    if (names.includes(s0)) {
      const env = (await docker.getContainer(s0).inspect()).Config.Env;
      if (!env.includes(`GEN=${gen}`))
        problems.push(`s0 has ${env.filter((e) => e.startsWith('GEN=')).join()} not GEN=${gen}`);
      if (marker !== undefined) {
        const got = await execIn(s0, 'cat /data/marker');
        if (got.output.trim() !== marker)
          problems.push(`volume data: ${JSON.stringify(got.output)} not ${marker}`);
      }
    }
    return problems;
  }
}

/**
 * Runs `node bin/tsstack.js ARGS` and SIGKILLs it right after the engine reports the `n`th event matching
 * `point` for `project` (containers by project label, networks by the `<project>_` prefix), so kill points
 * are real engine states, not timers.
 */
export async function runKilledAt(
  args: string[],
  project: string,
  point: KillPoint,
  env: Record<string, string> = {},
): Promise<KillResult> {
  const abort = new AbortController();
  const events = (await docker.getEvents({
    since: Math.floor(Date.now() / 1000) - 1,
    filters: JSON.stringify({ type: [point.type], event: [point.action] }),
    abortSignal: abort.signal,
  } as object)) as NodeJS.ReadableStream;
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    env: { ...process.env, NO_COLOR: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  let seen = 0;
  let killed = false;
  let buf = '';
  const started = Date.now();
  events.on('data', (chunk: Buffer) => {
    buf += chunk.toString();
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      if (!line.trim()) continue;
      const e = JSON.parse(line) as { Actor?: { Attributes?: Record<string, string> }; time?: number };
      const attrs = e.Actor?.Attributes ?? {};
      const ours =
        point.type === 'container'
          ? attrs['io.tsstack.project'] === project
          : (attrs.name ?? '').startsWith(`${project}_`);
      if (!ours || (e.time ?? 0) < Math.floor(started / 1000) - 1) continue;
      seen++;
      if (seen === point.n && child.exitCode === null) {
        killed = child.kill('SIGKILL');
      }
    }
  });
  events.on('error', () => {});
  const code = await new Promise<number>((resolve) =>
    child.once('exit', (c, sig) => resolve(sig ? 137 : (c ?? 1))),
  );
  abort.abort();
  return { killed, seen, cli: { code, stdout, stderr } };
}
