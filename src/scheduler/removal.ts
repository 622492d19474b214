/**
 * Removals that finish the job when an earlier run left work running in the engine. A SIGKILLed `down`
 * leaves its DELETE requests running: the next run lists those containers and its own remove meets
 * "removal of container ... is already in progress" (409), or "No such container" (404) once they are
 * gone; and a network whose containers were just removed can still report their endpoints for a moment.
 * None of this is a failure: wait for the engine to finish (bounded), then go on. Nothing here removes
 * anything the plan did not already name, so only the project's labelled objects are touched.
 */
import { EngineError } from '../core/errors.js';
import type { RemoveOptions, Runtime } from '../runtime/types.js';

export interface AwaitOptions {
  /** Networks: give up sooner when the engine refuses although it lists no endpoint (ms). */
  staleAfterMs?: number;
  /** Give up after this long (ms); the error then says what is still in progress. */
  timeoutMs?: number;
  /** First poll interval (ms); it doubles up to 1 s. */
  pollMs?: number;
  signal?: AbortSignal;
}

/** Default bounds: deleting a big writable layer can take the engine many seconds. */
export const CONTAINER_REMOVAL_TIMEOUT_MS = 120_000;
export const NETWORK_DETACH_TIMEOUT_MS = 30_000;
/** How long a refusal with no endpoint left at all may last before it is taken for a stale count. */
export const NETWORK_STALE_COUNT_MS = 5_000;

function statusOf(err: unknown): number | undefined {
  return err instanceof EngineError ? err.statusCode : undefined;
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The engine's 409 for a second DELETE while the first is still running. */
export function isRemovalInProgress(err: unknown): boolean {
  return statusOf(err) === 409 && /removal of container .* is already in progress/i.test(message(err));
}

/** The engine's refusal to remove a network that still has endpoints (403 on Docker 20.10). */
export function isActiveEndpoints(err: unknown): boolean {
  return /has active endpoints/i.test(message(err));
}

/** The container is not there (any more): removed, or stopped because there is nothing left to stop. */
export function isNoSuchContainer(err: unknown): boolean {
  return statusOf(err) === 404;
}

/** Stops a container; one that is already gone counts as stopped. */
export async function stopContainerTolerant(runtime: Runtime, ref: string, timeout?: number): Promise<void> {
  try {
    await runtime.stopContainer(ref, timeout);
  } catch (err) {
    if (!isNoSuchContainer(err)) throw err;
  }
}

/**
 * Removes a container. When another removal of it is already in progress (a killed run's), waits until
 * the engine reports it gone; if that removal ends without removing it (the container is left `dead`,
 * stopped or still running), removes it again. A container that is already gone counts as removed.
 */
export async function removeContainerAwaiting(
  runtime: Runtime,
  ref: string,
  opts: RemoveOptions,
  wait: AwaitOptions = {},
): Promise<void> {
  // Removed (or already gone): true; another removal in progress: false; anything else throws.
  const attempt = async (): Promise<boolean> => {
    try {
      await runtime.removeContainer(ref, opts);
      return true;
    } catch (err) {
      if (isNoSuchContainer(err)) return true;
      if (!isRemovalInProgress(err)) throw err;
      return false;
    }
  };
  if (await attempt()) return;
  const timeoutMs = wait.timeoutMs ?? CONTAINER_REMOVAL_TIMEOUT_MS;
  const deadline = Date.now() + timeoutMs;
  let poll = wait.pollMs ?? 100;
  for (;;) {
    if (Date.now() >= deadline)
      throw new EngineError(
        `remove container ${ref}: an earlier removal of it is still in progress after ${Math.round(timeoutMs / 1000)} s`,
        409,
      );
    await sleep(poll, wait.signal);
    poll = Math.min(1000, poll * 2);
    const c = await runtime.inspectContainer(ref);
    if (!c) return;
    // While the engine deletes it, it shows "removing"; before its kill lands it may still show
    // "running", and then a remove just meets the same 409 again.
    if (c.state === 'removing') continue;
    if (await attempt()) return;
  }
}

/**
 * Removes a network. While the engine says it has active endpoints and every one of them belongs to a
 * container that is gone or being removed (the project's just-removed containers, detaching), waits and
 * tries again. An endpoint of a live container (say, another project's container connected to it) fails
 * at once, in the engine's words: that network is still in use and is left alone.
 *
 * Docker 20.10 (and later, moby/moby#42119) can also keep a stale endpoint count: the network lists no
 * endpoint at all and is still refused, until the daemon restarts. Nothing in the API clears that, so
 * after a short wait this fails saying so (the network stays; the next `up` reuses it).
 */
export async function removeNetworkAwaiting(
  runtime: Runtime,
  name: string,
  wait: AwaitOptions = {},
): Promise<void> {
  const timeoutMs = wait.timeoutMs ?? NETWORK_DETACH_TIMEOUT_MS;
  const deadline = Date.now() + timeoutMs;
  const staleAfterMs = wait.staleAfterMs ?? NETWORK_STALE_COUNT_MS;
  let emptySince: number | undefined;
  let poll = wait.pollMs ?? 100;
  for (;;) {
    let refusal: unknown;
    try {
      await runtime.removeNetwork(name);
      return;
    } catch (err) {
      if (!isActiveEndpoints(err)) throw err;
      refusal = err;
    }
    const { live: users, endpoints } = await attached(runtime, name);
    if (users.length > 0)
      throw new EngineError(`${message(refusal)} (still used by ${users.join(', ')})`, statusOf(refusal));
    emptySince = endpoints === 0 ? (emptySince ?? Date.now()) : undefined;
    if (emptySince !== undefined && Date.now() - emptySince >= staleAfterMs)
      throw new EngineError(
        `${message(refusal)}, yet no container or endpoint is attached to it: the engine's endpoint count ` +
          'for it is stale (a Docker engine bug, moby/moby#42119, cleared only when the daemon restarts); ' +
          'the network is left in place and the next `up` reuses it',
        statusOf(refusal),
      );
    if (Date.now() >= deadline)
      throw new EngineError(
        `${message(refusal)} (the endpoints of removed containers did not detach within ${Math.round(timeoutMs / 1000)} s)`,
        statusOf(refusal),
      );
    await sleep(poll, wait.signal);
    poll = Math.min(1000, poll * 2);
  }
}

/**
 * Names of live containers (not gone, not being removed) with an endpoint on the network, and how many
 * endpoints it lists (undefined when the runtime does not say).
 */
async function attached(
  runtime: Runtime,
  network: string,
): Promise<{ live: string[]; endpoints: number | undefined }> {
  const n = await runtime.inspectNetwork(network);
  const live: string[] = [];
  for (const id of n?.containers ?? []) {
    const c = await runtime.inspectContainer(id);
    if (c && c.state !== 'removing') live.push(c.name);
  }
  return { live, endpoints: n?.containers?.length };
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason ?? new Error('aborted'));
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason ?? new Error('aborted'));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
