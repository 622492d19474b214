/**
 * Images, before anything is created: a local image is used when present; `build:` services are built
 * (named `<project>-<service>` without `image:`); `pull_policy` decides pulls (pull-policy.ts). Pulls
 * run in parallel under the same bound as the engine calls of `up`; builds go to BuildKit together, and
 * a build that uses another service's image as a named context after that build. Every image that cannot be had is reported
 * together in one error naming the service and the image.
 */
import { EngineError } from '../core/errors.js';
import type { EventBus } from '../events/bus.js';
import type { BuildRequest, ImageSummary, ProgressEvent, Runtime } from '../runtime/types.js';
import type { PullPolicy, ServiceSpec, Stack } from '../spec/types.js';
import { defaultConcurrency } from '../scheduler/apply.js';
import { buildDependencies, buildRequestFor } from './build-request.js';
import { serviceImage } from './desired.js';
import { decideImage, type ImageDecision } from './pull-policy.js';

export interface ImageOptions {
  /** 'always' = `--build`, 'never' = `--no-build`; default builds only what is missing. */
  build?: 'always' | 'never';
  /** `up --pull POLICY`: replaces every service's pull_policy. */
  pull?: PullPolicy;
  /** Only look locally: build and pull nothing (dry runs). */
  offline?: boolean;
  /** Most builds and pulls at once (default: the engine-call bound of `up`). */
  concurrency?: number;
  /** Memory limit of build containers (`build -m`), bytes. */
  buildMemory?: number;
  bus?: EventBus;
  signal?: AbortSignal;
}

type ImageAction = 'build' | 'pull' | 'push';

/** The image.progress and image.done events of one build, pull or push, timed from now. */
function imageReport(bus: EventBus | undefined, service: string, action: ImageAction, image: string) {
  const t0 = performance.now();
  return {
    progress: (p: ProgressEvent) =>
      bus?.emit({
        kind: 'image.progress',
        service,
        action,
        message: p.message,
        current: p.current,
        total: p.total,
        ...(p.transient ? { transient: true } : {}),
      }),
    done: () => bus?.emit({ kind: 'image.done', service, action, image, ms: performance.now() - t0 }),
  };
}

/** A counting semaphore: at most `n` tasks run at once, the rest wait in order. */
export function limiter(n: number): <T>(task: () => Promise<T>) => Promise<T> {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async (task) => {
    if (running >= n) await new Promise<void>((r) => waiting.push(r));
    running++;
    try {
      return await task();
    } finally {
      running--;
      waiting.shift()?.();
    }
  };
}

/** `build -m`: a memory limit for the build's containers (the classic builder honours it; BuildKit has none). */
function withMemory(req: BuildRequest, memory: number | undefined): BuildRequest {
  return memory ? { ...req, memory } : req;
}

/** Builds one service's image; returns its ID. */
export async function buildService(
  runtime: Runtime,
  stack: Stack,
  s: ServiceSpec,
  opts: Pick<ImageOptions, 'bus' | 'signal' | 'buildMemory'>,
): Promise<string> {
  const req = withMemory(buildRequestFor(stack, s), opts.buildMemory);
  const report = imageReport(opts.bus, s.name, 'build', req.tags[0] ?? s.name);
  const id = await runtime.buildImage(req, report.progress, opts.signal);
  report.done();
  return id;
}

/** Pulls one service's image; returns its ID. */
export async function pullService(
  runtime: Runtime,
  stack: Stack,
  s: ServiceSpec,
  opts: Pick<ImageOptions, 'bus' | 'signal'>,
): Promise<string> {
  const ref = serviceImage(stack, s);
  const report = imageReport(opts.bus, s.name, 'pull', ref);
  await runtime.pullImage(ref, report.progress, opts.signal);
  report.done();
  const img = await runtime.inspectImage(ref);
  if (!img) throw new EngineError(`image ${ref} not found after pull`);
  return img.id;
}

/** Pushes one image reference of a service. */
export async function pushRef(
  runtime: Runtime,
  service: string,
  ref: string,
  opts: Pick<ImageOptions, 'bus' | 'signal'>,
): Promise<void> {
  const report = imageReport(opts.bus, service, 'push', ref);
  await runtime.pushImage(ref, report.progress, opts.signal);
  report.done();
}

/**
 * Builds the named services (those with `build:`): every build whose named-context images are ready goes
 * to the runtime in one batch (one BuildKit session: BuildKit schedules their steps together, as Compose
 * v2's builds do), then the builds that use those images. Services sharing an image reference are built
 * once. Returns service → image ID and the failures, by service.
 */
export async function buildServices(
  runtime: Runtime,
  stack: Stack,
  specs: ServiceSpec[],
  opts: Pick<ImageOptions, 'bus' | 'signal' | 'buildMemory'>,
): Promise<{ ids: Record<string, string>; failures: Record<string, string> }> {
  const ids: Record<string, string> = {};
  const failures: Record<string, string> = {};
  const owners = new Map<string, ServiceSpec>();
  const sameAs = new Map<string, string>();
  for (const s of specs) {
    const owner = owners.get(serviceImage(stack, s));
    if (owner) sameAs.set(s.name, owner.name);
    else owners.set(serviceImage(stack, s), s);
  }
  const building = new Set([...owners.values()].map((s) => s.name));
  const depsOf = (s: ServiceSpec) => buildDependencies(s).filter((n) => building.has(n));
  let pending = [...owners.values()];
  while (pending.length > 0) {
    const ready = pending.filter((s) => depsOf(s).every((d) => d in ids || d in failures));
    if (ready.length === 0) {
      for (const s of pending)
        failures[s.name] = `build contexts form a cycle: ${pending.map((p) => p.name).join(', ')}`;
      break;
    }
    pending = pending.filter((s) => !ready.includes(s));
    const runnable: { s: ServiceSpec; req: BuildRequest }[] = [];
    for (const s of ready) {
      const failedDep = depsOf(s).find((d) => d in failures);
      if (failedDep) {
        failures[s.name] = `not built: the build of service ${failedDep}, whose image it uses, failed`;
        continue;
      }
      try {
        runnable.push({ s, req: withMemory(buildRequestFor(stack, s), opts.buildMemory) });
      } catch (err) {
        failures[s.name] = err instanceof Error ? err.message : String(err);
      }
    }
    const reports = runnable.map(({ s, req }) =>
      imageReport(opts.bus, s.name, 'build', req.tags[0] ?? s.name),
    );
    const outcomes = await runtime.buildImages(
      runnable.map((r) => r.req),
      (i, p) => reports[i]?.progress(p),
      opts.signal,
    );
    outcomes.forEach((o, i) => {
      const name = (runnable[i] as { s: ServiceSpec }).s.name;
      if ('id' in o) {
        ids[name] = o.id;
        reports[i]?.done();
      } else failures[name] = o.error;
    });
  }
  for (const [name, owner] of sameAs) {
    if (owner in ids) ids[name] = ids[owner] as string;
    else if (owner in failures) failures[name] = failures[owner] as string;
  }
  return { ids, failures };
}

/** The selected services plus those whose images their builds use as named contexts. */
function withBuildDependencies(stack: Stack, specs: ServiceSpec[]): ServiceSpec[] {
  const out = new Map(specs.map((s) => [s.name, s]));
  const queue = [...specs];
  for (let s = queue.shift(); s; s = queue.shift()) {
    for (const n of buildDependencies(s)) {
      const d = stack.services[n];
      if (d && !out.has(n)) {
        out.set(n, d);
        queue.push(d);
      }
    }
  }
  return [...out.values()];
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
  const selected = services.map((n) => stack.services[n]).filter((s): s is ServiceSpec => !!s);
  const specs = withBuildDependencies(stack, selected);
  const refs = [...new Set(specs.map((s) => serviceImage(stack, s)))];
  const local = new Map<string, ImageSummary | undefined>(
    await Promise.all(refs.map(async (r) => [r, await runtime.inspectImage(r)] as const)),
  );
  const now = Date.now();
  const decisions = new Map<string, ImageDecision>();
  for (const s of specs) {
    const present = local.get(serviceImage(stack, s));
    decisions.set(s.name, opts.offline && present ? 'use' : decideImage(s, present, opts, now));
  }
  const ids: Record<string, string> = {};
  const errors: string[] = [];
  const run = limiter(opts.concurrency ?? defaultConcurrency());
  const toBuild = specs.filter((s) => decisions.get(s.name) === 'build' && !opts.offline);
  const pulls = new Map<string, Promise<string>>();
  const collectBuilds = ({ ids: built, failures }: Awaited<ReturnType<typeof buildServices>>) => {
    Object.assign(ids, built);
    for (const [name, words] of Object.entries(failures))
      errors.push(
        `service ${name}: building image ${serviceImage(stack, stack.services[name] as ServiceSpec)} failed: ${words}`,
      );
  };
  // A service that can build its image builds it when the pull its policy asked for fails (as in Compose).
  const fallback: ServiceSpec[] = [];
  await Promise.all([
    buildServices(runtime, stack, toBuild, opts).then(collectBuilds),
    ...specs.map(async (s) => {
      const ref = serviceImage(stack, s);
      const decision = decisions.get(s.name);
      if (decision === 'build' && !opts.offline) return;
      if (decision === 'use') {
        ids[s.name] = (local.get(ref) as ImageSummary).id;
        return;
      }
      if (opts.offline || decision === 'missing') {
        errors.push(
          `service ${s.name}: image ${ref} not found locally${decision === 'missing' ? ' (pull_policy: never)' : ''}`,
        );
        return;
      }
      let p = pulls.get(ref);
      if (!p) {
        p = run(() => pullService(runtime, stack, s, opts));
        pulls.set(ref, p);
      }
      try {
        ids[s.name] = await p;
      } catch (err) {
        const words = err instanceof Error ? err.message : String(err);
        if (s.build && opts.build !== 'never') {
          opts.bus?.emit({
            kind: 'warning',
            message: `service ${s.name}: pulling ${ref} failed; building it: ${words}`,
          });
          fallback.push(s);
        } else
          errors.push(
            `service ${s.name}: image ${ref} is not available locally and could not be pulled: ${words}`,
          );
      }
    }),
  ]);
  if (fallback.length > 0) collectBuilds(await buildServices(runtime, stack, fallback, opts));
  if (errors.length > 0)
    throw new EngineError(`${errors.sort().join('\n')}\nno container, network or volume was created`);
  return Object.fromEntries(Object.entries(ids).filter(([n]) => services.includes(n)));
}
