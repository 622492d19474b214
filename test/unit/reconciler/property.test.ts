import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { desired } from '../../../src/reconciler/desired.js';
import { withDependencies } from '../../../src/reconciler/plan.js';
import { renderPlan } from '../../../src/model/plan-text.js';
import { FakeRuntime, simulateCommands } from '../../../src/runtime/fake.js';
import type { Stack } from '../../../src/spec/types.js';
import { planFor, up } from '../helpers/converge.js';
import { makeStack, type ServiceInput } from '../helpers/stack-factory.js';

const NAMES = ['a', 'b', 'c', 'd', 'e'];

/** Random stacks: up to five services, random env/command/replicas, dependencies only on earlier services (no cycles). */
const stackArb: fc.Arbitrary<Stack> = fc
  .array(
    fc.record({
      present: fc.boolean(),
      replicas: fc.integer({ min: 0, max: 3 }),
      env: fc.dictionary(fc.constantFrom('A', 'B', 'C'), fc.constantFrom('1', '2')),
      command: fc.constantFrom(undefined, ['sleep', '10'], ['sleep', '20']),
      deps: fc.array(
        fc.record({
          on: fc.integer({ min: 0, max: 4 }),
          condition: fc.constantFrom('service_started', 'service_completed_successfully'),
          restart: fc.boolean(),
        }),
        { maxLength: 2 },
      ),
    }),
    { minLength: NAMES.length, maxLength: NAMES.length },
  )
  .map((specs) => {
    const services: Record<string, ServiceInput> = {};
    specs.forEach((s, i) => {
      const name = NAMES[i] as string;
      if (!s.present) return;
      const depends_on: ServiceInput['depends_on'] = {};
      for (const d of s.deps) {
        const target = NAMES[d.on] as string;
        if (d.on < i && services[target]) {
          depends_on[target] = {
            condition: d.condition as 'service_started',
            required: true,
            restart: d.restart,
          };
        }
      }
      // A dependency waited on to complete must be a one-shot that completes (the fake runs `true`). Set
      // from the final conditions: a later entry for the same target replaces an earlier one, and a `true`
      // left on a service nobody waits to complete is an exited long-running service, which `up` restarts.
      for (const [target, d] of Object.entries(depends_on))
        if (d.condition === 'service_completed_successfully')
          (services[target] as ServiceInput).command = ['true'];
      services[name] = {
        replicas: s.replicas,
        environment: s.env,
        command: s.command ? [...s.command] : undefined,
        depends_on,
      };
    });
    return makeStack('prop', services);
  });

const optionsArb = fc.record({
  forceRecreate: fc.boolean(),
  removeOrphans: fc.boolean(),
  subset: fc.option(fc.subarray(NAMES, { minLength: 1 }), { nil: undefined }),
});

/** Containers to crash after the first apply: [index into the list, exit code]. */
const crashesArb = fc.array(fc.tuple(fc.nat(20), fc.constantFrom(0, 1, 137)), { maxLength: 4 });

describe('property: apply then re-plan', () => {
  it('re-planning after applying any plan yields no operations', async () => {
    await fc.assert(
      fc.asyncProperty(stackArb, stackArb, crashesArb, optionsArb, async (before, after, crashes, opts) => {
        const fake = new FakeRuntime();
        fake.simulate = simulateCommands;
        fake.addImage('tsstack-test/busybox:latest');
        const first = await up(fake, before);
        expect(first.result.failed).toEqual([]);
        const containers = await fake.listContainers({}, { all: true });
        for (const [i, code] of crashes) {
          const c = containers[i % Math.max(1, containers.length)];
          if (c && (await fake.inspectContainer(c.id))?.state === 'running') fake.exitContainer(c.id, code);
        }
        const services = opts.subset?.filter((s) => s in after.services);
        const options = {
          forceRecreate: opts.forceRecreate,
          removeOrphans: opts.removeOrphans,
          services: services && services.length > 0 ? services : undefined,
        };
        const second = await up(fake, after, options);
        expect(second.result.failed).toEqual([]);
        // Every selected service (and its dependencies) has each replica, with the desired config hash.
        const want = desired(after);
        for (const name of withDependencies(want, options.services))
          for (const c of want.services[name]?.containers ?? [])
            expect((await fake.inspectContainer(c.name))?.labels['io.tsstack.config-hash']).toBe(c.hash);
        const again = await planFor(fake, after, { ...options, forceRecreate: false });
        expect(renderPlan({ ...again, notes: [] })).toBe('nothing to do\n');
        fake.clearCalls();
        await up(fake, after, { ...options, forceRecreate: false });
        expect(fake.mutatingCalls()).toEqual([]);
      }),
      { numRuns: 200, ...(process.env.PROP_SEED ? { seed: Number(process.env.PROP_SEED) } : {}) },
    );
  });
});
