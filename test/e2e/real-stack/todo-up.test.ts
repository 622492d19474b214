// examples/todo brought up by the built CLI: `up --wait` returns only once PostgreSQL answers queries and
// the app serves through nginx; the first request after it succeeds; the one-shot migration ran once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execIn } from '../../integration/helpers/stack-cli.js';
import { ON_REAL_STACK_ENGINE, SEEDED_ROWS, TodoStack } from './todo-stack.js';

let stack: TodoStack;

describe.skipIf(!ON_REAL_STACK_ENGINE)('examples/todo up', () => {
  beforeAll(async () => {
    stack = await TodoStack.create('t-todo-up');
  });

  afterAll(async () => {
    await stack?.remove();
  });

  it('up -d --wait returns once PostgreSQL accepts queries; the first request through nginx succeeds', async () => {
    // The app image is built by this up (build: ./app), as on a fresh checkout.
    const up = await stack.cli(['up', '-d', '--wait', '--build']);
    expect(up.code, up.stderr).toBe(0);

    // No retry, no wait: the very first query and the very first request.
    const query = await execIn(
      stack.container('db'),
      `psql -U todo -d todo -tAc 'SELECT count(*) FROM todos'`,
    );
    expect(query, query.output).toEqual({ code: 0, output: `${SEEDED_ROWS}\n` });
    const page = await stack.http('/');
    expect(page.status, page.body).toBe(200);
    expect(page.body).toMatch(
      new RegExp(`^todo list: ${SEEDED_ROWS} items \\(replica \\w+, version 1, hits 1\\)\n`),
    );
    expect(page.body).toContain('] 1 bring the stack up');

    const ps = await stack.cli(['ps', '-a', '--format', 'json']);
    const states = ps.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { Service: string; State: string; Health?: string })
      .map((c) => `${c.Service} ${c.State} ${c.Health ?? ''}`.trim())
      .sort();
    expect(states).toEqual([
      'app running healthy',
      'app running healthy',
      'db running healthy',
      'migrate exited',
      'nginx running healthy',
      'redis running healthy',
    ]);
  });

  it('serves the API, counts hits in Redis, and a second up plans nothing', async () => {
    const added = await stack.addTodos('first', 2);
    const list = await stack.http('/api/todos');
    expect(list.status).toBe(200);
    const body = JSON.parse(list.body) as {
      todos: { id: number; title: string }[];
      hits: number;
      version: string;
    };
    expect(body.todos.map((t) => t.title).slice(-2)).toEqual(added.map((r) => r.title));
    expect(body.hits).toBeGreaterThanOrEqual(2);
    expect(body.version).toBe('1');
    expect((await stack.http('/api/todos', { method: 'POST', body: 'title=' })).status).toBe(400);

    const dry = await stack.cli(['up', '-d', '--dry-run']);
    expect(dry.stdout + dry.stderr).toBe('nothing to do\n');
  });
});
