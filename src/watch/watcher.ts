import path from 'node:path';
import type { Stats } from 'node:fs';
import { watch, type FSWatcher } from 'chokidar';
import type { ChangeKind, FileChange } from './batcher.js';

/** What to watch: files whose change reloads the stack, and the `develop.watch` paths. */
export interface WatchSources {
  /** Stack files, env_files, `.env`, extends/include targets: absolute paths, they may not exist yet. */
  configFiles: string[];
  /** Absolute `develop.watch` paths (folders or files). */
  sourcePaths: string[];
  /** True for a folder the source watcher may skip entirely (nothing under it can match a rule). */
  prune?: (absDir: string) => boolean;
}

export type WatchEvent = { type: 'config'; change: FileChange } | { type: 'source'; change: FileChange };

const KINDS: readonly ChangeKind[] = ['add', 'change', 'unlink', 'addDir', 'unlinkDir'];

function isChangeKind(event: string): event is ChangeKind {
  return (KINDS as readonly string[]).includes(event);
}

/**
 * Two chokidar watchers: one on the folders holding the config files (depth 0, so a `.env` created later is
 * seen and editors' rename-on-save works), one on the source paths. Events go out raw; batching is the caller's.
 */
export class StackWatcher {
  private configFiles = new Set<string>();
  private sourcePaths = new Set<string>();
  private configDirs = new Set<string>();
  private prune: ((absDir: string) => boolean) | undefined;
  private config: FSWatcher | undefined;
  private source: FSWatcher | undefined;

  private constructor(
    private readonly onEvent: (event: WatchEvent) => void,
    private readonly onError: (err: unknown) => void,
  ) {}

  /** Starts watching; resolves once both watchers have scanned their paths. */
  static async start(
    sources: WatchSources,
    onEvent: (event: WatchEvent) => void,
    onError: (err: unknown) => void = () => {},
  ): Promise<StackWatcher> {
    const w = new StackWatcher(onEvent, onError);
    await w.update(sources);
    return w;
  }

  /**
   * Replaces what is watched (after a spec reload changed the rules); resolves when the new paths are scanned.
   * A watcher whose paths changed is replaced by a fresh one: chokidar signals `ready` only once per instance.
   */
  async update(sources: WatchSources): Promise<void> {
    this.prune = sources.prune;
    this.configFiles = new Set(sources.configFiles.map((f) => path.resolve(f)));
    const dirs = new Set([...this.configFiles].map((f) => path.dirname(f)));
    const sourcePaths = new Set(sources.sourcePaths.map((p) => path.resolve(p)));
    const waits: Promise<void>[] = [];
    if (!sameSet(dirs, this.configDirs) || !this.config) {
      this.configDirs = dirs;
      const old = this.config;
      this.config = this.configWatcher([...dirs]);
      waits.push(ready(this.config, dirs.size), old?.close() ?? Promise.resolve());
    }
    if (!sameSet(sourcePaths, this.sourcePaths) || !this.source) {
      this.sourcePaths = sourcePaths;
      const old = this.source;
      this.source = this.sourceWatcher([...sourcePaths]);
      waits.push(ready(this.source, sourcePaths.size), old?.close() ?? Promise.resolve());
    }
    await Promise.all(waits);
  }

  /** Stops both watchers. */
  async close(): Promise<void> {
    await Promise.all([this.config?.close(), this.source?.close()]);
  }

  private configWatcher(dirs: string[]): FSWatcher {
    // depth 0 on the folders: a `.env` created later is seen, and editors' rename-on-save works.
    const w = watch(dirs, { ignoreInitial: true, depth: 0, persistent: true });
    w.on('error', this.onError);
    w.on('all', (event, p) => {
      const abs = path.resolve(p);
      if (isChangeKind(event) && this.configFiles.has(abs))
        this.onEvent({ type: 'config', change: { path: abs, kind: event } });
    });
    return w;
  }

  private sourceWatcher(paths: string[]): FSWatcher {
    // atomic off: the batcher already folds an unlink followed by an add, without chokidar's 100 ms delay.
    const w = watch(paths, {
      ignoreInitial: true,
      persistent: true,
      atomic: false,
      ignored: (p: string, stats?: Stats) => this.isPruned(p, stats),
    });
    w.on('error', this.onError);
    w.on('all', (event, p) => {
      if (isChangeKind(event))
        this.onEvent({ type: 'source', change: { path: path.resolve(p), kind: event } });
    });
    return w;
  }

  private isPruned(p: string, stats?: Stats): boolean {
    if (!this.prune || !stats?.isDirectory()) return false;
    const abs = path.resolve(p);
    if (this.sourcePaths.has(abs)) return false;
    return this.prune(abs);
  }
}

function sameSet(a: Set<string>, b: Set<string>): boolean {
  return a.size === b.size && [...a].every((x) => b.has(x));
}

function ready(w: FSWatcher, paths: number): Promise<void> {
  if (paths === 0) return Promise.resolve();
  return new Promise((resolve) => w.once('ready', () => resolve()));
}
