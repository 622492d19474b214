// Public entry of the runtime layer.
import { DockerRuntime } from './docker.js';
import { resolveEndpoint } from './docker-endpoint.js';
import type { Runtime, SwarmRuntime } from './types.js';

export interface ConnectOptions {
  env: Record<string, string | undefined>;
  /** Gives up connecting (the caller no longer needs the engine). */
  signal?: AbortSignal;
}

/** Connects to the engine named by DOCKER_HOST or the default socket; throws EngineError (exit 1) naming where it looked. */
export async function connectRuntime(options: ConnectOptions): Promise<Runtime> {
  return DockerRuntime.connect(resolveEndpoint(options.env), options.env, options.signal);
}

/** Connects to the engine's swarm API (`--target swarm`); same endpoint rules as connectRuntime. */
export async function connectSwarmRuntime(options: ConnectOptions): Promise<SwarmRuntime> {
  const { DockerSwarmRuntime } = await import('./docker-swarm.js');
  return DockerSwarmRuntime.connect(resolveEndpoint(options.env), options.env);
}
