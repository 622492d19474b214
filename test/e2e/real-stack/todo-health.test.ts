// Health on examples/todo: Redis is paused (`docker pause`: the process is frozen, its port still open) under
// an attached `up --headless --log-format json`. The app's health check pings Redis, so the app turns
// unhealthy; the stack says `x-tsstack.restart_on_unhealthy: true` for the app, so the supervisor schedules
// a restart with backoff and restarts it; once Redis is unpaused the app is healthy again. Every step shows
// as a JSON line. (The engine runs no health check in a paused container: Redis itself is not reported
// unhealthy, and nothing restarts it.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  docker,
  eventually,
  spawnCli,
  stopCli,
  type RunningCli,
} from '../../integration/helpers/stack-cli.js';
import { ON_REAL_STACK_ENGINE, TodoStack } from './todo-stack.js';

let stack: TodoStack;
let cli: RunningCli | undefined;

type Line = Record<string, unknown>;
const app = (l: Line) => l.service === 'app';

describe.skipIf(!ON_REAL_STACK_ENGINE)(
  'examples/todo: Redis paused under the attached supervisor',
  { timeout: 240_000 },
  () => {
    beforeAll(async () => {
      stack = await TodoStack.create('t-todo-health');
    });

    afterAll(async () => {
      await docker
        .getContainer(stack.container('redis'))
        .unpause()
        .catch(() => undefined);
      if (cli) await stopCli(cli);
      await stack?.remove();
    });

    it('the app turns unhealthy, is restarted with backoff, and is healthy again once Redis answers', async () => {
      const up = await stack.cli(['up', '-d', '--wait', '--build']);
      expect(up.code, up.stderr).toBe(0);
      const session = spawnCli(stack.args('up', '--headless', '--log-format', 'json'), stack.env);
      cli = session;
      const events = () => session.jsonLines().filter((l) => typeof l.event === 'string');
      const dump = () =>
        events()
          .map((l) => JSON.stringify(l))
          .join('\n');
      // The index of the first event from `from` on that matches, once there is one (-1 after `ms`).
      const next = async (from: number, pred: (l: Line) => boolean, ms = 60_000): Promise<number> => {
        let at = -1;
        await eventually(async () => (at = events().findIndex((l, i) => i >= from && pred(l))) >= 0, ms);
        return at;
      };

      expect(
        await eventually(async () => events().filter((l) => l.event === 'healthy').length >= 5, 60_000),
      ).toBe(true);
      const attachedAt = events().length;
      await docker.getContainer(stack.container('redis')).pause();

      // 1. The app's health check fails (its /healthz gets no PING answer): unhealthy, and a restart scheduled.
      expect(await next(attachedAt, (l) => app(l) && l.event === 'unhealthy'), dump()).toBeGreaterThan(0);
      const restartingAt = await next(attachedAt, (l) => app(l) && l.event === 'restarting');
      expect(restartingAt, dump()).toBeGreaterThan(0);
      const scheduled = events()[restartingAt] as Line;
      expect(scheduled).toMatchObject({ reason: 'unhealthy', attempt: 1, backoffMs: 10_000 });

      // 2. Still unhealthy when the backoff ends: the supervisor restarts that container (it exits and starts).
      const victim = (l: Line, event: string) => l.container === scheduled.container && l.event === event;
      const exitedAt = await next(restartingAt, (l) => victim(l, 'exited'));
      expect(exitedAt, dump()).toBeGreaterThan(0);
      const startedAt = await next(exitedAt, (l) => victim(l, 'started'));
      expect(startedAt, dump()).toBeGreaterThan(0);
      expect((await docker.getContainer(stack.container('redis')).inspect()).State.Paused).toBe(true);

      // 3. Redis answers again: both app replicas turn healthy, and the page is served.
      await docker.getContainer(stack.container('redis')).unpause();
      for (const replica of [1, 2]) {
        const healthy = await next(
          startedAt,
          (l) => app(l) && l.replica === replica && l.event === 'healthy',
          90_000,
        );
        expect(healthy, dump()).toBeGreaterThan(0);
      }
      expect((await stack.http('/')).status).toBe(200);

      // Only what the stack asks for was restarted.
      const restarted = new Set(
        events()
          .filter((l) => l.event === 'restarting')
          .map((l) => l.service),
      );
      expect([...restarted]).toEqual(['app']);
      expect(session.child.exitCode).toBe(null);
      console.log(
        `[real-stack] health: the JSON lines after the pause:\n${events()
          .slice(attachedAt)
          .map((l) => JSON.stringify(l))
          .join('\n')}`,
      );
    });
  },
);
