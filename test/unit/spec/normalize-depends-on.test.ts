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

  it('links, network_mode / ipc / pid of service:x and volumes_from add implicit entries, as in Compose', () => {
    const { stack, problems } = normalizeYaml(`services:
  db: { image: x }
  cache: { image: x }
  data: { image: x }
  files: { image: x }
  net: { image: x }
  shm: { image: x }
  pids: { image: x }
  web:
    image: x
    links: ["db:database", cache]
    network_mode: service:net
    ipc: service:shm
    pid: service:pids
    volumes_from: [data, "files:ro", "container:outside"]
`);
    expect(formatted(problems)).toEqual([]);
    const started = { condition: 'service_started', required: true };
    expect(stack.services.web!.depends_on).toEqual({
      db: { ...started, restart: true },
      cache: { ...started, restart: true },
      net: { ...started, restart: true },
      shm: { ...started, restart: true },
      pids: { ...started, restart: true },
      data: { ...started, restart: false },
      files: { ...started, restart: false },
    });
  });

  it('a written depends_on entry wins over the implicit one', () => {
    const { stack } = normalizeYaml(`${base}    links: [db]
    volumes_from: [cache]
    depends_on:
      db: { condition: service_healthy }
      cache: { condition: service_started, restart: true }
`);
    expect(stack.services.web!.depends_on).toEqual({
      db: { condition: 'service_healthy', required: true, restart: false },
      cache: { condition: 'service_started', required: true, restart: true },
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
