import { describe, expect, it } from 'vitest';
import { formatted, normalizeYaml } from './helpers/normalize.js';

const base = 'services:\n  db:\n    image: db\n  cache:\n    image: c\n  web:\n    image: x\n';

describe('depends_on', () => {
  it('list form → map with service_started, required, no restart', () => {
    const { stack, problems } = normalizeYaml(`${base}    depends_on: [db, cache]\n`);
    expect(problems).toEqual([]);
    expect(stack.services.web!.depends_on).toEqual({
      db: { condition: 'service_started', required: true, restart: false },
      cache: { condition: 'service_started', required: true, restart: false },
    });
  });

  it('map form keeps condition, required and restart', () => {
    const { stack } = normalizeYaml(`${base}    depends_on:
      db: { condition: service_healthy, restart: true }
      cache: { condition: service_completed_successfully, required: false }
`);
    expect(stack.services.web!.depends_on).toEqual({
      db: { condition: 'service_healthy', required: true, restart: true },
      cache: { condition: 'service_completed_successfully', required: false, restart: false },
    });
  });

  it('a missing optional dependency is a located warning', () => {
    const { warnings, problems } = normalizeYaml(
      `${base}    depends_on:\n      metrics: { required: false }\n`,
    );
    expect(problems).toEqual([]);
    expect(warnings).toEqual([
      {
        location: { file: 'stack.yml', line: 9, col: 7 },
        path: 'services.web.depends_on.metrics',
        message: '"metrics" is not a service in this stack; ignored (required: false)',
      },
    ]);
  });

  it('an unknown condition is a located error', () => {
    const { problems } = normalizeYaml(
      `${base}    depends_on:\n      db:\n        condition: service_ready\n`,
    );
    expect(formatted(problems)).toEqual([
      'stack.yml:10:20 services.web.depends_on.db.condition: unknown condition "service_ready" (expected service_started, service_healthy or service_completed_successfully)',
    ]);
  });

  it('a scalar is an error', () => {
    const { problems } = normalizeYaml(`${base}    depends_on: db\n`);
    expect(formatted(problems)).toEqual([
      'stack.yml:8:17 services.web.depends_on: expected a list of services or a mapping, got "db"',
    ]);
  });
});
