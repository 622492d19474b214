import { describe, expect, it } from 'vitest';
import { checkFit, fitReport, FitError } from '../../../src/scheduler/fit.js';
import { makeStack } from '../helpers/stack-factory.js';

const GiB = 2 ** 30;
const machine = { cpus: 4, memory: 8 * GiB };
const reserve = (cpus?: number, memory?: number) => ({
  deploy: { labels: {}, resources: { limits: {}, reservations: { cpus, memory } } },
});

describe('resource fit', () => {
  it('sums reservations times replicas and accepts a stack that fits exactly', () => {
    const stack = makeStack('p', { api: { ...reserve(1, 2 * GiB), replicas: 3 }, db: reserve(1, 2 * GiB) });
    const r = fitReport(stack, machine);
    expect(r.cpus).toEqual({ needed: 4, available: 4 });
    expect(r.memory).toEqual({ needed: 8 * GiB, available: 8 * GiB });
    expect(r.problems).toEqual([]);
    expect(() => checkFit(stack, machine)).not.toThrow();
  });

  it('refuses a stack that cannot fit, naming services and numbers (exit 1)', () => {
    const stack = makeStack('p', {
      api: { ...reserve(1.5, 3 * GiB), replicas: 2 },
      db: { mem_reservation: 4 * GiB },
      web: {},
    });
    let err: unknown;
    try {
      checkFit(stack, machine);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(FitError);
    expect((err as FitError).exitCode).toBe(1);
    expect((err as Error).message).toBe(
      'the stack does not fit on this machine; nothing was created:\n' +
        '  memory reservations need 10GiB but the machine has 8GiB (api 2 × 3GiB, db 1 × 4GiB)',
    );
    expect(fitReport(makeStack('p', { api: { ...reserve(3), replicas: 2 } }), machine).problems).toEqual([
      'CPU reservations need 6 CPUs but the machine has 4 (api 2 × 3)',
    ]);
  });

  it('ignores services scaled to zero and unselected services; refuses a CPU limit above the machine', () => {
    const stack = makeStack('p', { big: { ...reserve(64), replicas: 0 }, other: reserve(64), ok: {} });
    expect(fitReport(stack, machine, ['big', 'ok']).problems).toEqual([]);
    expect(fitReport(makeStack('p', { hog: { cpus: 6 } }), machine).problems).toEqual([
      "service hog: CPU limit 6 is more than the machine's 4 CPUs",
    ]);
  });
});
