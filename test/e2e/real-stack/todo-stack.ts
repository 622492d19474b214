/**
 * The examples/todo stack (nginx → app ×2 → PostgreSQL, Redis) as the real-stack tests drive it: the built
 * CLI with a unique project name and port, HTTP through nginx on 127.0.0.1, and the rows as PostgreSQL
 * itself has them.
 *
 * These tests run on the real-stack engine (scripts/engine-real-stack.sh, started by
 * `npm run test:real-stack`), from inside its network namespace: they stop and start that engine, and an
 * engine shared with the swarm tests loses its containers' DNS names whenever a swarm is left
 * (moby/moby#45144). Elsewhere they are skipped.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  ROOT,
  execIn,
  freePort,
  removeProject,
  tsstack,
  uniqueName,
  type CliResult,
} from '../../integration/helpers/stack-cli.js';

export const ON_REAL_STACK_ENGINE = process.env.TSSTACK_REAL_STACK_ENGINE === '1';
export const COMPOSE_FILE = join(ROOT, 'examples/todo/compose.yaml');
/** The rows migrate seeds into a new database. */
export const SEEDED_ROWS = 3;

const run = promisify(execFile);

export interface HttpReply {
  status: number;
  body: string;
}

export interface Row {
  id: number;
  title: string;
}

/** One copy of the todo stack under its own project name and port. */
export class TodoStack {
  readonly project: string;
  readonly env: Record<string, string>;

  private constructor(
    prefix: string,
    readonly port: number,
    env: Record<string, string>,
  ) {
    this.project = uniqueName(prefix);
    // Probes every second once up, so health changes show within seconds.
    this.env = { TODO_PORT: String(port), TODO_HEALTH_INTERVAL: '1s', ...env };
  }

  static async create(prefix: string, env: Record<string, string> = {}): Promise<TodoStack> {
    return new TodoStack(prefix, await freePort(), env);
  }

  /** `tsstack -f examples/todo/compose.yaml -p PROJECT ARGS`. */
  cli(args: string[], env: Record<string, string> = {}, timeoutMs = 240_000): Promise<CliResult> {
    return tsstack(['-f', COMPOSE_FILE, '-p', this.project, ...args], { ...this.env, ...env }, timeoutMs);
  }

  /** The argv prefix for spawning the CLI on this stack. */
  args(...rest: string[]): string[] {
    return ['-f', COMPOSE_FILE, '-p', this.project, ...rest];
  }

  container(service: string, replica = 1): string {
    return `${this.project}-${service}-${replica}`;
  }

  /** A request through nginx on 127.0.0.1. */
  async http(path: string, init: RequestInit = {}): Promise<HttpReply> {
    const res = await fetch(`http://127.0.0.1:${this.port}${path}`, {
      ...init,
      signal: AbortSignal.timeout(15_000),
    });
    return { status: res.status, body: await res.text() };
  }

  /** Adds `n` todos titled `<tag>-<i>` through nginx and the app; each must be answered 201. */
  async addTodos(tag: string, n: number): Promise<Row[]> {
    const rows: Row[] = [];
    for (let i = 1; i <= n; i++) {
      const title = `${tag}-${i}`;
      const reply = await this.http('/api/todos', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ title }),
      });
      if (reply.status !== 201) throw new Error(`POST ${title}: ${reply.status} ${reply.body}`);
      rows.push({ id: (JSON.parse(reply.body) as { id: number }).id, title });
    }
    return rows;
  }

  /** Every row of `todos`, read with psql inside the database container. */
  async rows(): Promise<Row[]> {
    const got = await execIn(
      this.container('db'),
      `psql -U todo -d todo -tA -F '|' -c 'SELECT id, title FROM todos ORDER BY id'`,
    );
    if (got.code !== 0) throw new Error(`psql exited ${got.code}: ${got.output}`);
    return got.output
      .split('\n')
      .filter((l) => l.includes('|'))
      .map((l) => {
        const bar = l.indexOf('|');
        return { id: Number(l.slice(0, bar)), title: l.slice(bar + 1) };
      });
  }

  /** The rows of `written` that PostgreSQL no longer has (by id and title). */
  async missing(written: Row[]): Promise<Row[]> {
    const have = new Set((await this.rows()).map((r) => `${r.id}|${r.title}`));
    return written.filter((r) => !have.has(`${r.id}|${r.title}`));
  }

  /** `down -v` through the CLI, then whatever is still labelled with the project. */
  async remove(): Promise<void> {
    await this.cli(['down', '-v', '-t', '5'], {}, 120_000).catch(() => undefined);
    await removeProject(this.project);
  }
}

/** Runs scripts/engine-real-stack.sh with `command` (stop, start). */
export async function realStackEngine(command: 'stop' | 'start'): Promise<void> {
  await run('bash', [join(ROOT, 'scripts/engine-real-stack.sh'), command], { timeout: 120_000 });
}
