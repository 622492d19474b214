/**
 * Reads `docker buildx build --progress=rawjson`: BuildKit's solve status as indented JSON objects (each
 * opens with a `{` line and closes with a `}` line), followed on failure by buildx's own text (the
 * Dockerfile line with a code frame, then `ERROR: ...`). Pure: fed lines, it returns progress events and
 * keeps what a failure message needs.
 */
import type { ProgressEvent } from './types.js';

interface Vertex {
  digest?: string;
  name?: string;
  started?: string;
  completed?: string;
  cached?: boolean;
  error?: string;
}

interface Status {
  id?: string;
  vertex?: string;
  name?: string;
  current?: number;
  total?: number;
  completed?: string;
}

interface Log {
  vertex?: string;
  data?: string;
}

interface SolveStatus {
  vertexes?: Vertex[];
  statuses?: Status[];
  logs?: Log[];
}

const KEEP_LOG_LINES = 15;

/** BuildKit's housekeeping steps: shown live, but not worth a line of their own. */
function isInternal(name: string): boolean {
  return name.startsWith('[internal]') || name.startsWith('[auth]') || name === 'exporting to image';
}

/** A progress event and, in a bake, the target it belongs to. */
export type TargetedProgress = ProgressEvent & { target?: string };

/** `[t0 base 2/3] RUN x` → target `t0`, name `[base 2/3] RUN x`; `[t0] exporting` → `exporting`. */
export function splitTarget(name: string): { target?: string; name: string } {
  const m = name.match(/^\[([A-Za-z0-9_-]+)(?: ([^\]]*))?\]\s*(.*)$/);
  if (!m) return { name };
  return { target: m[1], name: m[2] ? `[${m[2]}] ${m[3]}` : (m[3] ?? '') };
}

export class BuildxProgress {
  private json: string[] | undefined;
  private readonly targets = new Map<string, string>();
  private readonly text: string[] = [];
  private readonly names = new Map<string, string>();
  private readonly reported = new Map<string, 'started' | 'done'>();
  private readonly logs = new Map<string, string[]>();
  private readonly partial = new Map<string, string>();
  private failedVertex: string | undefined;

  /** `multi`: a bake of several targets, whose step names start with the target. */
  constructor(private readonly multi = false) {}

  /** Feeds one line of buildx's stderr; returns the events it gives. */
  line(line: string): TargetedProgress[] {
    if (this.json) {
      this.json.push(line);
      if (line !== '}') return [];
      const text = this.json.join('\n');
      this.json = undefined;
      try {
        return this.status(JSON.parse(text) as SolveStatus);
      } catch {
        this.text.push(...text.split('\n'));
        return [];
      }
    }
    if (line === '{') {
      this.json = [line];
      return [];
    }
    if (line.trim()) this.text.push(line);
    return [];
  }

  private status(s: SolveStatus): TargetedProgress[] {
    const out: TargetedProgress[] = [];
    for (const raw of s.vertexes ?? []) {
      if (!raw.digest || !raw.name) continue;
      const v = { ...raw, digest: raw.digest, name: raw.name };
      if (this.multi) {
        const split = splitTarget(raw.name);
        v.name = split.name;
        if (split.target) this.targets.set(raw.digest, split.target);
      }
      this.names.set(v.digest, v.name);
      const seen = this.reported.get(v.digest);
      const internal = isInternal(v.name);
      if (v.error) {
        this.failedVertex ??= v.digest;
        this.reported.set(v.digest, 'done');
        out.push({ id: v.digest, message: `${v.name} ERROR: ${v.error}` });
      } else if (v.cached && seen !== 'done') {
        this.reported.set(v.digest, 'done');
        out.push({ id: v.digest, message: `${v.name} CACHED`, ...(internal ? { transient: true } : {}) });
      } else if (v.started && !seen) {
        this.reported.set(v.digest, 'started');
        out.push({ id: v.digest, message: v.name, ...(internal ? { transient: true } : {}) });
      } else if (v.completed && seen === 'started') {
        this.reported.set(v.digest, 'done');
      }
    }
    for (const st of s.statuses ?? []) {
      if (!st.vertex || st.current === undefined) continue;
      out.push({
        id: st.vertex,
        message: `${this.names.get(st.vertex) ?? ''} ${st.id ?? st.name ?? ''}`.trim(),
        current: st.current,
        ...(st.total ? { total: st.total } : {}),
        transient: true,
      });
    }
    for (const log of s.logs ?? []) {
      if (!log.vertex || !log.data) continue;
      const text = (this.partial.get(log.vertex) ?? '') + Buffer.from(log.data, 'base64').toString('utf8');
      const lines = text.split(/\r?\n/);
      this.partial.set(log.vertex, lines.pop() ?? '');
      for (const l of lines) out.push(...this.logLine(log.vertex, l));
    }
    if (this.multi) for (const e of out) if (e.id) e.target = this.targets.get(e.id);
    return out;
  }

  private logLine(vertex: string, line: string): ProgressEvent[] {
    const kept = this.logs.get(vertex) ?? [];
    kept.push(line);
    if (kept.length > KEEP_LOG_LINES) kept.shift();
    this.logs.set(vertex, kept);
    return line.trim() ? [{ id: vertex, message: `  ${line}` }] : [];
  }

  /** In a bake: the target whose step failed. */
  failedTarget(): string | undefined {
    return this.failedVertex ? this.targets.get(this.failedVertex) : undefined;
  }

  /** The name of the step that failed (`[stage 3/4] RUN make`), if BuildKit said which. */
  failedStep(): string | undefined {
    return this.failedVertex ? this.names.get(this.failedVertex) : undefined;
  }

  /**
   * What went wrong, in BuildKit's words: the `ERROR:` line first, then the Dockerfile line and its code
   * frame that buildx printed, then the failed step's last output lines.
   */
  failure(): string {
    for (const [vertex, rest] of this.partial) if (rest) this.logLine(vertex, rest);
    const error = this.text.filter((l) => /^ERROR:/.test(l)).map((l) => l.replace(/^ERROR:\s*/, ''));
    const other = this.text.filter((l) => !/^ERROR:/.test(l) && !/^#0 building with/.test(l));
    const step = this.failedVertex ? this.names.get(this.failedVertex) : undefined;
    const output = this.failedVertex ? (this.logs.get(this.failedVertex) ?? []).filter((l) => l.trim()) : [];
    const parts = [
      error.join('\n') || 'buildx failed without saying why',
      ...(other.length ? [other.join('\n')] : []),
      ...(step && output.length
        ? [`last output of ${step}:\n${output.map((l) => `  ${l}`).join('\n')}`]
        : []),
    ];
    return parts.join('\n');
  }
}
