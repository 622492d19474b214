/**
 * The live view of a swarm stack (`up --target swarm` attached, `ui --target swarm`): a feed polls the
 * swarm's services and tasks (tasks have no engine events) and follows each service's log, emitting on the
 * same bus as the local target, so the store, the Ink UI and the headless output are the same. Leaving it
 * only detaches: the swarm keeps the stack running.
 */
import { EventBus } from '../events/bus.js';
import { ViewStore } from '../events/store.js';
import { projectFilter } from '../model/labels.js';
import type { SwarmRuntime } from '../runtime/types.js';
import { swarmActions } from '../swarm/actions.js';
import { observeTasks } from '../swarm/observe.js';
import { emptySnapshot, liveEvents, liveSnapshot, serviceName, type LiveSnapshot } from '../swarm/live.js';
import type { UiHandle } from '../ui/render.js';
import { loadUi } from './load-ui.js';
import { startHeadless, type LogFormat } from './headless.js';
import { closeViews } from './views.js';

export interface SwarmFeedOptions {
  swarm: SwarmRuntime;
  project: string;
  bus: EventBus;
  signal: AbortSignal;
  /** Milliseconds between polls (default 1000). */
  intervalMs?: number;
  /** Log lines from this Unix time (seconds). */
  since?: number;
  /** Log lines of history per service (when `since` is not given). */
  tail?: number;
}

/** Resolves after `ms`, or at once when `signal` aborts (never rejects). */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

/** Polls the project's services and tasks and follows their logs until `signal` aborts. */
export function startSwarmFeed(o: SwarmFeedOptions): { done: Promise<void> } {
  const interval = o.intervalMs ?? 1000;
  const nodes = new Map<string, string>();
  const nodeReplicas = new Map<string, number>();
  const nodeReplica = (id: string) => {
    let n = nodeReplicas.get(id);
    if (n === undefined) nodeReplicas.set(id, (n = nodeReplicas.size + 1));
    return n;
  };
  const logs = new Map<string, Promise<void>>();
  // A log stream that ended while the service still exists (the engine went away, say) is followed again
  // by a later poll, from where it stopped, at most every 5 s, with one warning per service.
  const ended = new Map<string, number>();
  const warned = new Set<string>();
  // Tasks a poll did not know (gone from the task history): their lines go to replica 0 without polling.
  const unknownTasks = new Set<string>();
  let snapshot: LiveSnapshot = emptySnapshot();
  let downSince: number | undefined;
  let inFlight: Promise<void> | undefined;
  let polled = false;

  const pollOnce = async () => {
    const list = await observeTasks(o.swarm, o.project);
    if (list.some((s) => s.tasks.some((t) => t.nodeId && !nodes.has(t.nodeId))))
      for (const n of await o.swarm.listNodes()) nodes.set(n.id, n.hostname);
    const next = liveSnapshot({ project: o.project, services: list, nodes, nodeReplica });
    const events = liveEvents(snapshot, next);
    snapshot = next;
    for (const e of events) o.bus.emit(e);
    for (const { service } of list) {
      const stopped = ended.get(service.id);
      if (!logs.has(service.id) || (stopped !== undefined && Date.now() - stopped > 5000))
        follow(service.id, serviceName(o.project, service), stopped);
    }
    polled = true;
  };
  // One poll at a time; a log line from an unknown task asks for one too.
  const poll = () => (inFlight ??= pollOnce().finally(() => (inFlight = undefined)));

  const replicaOf = async (task: string | undefined): Promise<number> => {
    if (task === undefined || unknownTasks.has(task)) return 0;
    if (!snapshot.taskReplica.has(task)) await poll().catch(() => undefined);
    const known = snapshot.taskReplica.get(task);
    if (!known) unknownTasks.add(task);
    return known?.replica ?? 0;
  };

  const follow = (id: string, service: string, resumeAt?: number) => {
    ended.delete(id);
    // A service that appears after the first poll is new: all of its log.
    const history =
      resumeAt !== undefined
        ? { since: Math.floor(resumeAt / 1000) }
        : o.since !== undefined
          ? { since: o.since }
          : polled
            ? {}
            : { tail: o.tail ?? 0 };
    const run = (async () => {
      const opts = { follow: true, details: true, ...history };
      for await (const line of o.swarm.serviceLogs(id, opts, o.signal)) {
        const replica = await replicaOf(line.task);
        o.bus.emit({
          kind: 'log',
          service,
          replica,
          stream: line.stream,
          message: line.message,
          time: Date.now(),
        });
      }
    })()
      .catch((err: unknown) => {
        if (o.signal.aborted || warned.has(id)) return;
        warned.add(id);
        o.bus.emit({ kind: 'warning', service, message: `logs of ${service}: ${(err as Error).message}` });
      })
      .finally(() => {
        if (!o.signal.aborted) ended.set(id, Date.now());
      });
    logs.set(id, run);
  };

  const done = (async () => {
    while (!o.signal.aborted) {
      try {
        await poll();
        if (downSince !== undefined)
          o.bus.emit({ kind: 'engine.reconnected', downMs: Date.now() - downSince });
        downSince = undefined;
      } catch (err) {
        if (o.signal.aborted) break;
        if (downSince === undefined) {
          downSince = Date.now();
          o.bus.emit({ kind: 'engine.disconnected', error: (err as Error).message, retryInMs: interval });
        }
      }
      await sleep(interval, o.signal);
    }
    await Promise.all(logs.values());
  })();
  return { done };
}

export interface WatchSwarmOptions {
  swarm: SwarmRuntime;
  project: string;
  /** The stack's services in its order (the table's order). */
  services: string[];
  /** The replica count the stack file asks for, by service: what `s` starts a service with (default 1)
   * when the count it had before its stop is not known. */
  replicas?: Readonly<Record<string, number>>;
  ui: boolean;
  logFormat?: LogFormat;
  since?: number;
  tail?: number;
  stdout?: NodeJS.WriteStream;
  signals?: Pick<NodeJS.Process, 'on' | 'off'>;
}

/** Shows the swarm stack live until `q`/`d`, Ctrl-C or SIGTERM; the stack keeps running. */
export async function watchSwarm(o: WatchSwarmOptions): Promise<void> {
  const bus = new EventBus();
  const signals = o.signals ?? process;
  const stdout = o.stdout ?? process.stdout;
  const store = new ViewStore(o.ui ? {} : { config: { serviceLogLines: 1, allLogLines: 1 } });
  const detachStore = store.attach(bus);
  bus.emit({ kind: 'stack.loaded', project: o.project, services: o.services, files: [] });
  let leave: () => void = () => undefined;
  const left = new Promise<void>((resolve) => (leave = resolve));
  const stop = new AbortController();
  const feed = startSwarmFeed({
    swarm: o.swarm,
    project: o.project,
    bus,
    signal: stop.signal,
    since: o.since,
    tail: o.tail,
  });
  let ui: UiHandle | undefined;
  let headless: ReturnType<typeof startHeadless> | undefined;
  if (o.ui) {
    const { startUi } = await loadUi();
    // r and s act on the swarm service; the feed's next poll shows its tasks change. b never gets here:
    // a swarm has no local build, the App says so itself.
    const actions = swarmActions({ swarm: o.swarm, project: o.project, bus, replicas: o.replicas });
    ui = startUi({
      bus,
      store,
      stdout,
      mode: 'swarm',
      callbacks: {
        onRestart: (s) => void actions.restart(s),
        onStop: (s) => void actions.stop(s),
        onStart: (s) => void actions.start(s),
        onRebuild: () => undefined,
        onDetach: leave,
        onQuit: leave,
        onKill: leave,
      },
    });
  } else {
    headless = startHeadless({ bus, out: stdout, format: o.logFormat ?? 'plain' });
  }
  for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) signals.on(s, leave);
  try {
    await left;
  } finally {
    for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) signals.off(s, leave);
    stop.abort();
    await closeViews({ feedDone: feed.done, store, ui, headless, detachStore });
  }
  // Headless JSON goes to stdout: the note goes to stderr there.
  (o.ui ? stdout : process.stderr).write(
    `Detached from ${o.project}; the swarm keeps the stack running (tsstack down --target swarm removes it).\n`,
  );
}

/** The project's services as the swarm has them, for `ui` without a stack file. */
export async function swarmServiceNames(swarm: SwarmRuntime, project: string): Promise<string[]> {
  const list = await swarm.listServices(projectFilter(project));
  return list.map((s) => serviceName(project, s)).sort();
}
