/**
 * A single-node swarm for one test file: holds the swarm test lock (swarm-lock.ts) from before `swarm
 * init` until after `swarm leave`, initialises a swarm on 127.0.0.1 only when the engine is in none, and
 * on `end()` leaves it again (only then) and removes the docker_gwbridge network when this file made it
 * (`swarm init` creates it and `swarm leave` keeps it), so the engine is left as it was found.
 */
import { acquireSwarmLock } from './swarm-lock.js';
import { docker } from './stack-cli.js';

export interface SwarmSession {
  /** Leaves the swarm if this session made it, then releases the lock (also when leaving failed). */
  end(): Promise<void>;
}

export async function startSwarmSession(): Promise<SwarmSession> {
  const release = await acquireSwarmLock();
  let initialisedHere = false;
  let gwbridgeBefore = true;
  try {
    const info = (await docker.info()) as { Swarm?: { LocalNodeState?: string } };
    if (info.Swarm?.LocalNodeState !== 'active') {
      gwbridgeBefore = (await docker.listNetworks({ filters: { name: ['docker_gwbridge'] } })).some(
        (n) => n.Name === 'docker_gwbridge',
      );
      await docker.swarmInit({ ListenAddr: '127.0.0.1:2377', AdvertiseAddr: '127.0.0.1' });
      initialisedHere = true;
    }
  } catch (err) {
    release();
    throw err;
  }
  return {
    async end() {
      try {
        if (!initialisedHere) return;
        await docker.swarmLeave({ force: true });
        if (!gwbridgeBefore) await removeGwbridge();
      } finally {
        release();
      }
    },
  };
}

/** Removes docker_gwbridge (after a swarm leave; the ingress sandbox can hold it for a moment). */
export async function removeGwbridge(): Promise<void> {
  for (let i = 0; i < 20; i++) {
    const gone = await docker
      .getNetwork('docker_gwbridge')
      .remove()
      .then(() => true)
      .catch((e: { statusCode?: number }) => e.statusCode === 404);
    if (gone) return;
    await new Promise((r) => setTimeout(r, 500));
  }
}

/**
 * Removes every swarm object of a project by its label, whatever a test got to: services (then waits up to
 * `waitMs` for their containers to go), secrets, configs, networks and volumes.
 */
export async function removeSwarmProject(project: string, waitMs = 60_000): Promise<void> {
  const filters = JSON.stringify({ label: [`io.tsstack.project=${project}`] });
  const quietly = (p: Promise<unknown>) => p.catch(() => {});
  for (const s of await docker.listServices({ filters })) await quietly(docker.getService(s.ID).remove());
  const until = Date.now() + waitMs;
  while (Date.now() < until) {
    if ((await docker.listContainers({ all: true, filters })).length === 0) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  for (const s of await docker.listSecrets({ filters })) await quietly(docker.getSecret(s.ID).remove());
  for (const c of await docker.listConfigs({ filters })) await quietly(docker.getConfig(c.ID).remove());
  for (const n of await docker.listNetworks({ filters })) await quietly(docker.getNetwork(n.Id).remove());
  for (const v of (await docker.listVolumes({ filters })).Volumes ?? [])
    await quietly(docker.getVolume(v.Name).remove());
}
