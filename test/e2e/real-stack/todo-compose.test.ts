// examples/todo runs unchanged under Docker Compose v2 (`docker compose`): the same file, the same images,
// the same answers through nginx. Skipped where Compose v2 is not installed.
import { execFile, spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, type CliResult } from '../../integration/helpers/stack-cli.js';
import { COMPOSE_FILE, ON_REAL_STACK_ENGINE, SEEDED_ROWS, TodoStack } from './todo-stack.js';

const HAS_COMPOSE_V2 = /v?2\./.test(
  spawnSync('docker', ['compose', 'version', '--short']).stdout?.toString() ?? '',
);
let stack: TodoStack;

function compose(args: string[], timeoutMs = 240_000): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      'docker',
      ['compose', '-f', COMPOSE_FILE, '-p', stack.project, ...args],
      { cwd: ROOT, env: { ...process.env, ...stack.env }, timeout: timeoutMs },
      (err, stdout, stderr) =>
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
    );
  });
}

describe.skipIf(!ON_REAL_STACK_ENGINE || !HAS_COMPOSE_V2)(
  'examples/todo under Docker Compose v2',
  { timeout: 240_000 },
  () => {
    beforeAll(async () => {
      stack = await TodoStack.create('t-todo-compose');
    });

    afterAll(async () => {
      if (stack && HAS_COMPOSE_V2) await compose(['down', '-v', '-t', '5']);
      await stack?.remove();
    });

    it('docker compose up -d --wait, then the list through nginx, a new todo, and down -v', async () => {
      const up = await compose(['up', '-d', '--wait']);
      expect(up.code, up.stderr).toBe(0);
      const page = await stack.http('/');
      expect(page.status, page.body).toBe(200);
      expect(page.body).toMatch(new RegExp(`^todo list: ${SEEDED_ROWS} items `));
      const [added] = await stack.addTodos('compose', 1);
      expect(await stack.missing([added!])).toEqual([]);
      const ps = await compose(['ps', '--format', '{{.Service}} {{.Health}}']);
      expect(ps.stdout.trim().split('\n').sort()).toEqual([
        'app healthy',
        'app healthy',
        'db healthy',
        'nginx healthy',
        'redis healthy',
      ]);
      const down = await compose(['down', '-v']);
      expect(down.code, down.stderr).toBe(0);
    });
  },
);
