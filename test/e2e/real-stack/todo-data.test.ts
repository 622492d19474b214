// Data survival on examples/todo: rows are written through nginx and the app before each step, and after
// the step (and a converging `up -d --wait`) PostgreSQL must still have every row written so far, no more
// and no fewer. The steps: down + up, up --force-recreate, a changed app config (a rolling recreate), the
// engine stopped and started, and each of them again with tsstack SIGKILLed in the middle (at a point
// chosen from the engine's events, so it is a real engine state, not a timer).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runKilledAt } from '../../integration/helpers/crash.js';
import { eventually, spawnCli, stopCli } from '../../integration/helpers/stack-cli.js';
import { ON_REAL_STACK_ENGINE, SEEDED_ROWS, TodoStack, realStackEngine, type Row } from './todo-stack.js';

let stack: TodoStack;
const written: Row[] = [];
let rowsChecked = 0;
let steps = 0;

/** Brings the stack back (`up -d --wait`), checks every row written so far, then writes 5 more. */
async function survived(step: string): Promise<void> {
  const up = await stack.cli(['up', '-d', '--wait']);
  expect(up.code, `${step}: up -d --wait\n${up.stderr}`).toBe(0);
  expect(await stack.missing(written), step).toEqual([]);
  expect((await stack.rows()).length, `${step}: no row added or duplicated`).toBe(
    SEEDED_ROWS + written.length,
  );
  const page = await stack.http('/');
  expect(page.status, page.body).toBe(200);
  if (written.length > 0) expect(page.body).toContain(written[written.length - 1]?.title);
  const dry = await stack.cli(['up', '-d', '--dry-run']);
  expect(dry.stdout + dry.stderr, `${step}: a further up would do something`).toBe('nothing to do\n');
  rowsChecked += written.length;
  steps++;
  written.push(...(await stack.addTodos(step.replace(/\W+/g, '-'), 5)));
}

describe.skipIf(!ON_REAL_STACK_ENGINE)('examples/todo: every row survives', { timeout: 300_000 }, () => {
  beforeAll(async () => {
    stack = await TodoStack.create('t-todo-data');
  });

  afterAll(async () => {
    // A failed engine step may have left the engine stopped.
    await realStackEngine('start').catch(() => undefined);
    await stack?.remove();
    console.log(
      `[real-stack] data survival: ${steps} steps, ${written.length} rows written, ${rowsChecked} row checks, ` +
        `all present after every step`,
    );
  });

  it('up, then the first rows', async () => {
    const up = await stack.cli(['up', '-d', '--wait', '--build']);
    expect(up.code, up.stderr).toBe(0);
    await survived('first');
  });

  it('down, then up', async () => {
    const down = await stack.cli(['down']);
    expect(down.code, down.stderr).toBe(0);
    await survived('down up');
  });

  it('down SIGKILLed after its second container removal, then down, then up', async () => {
    const k = await runKilledAt(
      stack.args('down'),
      stack.project,
      { type: 'container', action: 'destroy', n: 2 },
      stack.env,
    );
    expect(k.killed, k.cli.stderr).toBe(true);
    const down = await stack.cli(['down']);
    expect(down.code, down.stderr).toBe(0);
    await survived('killed down');
  });

  it('up --force-recreate', async () => {
    const up = await stack.cli(['up', '-d', '--force-recreate']);
    expect(up.code, up.stderr).toBe(0);
    await survived('force recreate');
  });

  it('up --force-recreate SIGKILLed after its third container removal', async () => {
    const k = await runKilledAt(
      stack.args('up', '-d', '--force-recreate'),
      stack.project,
      { type: 'container', action: 'destroy', n: 3 },
      stack.env,
    );
    expect(k.killed, k.cli.stderr).toBe(true);
    await survived('killed force recreate');
  });

  it('a changed app config: APP_VERSION=2 replaces both app replicas', async () => {
    stack.env.APP_VERSION = '2';
    const up = await stack.cli(['up', '-d']);
    expect(up.code, up.stderr).toBe(0);
    expect(up.stdout + up.stderr).toContain('-next');
    await survived('changed config');
  });

  it('a changed app config SIGKILLed once the first new replica has started', async () => {
    stack.env.APP_VERSION = '3';
    const k = await runKilledAt(
      stack.args('up', '-d'),
      stack.project,
      { type: 'container', action: 'start', n: 1 },
      stack.env,
    );
    expect(k.killed, k.cli.stderr).toBe(true);
    await survived('killed changed config');
  });

  it('the engine stopped and started under the running stack', async () => {
    await realStackEngine('stop');
    await realStackEngine('start');
    await survived('engine restart');
  });

  it('the engine stopped and started under an attached up: it reconnects and the stack serves again', async () => {
    const cli = spawnCli(stack.args('up', '--headless', '--log-format', 'json'), stack.env);
    const json = () => cli.jsonLines();
    try {
      expect(
        await eventually(async () => json().filter((l) => l.event === 'healthy').length >= 5, 60_000),
      ).toBe(true);
      await realStackEngine('stop');
      expect(
        await eventually(async () => json().some((l) => l.event === 'engine_disconnected'), 60_000),
      ).toBe(true);
      await realStackEngine('start');
      expect(await eventually(async () => json().some((l) => l.event === 'engine_reconnected'), 60_000)).toBe(
        true,
      );
      const served = await eventually(async () => (await stack.http('/')).status === 200, 90_000, 500);
      expect(served, cli.out.stdout.slice(-3000) + cli.out.stderr).toBe(true);
      expect(cli.child.exitCode, cli.out.stderr).toBe(null);
    } finally {
      await stopCli(cli);
    }
    await survived('engine restart under attached up');
  });

  it('the engine stopped under an attached up, which is SIGKILLed while the engine is down', async () => {
    const cli = spawnCli(stack.args('up', '--headless', '--log-format', 'json'), stack.env);
    try {
      expect(
        await eventually(
          async () => cli.jsonLines().filter((l) => l.event === 'healthy').length >= 5,
          60_000,
        ),
      ).toBe(true);
      await realStackEngine('stop');
      expect(
        await eventually(async () => cli.jsonLines().some((l) => l.event === 'engine_disconnected'), 60_000),
      ).toBe(true);
    } finally {
      cli.child.kill('SIGKILL');
      await cli.exited;
      await realStackEngine('start');
    }
    await survived('engine restart killed attached up');
  });

  it('the engine stopped and started right after tsstack is SIGKILLed mid-recreate', async () => {
    const k = await runKilledAt(
      stack.args('up', '-d', '--force-recreate'),
      stack.project,
      { type: 'container', action: 'destroy', n: 2 },
      stack.env,
    );
    expect(k.killed, k.cli.stderr).toBe(true);
    await realStackEngine('stop');
    await realStackEngine('start');
    await survived('engine restart mid-recreate');
  });
});
