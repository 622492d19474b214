/**
 * Several builds in one `docker-buildx bake`, as Compose v2 builds a stack in one BuildKit session: one
 * buildx process instead of one per service (each costs a process start, a builder lookup and a session
 * on the engine, which adds up to most of a no-change build). Progress names carry the target
 * (`[t0 base 2/3] RUN ...`) and are routed back to their request.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { BuildxProgress } from './buildx-progress.js';
import { buildFailure, runBuildx } from './buildx.js';
import type { BuildOutcome, BuildRequest, ProgressEvent } from './types.js';

type Env = Record<string, string | undefined>;

/** Whether buildx 0.13's bake file can say everything the request asks (no network, hosts, entitlements, ssh). */
export function bakeable(req: BuildRequest): boolean {
  return !req.network && !req.extraHosts?.length && !req.entitlements?.length && !req.ssh?.length;
}

const targetName = (i: number) => `t${i}`;

/** The bake file (JSON form) for the requests, one target `t<index>` each. */
export function bakeDefinition(reqs: BuildRequest[]): unknown {
  const target: Record<string, unknown> = {};
  reqs.forEach((req, i) => {
    target[targetName(i)] = {
      context: req.context,
      ...(req.dockerfileInline !== undefined
        ? { 'dockerfile-inline': req.dockerfileInline }
        : { dockerfile: resolve(req.context, req.dockerfile ?? 'Dockerfile') }),
      tags: req.tags,
      args: req.args,
      labels: req.labels,
      ...(req.target ? { target: req.target } : {}),
      ...(req.noCache ? { 'no-cache': true } : {}),
      ...(req.pull ? { pull: true } : {}),
      ...(req.shmSize ? { 'shm-size': String(req.shmSize) } : {}),
      ...(req.ulimits && Object.keys(req.ulimits).length
        ? { ulimits: Object.entries(req.ulimits).map(([n, u]) => `${n}=${u.soft}:${u.hard}`) }
        : {}),
      ...(req.secrets?.length
        ? {
            secret: req.secrets.map((s) =>
              s.file ? `id=${s.id},src=${s.file}` : `id=${s.id},env=${s.env ?? s.id}`,
            ),
          }
        : {}),
      ...(req.additionalContexts && Object.keys(req.additionalContexts).length
        ? { contexts: req.additionalContexts }
        : {}),
      ...(req.cacheFrom?.length ? { 'cache-from': req.cacheFrom } : {}),
      ...(req.cacheTo?.length ? { 'cache-to': req.cacheTo } : {}),
      ...(req.platforms?.length ? { platforms: req.platforms } : {}),
      output: ['type=docker'],
    };
  });
  return { group: { default: { targets: reqs.map((_, i) => targetName(i)) } }, target };
}

/** Runs one bake for all requests; resolves with each request's image ID or its failure. */
export async function bakeWithBuildx(
  bin: string,
  env: Env,
  reqs: BuildRequest[],
  onProgress: (index: number, p: ProgressEvent) => void,
  signal?: AbortSignal,
): Promise<BuildOutcome[]> {
  const dir = await mkdtemp(join(tmpdir(), 'tsstack-bake-'));
  try {
    const file = join(dir, 'bake.json');
    const metadata = join(dir, 'metadata.json');
    await writeFile(file, JSON.stringify(bakeDefinition(reqs)));
    const progress = new BuildxProgress(true);
    const indexOf = (target: string | undefined) => (target?.startsWith('t') ? Number(target.slice(1)) : -1);
    const code = await runBuildx(
      bin,
      ['bake', '-f', file, '--progress=rawjson', '--metadata-file', metadata],
      env,
      {
        signal,
        onLine: (l) => {
          for (const p of progress.line(l)) {
            const i = indexOf(p.target);
            if (i >= 0 && i < reqs.length) onProgress(i, p);
          }
        },
      },
    );
    const meta = JSON.parse(await readFile(metadata, 'utf8').catch(() => '{}')) as Record<
      string,
      Record<string, string>
    >;
    const failedIndex = indexOf(progress.failedTarget());
    return reqs.map((req, i) => {
      // The image ID: the config digest; Docker 20.10's exporter reports it as containerimage.digest only.
      const m = meta[targetName(i)];
      const id = m?.['containerimage.config.digest'] ?? m?.['containerimage.digest'];
      if (code === 0 && id) return { id };
      if (i === failedIndex || (failedIndex < 0 && code !== 0)) {
        return { error: buildFailure(progress, req, /^target t\d+: /) };
      }
      return {
        error:
          code === 0
            ? 'buildx finished without reporting the image ID'
            : 'stopped: another build of the batch failed',
      };
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
