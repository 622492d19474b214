/**
 * Watch mode's control flow: chokidar events → rules → one batch per quiet window → per-service work →
 * a coalescing single-flight runner per service (sync, restart, exec, rebuild) and one for spec reloads.
 *
 * Choices, following Compose's `develop.watch` where it speaks:
 * - In one batch a `rebuild` match supersedes the service's syncs (the new image has the files anyway).
 * - `sync+restart` restarts after the sync; `sync+exec` runs the command in every replica after the sync;
 *   `restart` only restarts. A command exiting non-zero is a warning, not a failure.
 * - Files are copied with their mode and mtime, owned by root (uid/gid 0) as the engine's archive API does.
 * - `initial_sync` copies every matching file once at start, through the same runner.
 * - `x-tsstack.watch.trigger: manual` queues a service's work until `trigger(service)`.
 * - A reload that throws a spec error (exit code 2) becomes a `stack.invalid` event; the stack keeps running.
 */
import path from 'node:path';
import { TsstackError } from '../core/errors.js';
import type { EventBus } from '../events/bus.js';
import type { ContainerSummary, Runtime } from '../runtime/types.js';
import type { Stack } from '../spec/types.js';
import { ChangeBatcher, type BatcherOptions, type ChangeBatch, type ChangeKind } from './batcher.js';
import { CoalescingRunner } from './rebuild-queue.js';
import {
  batchingFor,
  describeWork,
  emptyWork,
  mergeWork,
  serviceTriggerMode,
  toChanges,
  workFromBatch,
  type ServiceWork,
  type TriggerMode,
} from './work.js';
import { compileProcessRules, compileServiceRules, prunable, type RuleMatcher } from './rules.js';
import { SettleCheck } from './settle.js';
import {
  execIn,
  findServiceContainers,
  listRuleFiles,
  mergePlans,
  planSync,
  syncToContainer,
} from './sync.js';
import { StackWatcher } from './watcher.js';

/** How long a service's container list is trusted before a sync lists again. */
const CONTAINER_CACHE_MS = 30_000;

export interface StartWatchOptions {
  stack: Stack;
  runtime: Runtime;
  bus: EventBus;
  /** Re-loads the spec and reconciles; may return the new stack so the watch rules follow it. */
  reload: () => Promise<Stack | void>;
  /** Builds the service's image, then recreates the service. */
  rebuild: (service: string) => Promise<void>;
  /** Host processes' rules: `restart` restarts the process, `rebuild` runs its build command, then restarts it. */
  processes?: {
    restart: (name: string) => Promise<void>;
    rebuild: (name: string) => Promise<void>;
  };
  signal: AbortSignal;
  /** Files whose change reloads the stack besides `stack.files` and `<projectDir>/.env`: env_files, extends/include targets. */
  configFiles?: string[] | ((stack: Stack) => string[]);
  batching?: BatcherOptions;
}

export interface WatchController {
  /** Applies the changes queued for a service in manual trigger mode; resolves when applied. */
  trigger(service: string): Promise<void>;
  /** Services with queued changes waiting for `trigger`. */
  pendingServices(): string[];
  triggerMode(service: string): TriggerMode;
  /** Resolves once no batch is pending and no action is running. */
  idle(): Promise<void>;
  close(): Promise<void>;
}

export { describeWork, mergeWork, serviceTriggerMode, workFromBatch, type TriggerMode };

/** Starts watch mode: watcher → rules → batcher → per-service single-flight actions. Stops on `signal`. */
export async function startWatch(opts: StartWatchOptions): Promise<WatchController> {
  const w = new WatchSession(opts);
  await w.start();
  return w;
}

class WatchSession implements WatchController {
  private stack: Stack;
  private rules: RuleMatcher[] = [];
  private watcher: StackWatcher | undefined;
  private readonly runners = new Map<string, CoalescingRunner<ServiceWork>>();
  private readonly manual = new Map<string, ServiceWork>();
  /** Running containers per service, remembered briefly so a sync costs one engine call, not two. */
  private readonly containers = new Map<string, { at: number; list: ContainerSummary[] }>();
  private readonly sourceBatcher: ChangeBatcher;
  private readonly configBatcher: ChangeBatcher;
  private readonly reloadRunner: CoalescingRunner<ChangeBatch>;
  private readonly sourceSettle: SettleCheck;
  private readonly configSettle: SettleCheck;
  private closed = false;

  constructor(private readonly opts: StartWatchOptions) {
    this.stack = opts.stack;
    const batching = opts.batching ?? batchingFor(opts.stack);
    this.sourceSettle = new SettleCheck((c) => this.sourceBatcher.push(c));
    this.configSettle = new SettleCheck((c) => this.configBatcher.push(c));
    this.sourceBatcher = new ChangeBatcher((b) => {
      this.sourceSettle.track(b.changes);
      this.onSourceBatch(b);
    }, batching);
    this.configBatcher = new ChangeBatcher((b) => {
      this.configSettle.track(b.changes);
      void this.reloadRunner.submit(b).catch(() => {});
    }, batching);
    this.reloadRunner = new CoalescingRunner(
      (b) => this.runReload(b),
      (a, b) => ({ ...b, firstAt: Math.min(a.firstAt, b.firstAt), changes: [...a.changes, ...b.changes] }),
    );
  }

  async start(): Promise<void> {
    this.rules = this.compileRules();
    this.watcher = await StackWatcher.start(
      this.sources(),
      (e) => {
        if (e.type === 'config') this.configBatcher.push(e.change);
        else if (this.relevant(e.change.path, e.change.kind)) this.sourceBatcher.push(e.change);
      },
      (err) => this.opts.bus.emit({ kind: 'warning', message: `file watcher: ${errorText(err)}` }),
    );
    this.opts.signal.addEventListener('abort', () => void this.close(), { once: true });
    if (this.opts.signal.aborted) await this.close();
    else await this.initialSync();
  }

  trigger(service: string): Promise<void> {
    const work = this.manual.get(service);
    if (!work) return Promise.resolve();
    this.manual.delete(service);
    return this.runner(service).submit(work);
  }

  pendingServices(): string[] {
    return [...this.manual.keys()].sort();
  }

  triggerMode(service: string): TriggerMode {
    return serviceTriggerMode(this.stack.services[service]);
  }

  async idle(): Promise<void> {
    // A batch may be mid-window: flush it, then wait for everything it started.
    this.sourceBatcher.flush();
    this.configBatcher.flush();
    await this.reloadRunner.idle();
    await Promise.all([...this.runners.values()].map((r) => r.idle()));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.sourceBatcher.close();
    this.configBatcher.close();
    this.sourceSettle.close();
    this.configSettle.close();
    await this.watcher?.close();
  }

  private compileRules(): RuleMatcher[] {
    return [
      ...Object.values(this.stack.services).flatMap((s) => compileServiceRules(s)),
      ...Object.values(this.stack.processes ?? {}).flatMap((p) => compileProcessRules(p)),
    ];
  }

  private sources() {
    const configFiles = new Set([
      ...this.stack.files.filter((f) => f !== '-'),
      path.join(this.stack.projectDir, '.env'),
      ...(typeof this.opts.configFiles === 'function'
        ? this.opts.configFiles(this.stack)
        : (this.opts.configFiles ?? [])),
    ]);
    return {
      configFiles: [...configFiles],
      sourcePaths: [...new Set(this.rules.map((r) => r.rule.path))],
      prune: (dir: string) => prunable(this.rules, dir),
    };
  }

  private relevant(p: string, kind: ChangeKind): boolean {
    const isDir = kind === 'addDir' || kind === 'unlinkDir';
    return this.rules.some((r) => r.matches(p, isDir));
  }

  private runner(service: string): CoalescingRunner<ServiceWork> {
    let r = this.runners.get(service);
    if (!r) {
      r = new CoalescingRunner((w) => this.apply(service, w), mergeWork);
      this.runners.set(service, r);
    }
    return r;
  }

  private onSourceBatch(batch: ChangeBatch): void {
    for (const [service, work] of workFromBatch(this.rules, batch)) {
      const action = describeWork(work);
      const paths = [...work.files].map((f) => path.relative(this.stack.projectDir, f) || f);
      this.opts.bus.emit({ kind: 'watch.change', service, paths, action });
      if (this.triggerMode(service) === 'manual') {
        const queued = this.manual.get(service);
        const merged = queued ? mergeWork(queued, work) : work;
        this.manual.set(service, merged);
        this.opts.bus.emit({
          kind: 'watch.pending',
          service,
          action: describeWork(merged),
          files: merged.files.size,
        });
      } else {
        // Failures are reported as events inside apply; the promise is only for callers of trigger().
        this.runner(service)
          .submit(work)
          .catch(() => {});
      }
    }
  }

  private async apply(service: string, work: ServiceWork): Promise<void> {
    const action = describeWork(work);
    const { bus, runtime } = this.opts;
    try {
      if (this.stack.processes?.[service]) {
        // A host process runs from the files themselves: nothing to sync, only restart (after a build).
        const processes = this.opts.processes;
        if (!processes) throw new Error(`no supervisor for host process ${service}`);
        await (work.rebuild ? processes.rebuild(service) : processes.restart(service));
      } else if (work.rebuild) {
        this.containers.delete(service);
        await this.opts.rebuild(service);
        this.containers.delete(service);
      } else {
        const plan = mergePlans([...work.syncs].map(([m, changes]) => planSync(m.rule, toChanges(changes))));
        let containers = await this.containersOf(service, false);
        try {
          await Promise.all(containers.map((c) => syncToContainer(runtime, c.id, plan)));
        } catch (err) {
          // The remembered container may have been recreated since (rebuild, reload, another terminal): look again.
          const fresh = await this.containersOf(service, true);
          if (fresh.map((c) => c.id).join() === containers.map((c) => c.id).join()) throw err;
          containers = fresh;
          await Promise.all(containers.map((c) => syncToContainer(runtime, c.id, plan)));
        }
        for (const m of work.execs) await Promise.all(containers.map((c) => this.runExec(service, c.id, m)));
        if (work.restart) await Promise.all(containers.map((c) => runtime.restartContainer(c.id)));
      }
      bus.emit({
        kind: 'watch.applied',
        service,
        action,
        files: work.files.size,
        ms: Date.now() - work.firstAt,
      });
    } catch (err) {
      bus.emit({ kind: 'watch.failed', service, action, error: errorText(err) });
      throw err;
    }
  }

  private async containersOf(service: string, fresh: boolean): Promise<ContainerSummary[]> {
    const cached = this.containers.get(service);
    if (!fresh && cached && Date.now() - cached.at < CONTAINER_CACHE_MS) return cached.list;
    const list = await findServiceContainers(this.opts.runtime, this.stack.name, service);
    if (list.length === 0) {
      this.containers.delete(service);
      throw new Error(`no running container of service ${service} to apply it to`);
    }
    this.containers.set(service, { at: Date.now(), list });
    return list;
  }

  private async runExec(service: string, containerId: string, m: RuleMatcher): Promise<void> {
    const exec = m.rule.exec;
    if (!exec) return;
    const env = Object.entries(exec.environment ?? {}).map(([k, v]) => `${k}=${v}`);
    const { exitCode, stderr } = await execIn(this.opts.runtime, containerId, exec.command, {
      user: exec.user,
      privileged: exec.privileged,
      workingDir: exec.working_dir,
      env,
    });
    if (exitCode !== 0) {
      const message = `sync+exec ${JSON.stringify(exec.command)} exited ${exitCode}${stderr ? `: ${stderr}` : ''}`;
      this.opts.bus.emit({ kind: 'warning', service, message });
    }
  }

  private async runReload(batch: ChangeBatch): Promise<void> {
    const { bus } = this.opts;
    const paths = batch.changes.map((c) => path.relative(this.stack.projectDir, c.path) || c.path);
    bus.emit({ kind: 'watch.change', paths, action: 'reload' });
    try {
      const next = await this.opts.reload();
      if (next) {
        this.stack = next;
        if (!this.opts.batching) {
          this.sourceBatcher.configure(batchingFor(next));
          this.configBatcher.configure(batchingFor(next));
        }
        this.rules = this.compileRules();
        this.containers.clear();
        await this.watcher?.update(this.sources());
      }
      bus.emit({
        kind: 'watch.applied',
        action: 'reload',
        files: paths.length,
        ms: Date.now() - batch.firstAt,
      });
    } catch (err) {
      // An invalid edit: say where, keep the running stack and keep watching; the next save retries.
      if (err instanceof TsstackError && err.exitCode === 2)
        bus.emit({ kind: 'stack.invalid', message: err.message });
      else bus.emit({ kind: 'watch.failed', action: 'reload', error: errorText(err) });
    }
  }

  private async initialSync(): Promise<void> {
    const now = Date.now();
    const byService = new Map<string, ServiceWork>();
    for (const m of this.rules) {
      if (!m.rule.initial_sync || !m.rule.action.startsWith('sync')) continue;
      const files = await listRuleFiles(m);
      if (files.length === 0) continue;
      const w = byService.get(m.service) ?? emptyWork(now);
      w.syncs.set(m, new Map(files.map((f) => [f.path, f.kind])));
      for (const f of files) w.files.add(f.path);
      byService.set(m.service, w);
    }
    for (const [service, work] of byService) {
      this.opts.bus.emit({ kind: 'watch.change', service, paths: [], action: 'initial_sync' });
      this.runner(service)
        .submit(work)
        .catch(() => {});
    }
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
