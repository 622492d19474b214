import { describe, expect, it } from 'vitest';
import { service, stack } from './factory.js';
import { containerOf, exportValid, reason } from './helpers.js';

describe('probes', () => {
  it('turns a CMD-SHELL health check into readiness and liveness exec probes with Docker defaults filled in', () => {
    const r = exportValid(
      stack('p', [
        service('w', {
          image: 'x',
          healthcheck: { test: ['CMD-SHELL', 'curl -f localhost'], disable: false },
        }),
      ]),
    );
    const c = containerOf(r, 'w');
    const probe = {
      exec: { command: ['/bin/sh', '-c', 'curl -f localhost'] },
      periodSeconds: 30,
      timeoutSeconds: 30,
      failureThreshold: 3,
    };
    expect(c.readinessProbe).toEqual(probe);
    expect(c.livenessProbe).toEqual(probe);
    expect(c.startupProbe).toBeUndefined();
  });

  it('maps interval, timeout and retries, and start_period to a startup probe', () => {
    const r = exportValid(
      stack('p', [
        service('w', {
          image: 'x',
          healthcheck: {
            test: ['CMD', 'pg_isready', '-U', 'app'],
            interval: 10_000,
            timeout: 2500,
            retries: 5,
            start_period: 60_000,
            start_interval: 2000,
            disable: false,
          },
        }),
      ]),
    );
    const c = containerOf(r, 'w');
    expect(c.readinessProbe).toEqual({
      exec: { command: ['pg_isready', '-U', 'app'] },
      periodSeconds: 10,
      timeoutSeconds: 3,
      failureThreshold: 5,
    });
    expect(c.startupProbe).toEqual({
      exec: { command: ['pg_isready', '-U', 'app'] },
      periodSeconds: 2,
      timeoutSeconds: 3,
      failureThreshold: 35,
    });
  });

  it('exports no probe for a disabled check and reports a check that relies on the image', () => {
    const r = exportValid(
      stack('p', [
        service('a', { image: 'x', healthcheck: { test: ['NONE'], disable: true } }),
        service('b', { image: 'x', healthcheck: { test: [], interval: 5000, disable: false } }),
      ]),
    );
    expect(containerOf(r, 'a').readinessProbe).toBeUndefined();
    expect(containerOf(r, 'b').readinessProbe).toBeUndefined();
    expect(reason(r, 'services.b.healthcheck.test')).toMatch(/HEALTHCHECK is not visible/);
    expect(reason(r, 'services.a.healthcheck.test')).toBeUndefined();
  });
});

describe('resources', () => {
  it('maps reservations to requests and limits to limits, with service-level fallbacks', () => {
    const r = exportValid(
      stack('p', [
        service('a', {
          image: 'x',
          deploy: {
            labels: {},
            resources: {
              limits: { cpus: 0.5, memory: 512 * 2 ** 20 },
              reservations: { cpus: 0.25, memory: 2 ** 28 },
            },
          },
        }),
        service('b', { image: 'x', cpus: 2, mem_limit: 1e9, mem_reservation: 2 ** 30 }),
      ]),
    );
    expect(containerOf(r, 'a').resources).toEqual({
      limits: { cpu: '500m', memory: '512Mi' },
      requests: { cpu: '250m', memory: '256Mi' },
    });
    expect(containerOf(r, 'b').resources).toEqual({
      limits: { cpu: '2', memory: '1000000000' },
      requests: { memory: '1Gi' },
    });
  });
});
