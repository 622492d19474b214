import { describe, expect, it } from 'vitest';
import { formatted, normalizeYaml } from './helpers/normalize.js';

const hcOf = (hc: string) => {
  const { stack, problems } = normalizeYaml(`services:\n  web:\n    image: x\n    healthcheck:\n${hc}`);
  return { hc: stack.services.web!.healthcheck, problems: formatted(problems) };
};

describe('healthcheck', () => {
  it('a string test becomes CMD-SHELL; durations become ms', () => {
    expect(
      hcOf(
        '      test: curl -f http://localhost\n      interval: 1m30s\n      timeout: 10s\n      retries: 3\n      start_period: 500ms\n      start_interval: 2s\n',
      ),
    ).toEqual({
      hc: {
        test: ['CMD-SHELL', 'curl -f http://localhost'],
        interval: 90_000,
        timeout: 10_000,
        retries: 3,
        start_period: 500,
        start_interval: 2000,
        disable: false,
      },
      problems: [],
    });
  });

  it('list tests are kept', () => {
    expect(hcOf('      test: [CMD, wget, -q, localhost]\n').hc!.test).toEqual([
      'CMD',
      'wget',
      '-q',
      'localhost',
    ]);
  });

  it('disable: true → NONE', () => {
    expect(hcOf('      disable: true\n').hc).toEqual({ test: ['NONE'], disable: true });
  });

  it('test: [NONE] disables too', () => {
    expect(hcOf('      test: [NONE]\n').hc).toEqual({ test: ['NONE'], disable: true });
  });

  it('no test keeps the image check with new timings', () => {
    expect(hcOf('      interval: 5s\n').hc).toEqual({ test: [], interval: 5000, disable: false });
  });

  it('errors are located', () => {
    expect(hcOf('      test: [curl, x]\n      interval: soon\n      retries: many\n').problems).toEqual([
      'stack.yml:5:14 services.web.healthcheck.test[0]: a test list starts with CMD, CMD-SHELL or NONE, not "curl"',
      'stack.yml:6:17 services.web.healthcheck.interval: "soon" is not a duration (expected e.g. 10s, 1m30s, 500ms)',
      'stack.yml:7:16 services.web.healthcheck.retries: expected a number, got "many"',
    ]);
  });
});
