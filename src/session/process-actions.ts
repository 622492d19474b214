/**
 * What watch mode and the UI's keys do to a host process: restart every replica of it, or run its
 * `build` command (its output on the bus as the process's log lines) and then restart it.
 */
import type { EventBus } from '../events/bus.js';
import type { ProcessHost } from '../model/process-host.js';
import { runCommand } from '../runtime/process/run-command.js';
import type { Stack } from '../spec/types.js';

export interface ProcessActions {
  restart(service: string): Promise<void>;
  rebuild(service: string): Promise<void>;
}

export function processActions(host: ProcessHost, stack: () => Stack, bus: EventBus): ProcessActions {
  const restart = async (service: string): Promise<void> => {
    const replicas = (await host.list()).filter((p) => p.service === service);
    if (replicas.length === 0) throw new Error(`host process ${service} has no replica to restart`);
    await Promise.all(replicas.map((p) => host.restart(p.name)));
  };
  return {
    restart,
    async rebuild(service) {
      const p = stack().processes[service];
      if (!p?.build) throw new Error(`host process ${service} has a rebuild watch rule but no build command`);
      const env: Record<string, string | undefined> = { ...process.env };
      for (const [k, v] of Object.entries(p.environment)) if (v !== null) env[k] = v;
      const code = await runCommand(p.build, {
        cwd: p.working_dir,
        env,
        onLine: (stream, message) =>
          bus.emit({ kind: 'log', service, replica: 0, stream, message, time: Date.now() }),
      });
      if (code !== 0)
        throw new Error(`the build command of ${service} exited with code ${code}; not restarted`);
      await restart(service);
    },
  };
}
