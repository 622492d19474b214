import { Writable } from 'node:stream';
import { stripVTControlCharacters } from 'node:util';
import { describe, expect, it } from 'vitest';
import { startHeadless, wantsColor } from '../../../src/session/headless.js';
import { EventBus } from '../../../src/events/bus.js';
import type { StackEvent } from '../../../src/events/types.js';

class Sink extends Writable {
  text = '';
  constructor(
    private readonly delayMs = 0,
    highWaterMark = 16 * 1024,
  ) {
    super({ highWaterMark, decodeStrings: false });
  }
  override _write(chunk: string | Buffer, _enc: string, cb: (err?: Error | null) => void): void {
    this.text += chunk.toString();
    if (this.delayMs > 0) setTimeout(cb, this.delayMs);
    else cb();
  }
}

const log = (service: string, replica: number, message: string, stream: 'stdout' | 'stderr' = 'stdout') =>
  ({ kind: 'log', service, replica, stream, message, time: Date.UTC(2026, 0, 2, 3, 4, 5, 678) }) as const;

const ESC = '\u001b[';

describe('headless plain output', () => {
  it('prefixes each line with its container name, padded to the widest seen, without colour off a TTY', async () => {
    const bus = new EventBus();
    const out = new Sink();
    const h = startHeadless({ bus, out, format: 'plain', env: {} });
    bus.emit(log('web', 1, 'listening on :80'));
    bus.emit(log('database', 2, 'ready'));
    bus.emit(log('web', 1, 'GET /'));
    await h.stop();
    expect(out.text).toBe(
      ['web-1  | listening on :80', 'database-2  | ready', 'web-1       | GET /', ''].join('\n'),
    );
    expect(out.text).not.toContain(ESC);
  });

  it('writes state changes as their own lines, once each, and no exit of a container never seen running', async () => {
    const bus = new EventBus();
    const out = new Sink();
    const h = startHeadless({ bus, out, format: 'plain', color: false });
    const events: StackEvent[] = [
      {
        kind: 'container.state',
        service: 'old',
        replica: 1,
        container: 'p-old-1',
        phase: 'exited',
        exitCode: 1,
      },
      { kind: 'container.state', service: 'api', replica: 1, container: 'p-api-1', phase: 'running' },
      { kind: 'container.state', service: 'api', replica: 1, container: 'p-api-1', phase: 'running' },
      { kind: 'container.health', service: 'api', replica: 1, container: 'p-api-1', health: 'starting' },
      { kind: 'container.health', service: 'api', replica: 1, container: 'p-api-1', health: 'unhealthy' },
      {
        kind: 'container.state',
        service: 'api',
        replica: 1,
        container: 'p-api-1',
        phase: 'exited',
        exitCode: 137,
      },
      {
        kind: 'container.restarting',
        service: 'api',
        replica: 1,
        container: 'p-api-1',
        attempt: 2,
        backoffMs: 20_000,
        reason: 'unhealthy',
      },
      { kind: 'warning', message: 'port 80 is busy', service: 'api' },
    ];
    for (const e of events) bus.emit(e);
    await h.stop();
    expect(out.text.split('\n')).toEqual([
      'api-1 started',
      'api-1 unhealthy',
      'api-1 exited with code 137',
      'api-1 restarting in 20s (attempt 2: unhealthy)',
      'tsstack: warning: api: port 80 is busy',
      '',
    ]);
  });

  it('colours prefixes on a TTY unless NO_COLOR is set', async () => {
    expect(wantsColor({ isTTY: true }, {})).toBe(true);
    expect(wantsColor({ isTTY: true }, { NO_COLOR: '1' })).toBe(false);
    expect(wantsColor({ isTTY: false }, {})).toBe(false);
    expect(wantsColor({}, { FORCE_COLOR: '1' })).toBe(true);

    const bus = new EventBus();
    const out = Object.assign(new Sink(), { isTTY: true });
    const h = startHeadless({ bus, out, format: 'plain', env: {} });
    bus.emit(log('web', 1, 'hi'));
    bus.emit(log('db', 1, 'hi'));
    await h.stop();
    const [web, db] = out.text.split('\n');
    expect(web).toContain(ESC);
    expect(stripVTControlCharacters(web!)).toBe('web-1  | hi');
    // Two services, two different colours.
    expect(web!.slice(0, 5)).not.toBe(db!.slice(0, 5));
  });
});

describe('headless JSON output', () => {
  it('writes one object a line with time, service, replica, stream and message, escaping anything', async () => {
    const bus = new EventBus();
    const out = new Sink();
    const h = startHeadless({ bus, out, format: 'json', now: () => Date.UTC(2026, 0, 2) });
    const tricky = 'say "hi"\t\\ é 😀 \u0001 {"nested":1}';
    bus.emit(log('web', 1, tricky));
    bus.emit(log('db', 3, 'boom', 'stderr'));
    await h.stop();
    const lines = out.text.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(JSON.parse(lines[0]!)).toEqual({
      time: '2026-01-02T03:04:05.678Z',
      service: 'web',
      replica: 1,
      stream: 'stdout',
      message: tricky,
    });
    expect(JSON.parse(lines[1]!)).toMatchObject({
      service: 'db',
      replica: 3,
      stream: 'stderr',
      message: 'boom',
    });
  });

  it('writes separate event lines for started, healthy, unhealthy, exited and restarting', async () => {
    const bus = new EventBus();
    const out = new Sink();
    const h = startHeadless({ bus, out, format: 'json', now: () => Date.UTC(2026, 0, 2) });
    const c = { service: 'web', replica: 2, container: 'p-web-2' };
    bus.emit({ kind: 'container.state', ...c, phase: 'created' });
    bus.emit({ kind: 'container.state', ...c, phase: 'running' });
    bus.emit({ kind: 'container.health', ...c, health: 'healthy' });
    bus.emit({ kind: 'container.health', ...c, health: 'unhealthy' });
    bus.emit({ kind: 'container.state', ...c, phase: 'exited', exitCode: 1 });
    bus.emit({
      kind: 'container.restarting',
      ...c,
      attempt: 1,
      backoffMs: 10_000,
      reason: 'exited',
      lastExitCode: 1,
    });
    bus.emit({ kind: 'engine.disconnected', error: 'EOF', retryInMs: 500 });
    await h.stop();
    const objs = out.text
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(objs.map((o) => o.event)).toEqual([
      'started',
      'healthy',
      'unhealthy',
      'exited',
      'restarting',
      'engine_disconnected',
    ]);
    for (const o of objs.slice(0, 5)) {
      expect(o).toMatchObject({
        time: '2026-01-02T00:00:00.000Z',
        service: 'web',
        replica: 2,
        container: 'p-web-2',
      });
    }
    expect(objs[3]).toMatchObject({ exitCode: 1 });
    expect(objs[4]).toMatchObject({ attempt: 1, backoffMs: 10_000, reason: 'exited', lastExitCode: 1 });
    expect(objs[5]).toMatchObject({ error: 'EOF', retryInMs: 500 });
  });
});

describe('headless backpressure', () => {
  it('waits for a slow reader, keeps order, and drops (and counts) only beyond its cap', async () => {
    const bus = new EventBus();
    const out = new Sink(5, 1024);
    const h = startHeadless({ bus, out, format: 'plain', color: false, maxPendingBytes: 200_000 });
    const line = 'x'.repeat(90);
    for (let i = 0; i < 20_000; i++) bus.emit(log('s', 1, `${String(i).padStart(6, '0')} ${line}`));
    await h.drain();
    while (out.writableLength > 0) await new Promise((resolve) => setTimeout(resolve, 5));
    const lines = out.text.trimEnd().split('\n');
    const kept = lines.filter((l) => l.startsWith('s-1  | ')).map((l) => Number(l.slice(7, 13)));
    expect(h.dropped).toBeGreaterThan(0);
    expect(kept.length + h.dropped).toBe(20_000);
    expect(kept).toEqual([...kept].sort((a, b) => a - b));
    expect(lines.some((l) => l === `tsstack: ${h.dropped} log lines dropped (output too slow)`)).toBe(true);

    // Once drained, nothing more is dropped.
    for (let i = 0; i < 10; i++) {
      bus.emit(log('s', 1, `after ${i}`));
      await h.drain();
    }
    await h.stop();
    await new Promise<void>((resolve) => out.end(resolve));
    expect(out.text.trimEnd().split('\n').slice(-10)).toEqual(
      Array.from({ length: 10 }, (_, i) => `s-1  | after ${i}`),
    );
  });
});
