/**
 * Images, before anything is created: a local image is used when present; `build:` services are built
 * through the engine (named `<project>-<service>` without `image:`); `pull_policy` decides pulls. Every
 * image that cannot be had is reported together in one error naming the service and the image.
 */
import { EngineError } from '../core/errors.js';
import type { EventBus } from '../events/bus.js';
import type { ProgressEvent, Runtime } from '../runtime/types.js';
import type { ServiceSpec, Stack } from '../spec/types.js';
import { serviceImage } from './desired.js';
import { LABEL } from '../model/labels.js';

export interface ImageOptions {
  /** 'always' = `--build`, 'never' = `--no-build`; default builds only what is missing. */
  build?: 'always' | 'never';
  /** Only look locally: build and pull nothing (dry runs). */
  offline?: boolean;
  /** Memory limit of build containers (`build -m`), bytes. */
  buildMemory?: number;
  bus?: EventBus;
  signal?: AbortSignal;
}

type Decision = 'use' | 'build' | 'pull' | 'missing';

function decide(s: ServiceSpec, present: boolean, opts: ImageOptions): Decision {
  const policy = s.pull_policy ?? 'missing';
  const canBuild = !!s.build && opts.build !== 'never';
  if (canBuild && (opts.build === 'always' || policy === 'build')) return 'build';
  if (policy === 'always' && !s.build) return 'pull';
  if (present) return 'use';
  if (canBuild) return 'build';
  if (policy === 'never') return 'missing';
  return 'pull';
}

/** The image.progress and image.done events of one build or pull, timed from now. */
function imageReport(opts: ImageOptions, service: string, action: 'build' | 'pull', image: string) {
  const t0 = performance.now();
  return {
    progress: (p: ProgressEvent) =>
      opts.bus?.emit({
        kind: 'image.progress',
        service,
        action,
        message: p.message,
        current: p.current,
        total: p.total,
      }),
    done: () => opts.bus?.emit({ kind: 'image.done', service, action, image, ms: performance.now() - t0 }),
  };
}

/** Builds one service's image; returns its ID. */
export async function buildService(
  runtime: Runtime,
  stack: Stack,
  s: ServiceSpec,
  opts: ImageOptions,
): Promise<string> {
  const b = s.build;
  if (!b) throw new EngineError(`service ${s.name} has no build section`);
  const ref = serviceImage(stack, s);
  const report = imageReport(opts, s.name, 'build', ref);
  const id = await runtime.buildImage(
    {
      context: b.context,
      dockerfile: b.dockerfile,
      dockerfileInline: b.dockerfile_inline,
      tags: [ref, ...(b.tags ?? [])],
      args: Object.fromEntries(Object.entries(b.args).filter((e): e is [string, string] => e[1] !== null)),
      target: b.target,
      labels: { ...b.labels, [LABEL.project]: stack.name, [LABEL.service]: s.name },
      noCache: b.no_cache,
      pull: b.pull,
      network: b.network,
      extraHosts: b.extra_hosts,
      shmSize: b.shm_size,
      ...(opts.buildMemory ? { memory: opts.buildMemory } : {}),
    },
    report.progress,
    opts.signal,
  );
  report.done();
  return id;
}

/** Pulls one service's image; returns its ID. */
export async function pullService(
  runtime: Runtime,
  stack: Stack,
  s: ServiceSpec,
  opts: ImageOptions,
): Promise<string> {
  const ref = serviceImage(stack, s);
  const report = imageReport(opts, s.name, 'pull', ref);
  await runtime.pullImage(ref, report.progress, opts.signal);
  report.done();
  const img = await runtime.inspectImage(ref);
  if (!img) throw new EngineError(`image ${ref} not found after pull`);
  return img.id;
}

/**
 * Makes sure every named service has its image and returns service → image ID.
 * Services sharing a reference are resolved once; builds and pulls run in parallel.
 */
export async function ensureImages(
  runtime: Runtime,
  stack: Stack,
  services: string[],
  opts: ImageOptions = {},
): Promise<Record<string, string>> {
  const specs = services.map((n) => stack.services[n]).filter((s): s is ServiceSpec => !!s);
  const refs = [...new Set(specs.map((s) => serviceImage(stack, s)))];
  const local = new Map(
    await Promise.all(refs.map(async (r) => [r, await runtime.inspectImage(r)] as const)),
  );
  const ids: Record<string, string> = {};
  const errors: string[] = [];
  const inFlight = new Map<string, Promise<string>>();
  await Promise.all(
    specs.map(async (s) => {
      const ref = serviceImage(stack, s);
      const present = local.get(ref);
      const decision = opts.offline && present ? 'use' : decide(s, !!present, opts);
      try {
        if (decision === 'use') ids[s.name] = (present as { id: string }).id;
        else if (opts.offline || decision === 'missing')
          errors.push(
            `service ${s.name}: image ${ref} not found locally${decision === 'missing' ? ' (pull_policy: never)' : ''}`,
          );
        else {
          let p = inFlight.get(ref);
          if (!p) {
            p =
              decision === 'build'
                ? buildService(runtime, stack, s, opts)
                : pullService(runtime, stack, s, opts);
            inFlight.set(ref, p);
          }
          ids[s.name] = await p;
        }
      } catch (err) {
        const words = err instanceof Error ? err.message : String(err);
        errors.push(
          decision === 'build'
            ? `service ${s.name}: building image ${ref} failed: ${words}`
            : `service ${s.name}: image ${ref} is not available locally and could not be pulled: ${words}`,
        );
      }
    }),
  );
  if (errors.length > 0)
    throw new EngineError(`${errors.sort().join('\n')}\nno container, network or volume was created`);
  return ids;
}
