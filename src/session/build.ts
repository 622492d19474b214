/** `tsstack build`: build the images of services with a `build:` section, with Compose's build flags. */
import { EngineError, UsageError } from '../core/errors.js';
import { EventBus } from '../events/bus.js';
import { selectServices } from '../reconciler/converge.js';
import { serviceImage } from '../reconciler/desired.js';
import { buildServices } from '../reconciler/images.js';
import { pushServicesOrThrow } from '../reconciler/push.js';
import type { ServiceSpec, Stack } from '../spec/types.js';
import { printProgress } from './progress.js';
import { loadProject, runtimeFromEnv, type GlobalOptions } from './project.js';

export interface BuildOptions {
  services: string[];
  noCache?: boolean;
  pull?: boolean;
  quiet?: boolean;
  /** Push the built images. */
  push?: boolean;
  /** `--ssh`: added to every build's `ssh` list. */
  ssh?: string;
  /** `--build-arg KEY=VALUE` (or `KEY`: its value from the environment), over every service's args. */
  buildArgs: string[];
  /** `-m`: memory limit of the build containers, bytes. */
  memory?: number;
  /** Also build what the named services depend on. */
  withDependencies?: boolean;
  env?: Record<string, string | undefined>;
}

/** `--build-arg` values as a map; `KEY` alone takes the environment's value and is skipped when unset. */
export function parseBuildArgs(
  args: string[],
  env: Record<string, string | undefined>,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const a of args) {
    const eq = a.indexOf('=');
    const key = eq < 0 ? a : a.slice(0, eq);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) throw new UsageError(`--build-arg ${a}: expected KEY=VALUE`);
    const value = eq < 0 ? env[key] : a.slice(eq + 1);
    if (value !== undefined) out[key] = value;
  }
  return out;
}

/** The services to build, in name order: those named (and their dependencies when asked) that have `build:`. */
export function buildTargets(
  stack: Stack,
  o: Pick<BuildOptions, 'services' | 'withDependencies'>,
): ServiceSpec[] {
  return selectServices(stack, o.services, o.withDependencies)
    .sort((a, b) => a.name.localeCompare(b.name))
    .filter((s) => s.build !== undefined);
}

/** Builds in parallel (see buildServices), printing progress to stderr; `--dry-run` lists what would be built. */
export async function runBuild(g: GlobalOptions, o: BuildOptions): Promise<void> {
  const { stack } = await loadProject(g);
  const args = parseBuildArgs(o.buildArgs, o.env ?? process.env);
  const targets = buildTargets(stack, o);
  if (g.dryRun) {
    for (const s of targets)
      process.stdout.write(`build image ${serviceImage(stack, s)} (service ${s.name})\n`);
    return;
  }
  const runtime = await runtimeFromEnv();
  const bus = new EventBus();
  const stopProgress = o.quiet ? () => {} : printProgress(bus);
  const specs: ServiceSpec[] = targets.map((s) => {
    const b = s.build as NonNullable<ServiceSpec['build']>;
    return {
      ...s,
      build: {
        ...b,
        args: { ...b.args, ...args },
        no_cache: o.noCache || b.no_cache,
        pull: o.pull || b.pull,
        ...(o.ssh ? { ssh: [...(b.ssh ?? []), o.ssh] } : {}),
      },
    };
  });
  try {
    const { failures } = await buildServices(runtime, stack, specs, { bus, buildMemory: o.memory });
    const failed = Object.entries(failures);
    if (failed.length > 0)
      throw new EngineError(
        failed
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([name, words]) => `service ${name}: build failed: ${words}`)
          .join('\n'),
      );
    if (o.push) await pushServicesOrThrow(runtime, specs, { bus });
  } finally {
    stopProgress();
  }
}
