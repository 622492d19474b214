/**
 * One container's part of the engine feed: its runs as the view sees them, in order. Each run is reported
 * as `running`, then every line it wrote (ContainerLog), then `exited` with its code, also when it ended
 * before anyone looked: the engine keeps a stopped container's log and exit code. Engine events arrive in
 * order and are handled in turn per replica (`enqueue`), so the old and the new container of a
 * replacement do not interleave their starts and exits; a step that reads a run's last lines holds up
 * only its own replica.
 */
import type { ContainerSummary, EngineEvent } from '../runtime/types.js';
import type { EventBus } from './bus.js';
import { ContainerLog, type RunEnd } from './container-log.js';
import type { FeedRuntime, Identity, LogOrigin } from './feed-types.js';
import type { ServicePhase } from './types.js';

export interface ContainerFeedContext {
  runtime: FeedRuntime;
  bus: EventBus;
  /** Follow log lines and resource usage. */
  logs: boolean;
  stats: boolean;
  /** Runs `step` after every step queued before it for the same replica. */
  enqueue(step: () => Promise<void>): void;
}

/** The engine's container state as a phase of the view. */
export function phaseOf(state: ContainerSummary['state']): ServicePhase {
  switch (state) {
    case 'created':
      return 'created';
    case 'running':
    case 'paused':
      return 'running';
    case 'restarting':
      return 'restarting';
    case 'removing':
      return 'stopping';
    case 'exited':
    case 'dead':
      return 'exited';
  }
}

const isUp = (state: ContainerSummary['state']) => state === 'running' || state === 'paused';

export class ContainerFeed {
  private readonly log: ContainerLog;
  /** Whether a run was reported begun and not yet ended. */
  private up = false;
  private reported = false;
  /** The start time of a run a listing found ended, until its own start event (if on its way) is seen. */
  private endedUnseen: string | undefined;
  private statsFollow: AbortController | undefined;
  private closing = false;
  private readonly tasks = new Set<Promise<void>>();

  constructor(
    private readonly ctx: ContainerFeedContext,
    readonly id: string,
    readonly who: Identity,
    origin: LogOrigin,
  ) {
    this.log = new ContainerLog(ctx.runtime, ctx.bus, id, who, origin);
  }

  /** Whether a run was reported as begun and not yet as ended. */
  get running(): boolean {
    return this.up;
  }

  /**
   * What a listing says (the feed's first look, or after a reconnection). `sessionSince`: a container first
   * seen stopped whose run ended after this (Unix seconds) had its run in this session: it is reported.
   */
  observe(c: ContainerSummary, sessionSince?: number): void {
    this.ctx.enqueue(async () => {
      if (isUp(c.state)) {
        this.report(c);
        this.up = true;
        this.follow(false, (now) => now.startedAt === c.startedAt);
        return;
      }
      let ended = false;
      if (this.up || (!this.reported && sessionSince !== undefined && c.state !== 'created')) {
        const info = (await this.ctx.runtime.inspectContainer(c.id).catch(() => undefined)) ?? c;
        ended = await this.endUnseen(info, sessionSince);
      }
      if (!ended || c.state === 'restarting') this.report(c);
    });
  }

  /**
   * At the end: a run the engine has ended though its die event was not seen yet ends now. Asks the
   * container itself: the engine's list can say running for a moment after a stop returned.
   */
  settle(): void {
    this.ctx.enqueue(async () => {
      if (!this.up) return;
      const c = await this.ctx.runtime.inspectContainer(this.id).catch(() => undefined);
      if (c && !isUp(c.state)) await this.endUnseen(c);
    });
  }

  /** An engine event about this container, in the engine's order; its work is queued, not awaited. */
  onEvent(e: EngineEvent): void {
    const action = e.action;
    if (action === 'create') {
      this.ctx.enqueue(async () => this.emitState('created'));
    } else if (action === 'start') {
      this.ctx.enqueue(() => this.started(e.time));
    } else if (action === 'die') {
      const code = Number(e.attributes.exitCode);
      // Not up: the end of a run a listing found ended already (its die event came after).
      this.ctx.enqueue(async () => {
        if (this.up) await this.endRun({ untilMs: e.time }, Number.isFinite(code) ? code : undefined);
      });
    } else if (action === 'destroy') {
      this.removed();
    } else if (action.startsWith('health_status')) {
      const health = action.slice(action.indexOf(':') + 1).trim();
      if (health === 'healthy' || health === 'unhealthy' || health === 'starting')
        this.ctx.enqueue(async () => this.ctx.bus.emit({ kind: 'container.health', ...this.ids(), health }));
    } else if (action === 'oom') {
      const message = `${this.who.name} ran out of memory`;
      this.ctx.enqueue(async () =>
        this.ctx.bus.emit({ kind: 'warning', service: this.who.service, message }),
      );
    }
  }

  /** The container is gone (its destroy event, or a listing without it). */
  removed(): void {
    this.ctx.enqueue(async () => {
      this.stopFollowing();
      this.emitState('removed');
    });
  }

  /** Stops following (log and stats); queued steps still run, reading what they need without following. */
  stopFollowing(): void {
    this.closing = true;
    this.log.stop();
    this.statsFollow?.abort();
  }

  /** Resolves once every follow this container had has ended. */
  async settled(): Promise<void> {
    await this.log.settled();
    while (this.tasks.size > 0) await Promise.allSettled([...this.tasks]);
  }

  private async started(time: number): Promise<void> {
    // Events come in order and a run's die comes before the next start: still up, this start is of the run
    // a listing reported (it started while the feed took its first look, or during a reconnection).
    if (this.up) return;
    const c = await this.ctx.runtime.inspectContainer(this.id).catch(() => undefined);
    const unseen = this.endedUnseen;
    this.endedUnseen = undefined;
    if (unseen !== undefined && c?.startedAt === unseen) return;
    this.up = true;
    if (c && isUp(c.state)) this.report(c);
    else this.emitState('running', time);
    this.log.runBegins(time);
    // Follow only the run this event began. One that is over already (stopped, or running again: a later
    // start) is read to its end when its die event comes; a follow now would go on into the next run.
    const runOf = (now: ContainerSummary) => !(Date.parse(now.startedAt ?? '') > time);
    if (c && isUp(c.state) && runOf(c)) this.follow(true, runOf);
  }

  /** Reports the end of a run the feed did not see end (`info`: the container inspected); false if none. */
  private async endUnseen(info: ContainerSummary, sessionSince?: number): Promise<boolean> {
    const finished = info.finishedAt ? Date.parse(info.finishedAt) : NaN;
    // Not reported begun: a run of this session only if it ended after the session began.
    if (!this.up && !(finished >= (sessionSince ?? Infinity) * 1000)) return false;
    if (!this.up) this.emitState('running', info.startedAt ? Date.parse(info.startedAt) : undefined);
    this.up = true;
    // Its start event may still be on its way (it came while the feed listed): not a new run.
    this.endedUnseen = info.startedAt;
    const nextStart = async () => {
      const now = await this.ctx.runtime.inspectContainer(this.id).catch(() => undefined);
      return now?.startedAt !== undefined && now.startedAt !== info.startedAt ? now.startedAt : undefined;
    };
    await this.endRun({ nextStart }, info.exitCode);
    return true;
  }

  /** Ends the current run: the rest of its lines, then its exit. */
  private async endRun(end: RunEnd, exitCode: number | undefined): Promise<void> {
    this.statsFollow?.abort();
    this.statsFollow = undefined;
    if (this.ctx.logs) await this.log.runEnded(end);
    this.up = false;
    this.emitState('exited', undefined, exitCode);
  }

  /**
   * Follows the current run's log (`anew`: replacing a follow of an earlier run) and resource usage.
   * `isRun` tells the container inspected later still in this run (see ContainerLog.follow).
   */
  private follow(anew: boolean, isRun: (now: ContainerSummary) => boolean): void {
    if (this.closing) return;
    const sameRun = async () => {
      const now = await this.ctx.runtime.inspectContainer(this.id);
      return now !== undefined && isUp(now.state) && isRun(now);
    };
    if (this.ctx.logs) this.log.follow(anew, sameRun);
    if (!this.ctx.stats || this.statsFollow) return;
    const abort = new AbortController();
    this.statsFollow = abort;
    const task = this.pipeStats(abort);
    this.tasks.add(task);
    void task.finally(() => this.tasks.delete(task));
  }

  private async pipeStats(abort: AbortController): Promise<void> {
    try {
      for await (const s of this.ctx.runtime.stats(this.id, abort.signal)) {
        if (abort.signal.aborted) break;
        this.ctx.bus.emit({
          kind: 'container.stats',
          service: this.who.service,
          replica: this.who.replica,
          cpuPercent: s.cpuPercent,
          memoryUsage: s.memoryUsage,
          memoryLimit: s.memoryLimit,
        });
      }
    } catch {
      // Stats end with the container.
    } finally {
      if (this.statsFollow === abort) this.statsFollow = undefined;
    }
  }

  /** Emits state, health and ports of the container as the engine describes it. */
  private report(c: ContainerSummary): void {
    const startedAt = c.startedAt ? Date.parse(c.startedAt) : NaN;
    this.emitState(
      phaseOf(c.state),
      isUp(c.state) ? startedAt : undefined,
      c.state === 'exited' || c.state === 'dead' ? c.exitCode : undefined,
      c.restartCount,
    );
    if (isUp(c.state) && c.health)
      this.ctx.bus.emit({ kind: 'container.health', ...this.ids(), health: c.health });
    const ports = c.ports.flatMap((p) =>
      p.hostPort === undefined
        ? []
        : [{ hostIp: p.hostIp, hostPort: p.hostPort, target: p.target, protocol: p.protocol }],
    );
    if (ports.length > 0)
      this.ctx.bus.emit({
        kind: 'container.ports',
        service: this.who.service,
        replica: this.who.replica,
        ports,
      });
  }

  private emitState(phase: ServicePhase, startedAt?: number, exitCode?: number, restartCount?: number): void {
    this.reported = true;
    this.ctx.bus.emit({
      kind: 'container.state',
      ...this.ids(),
      phase,
      ...(exitCode !== undefined ? { exitCode } : {}),
      ...(startedAt !== undefined && Number.isFinite(startedAt) ? { startedAt } : {}),
      ...(restartCount !== undefined ? { restartCount } : {}),
    });
  }

  private ids(): { service: string; replica: number; container: string } {
    return { service: this.who.service, replica: this.who.replica, container: this.who.name };
  }
}
