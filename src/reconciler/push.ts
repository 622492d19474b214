/**
 * `push`: which references a stack pushes and pushing them in parallel. As Compose does, only services
 * that both build and name their `image:` are pushed (the image and `build.tags`); the others have
 * nothing of their own to push.
 */
import { EngineError } from '../core/errors.js';
import type { Runtime } from '../runtime/types.js';
import type { ServiceSpec } from '../spec/types.js';
import { defaultConcurrency } from '../scheduler/apply.js';
import { limiter, pushRef, type ImageOptions } from './images.js';

/** service → the references it pushes; services with nothing to push are left out. */
export function pushTargets(specs: ServiceSpec[]): { service: string; refs: string[] }[] {
  return specs
    .filter((s) => s.build && s.image)
    .map((s) => ({ service: s.name, refs: [...new Set([s.image as string, ...(s.build?.tags ?? [])])] }));
}

/** Pushes every target; returns the failures (`service: words`) instead of stopping at the first. */
export async function pushServices(
  runtime: Runtime,
  specs: ServiceSpec[],
  opts: Pick<ImageOptions, 'bus' | 'signal' | 'concurrency'> = {},
): Promise<string[]> {
  const run = limiter(opts.concurrency ?? defaultConcurrency());
  const failures: string[] = [];
  await Promise.all(
    pushTargets(specs).flatMap(({ service, refs }) =>
      refs.map((ref) =>
        run(() => pushRef(runtime, service, ref, opts)).catch((err: unknown) => {
          failures.push(
            `service ${service}: pushing ${ref} failed: ${err instanceof Error ? err.message : String(err)}`,
          );
        }),
      ),
    ),
  );
  return failures.sort();
}

/** Pushes and throws one EngineError listing every failure. */
export async function pushServicesOrThrow(
  runtime: Runtime,
  specs: ServiceSpec[],
  opts: Pick<ImageOptions, 'bus' | 'signal' | 'concurrency'> = {},
): Promise<void> {
  const failures = await pushServices(runtime, specs, opts);
  if (failures.length > 0) throw new EngineError(failures.join('\n'));
}
