/**
 * A pull's or push's per-layer progress (the engine reports each layer on its own) folded into one
 * figure for the image: layers done of layers seen, and bytes moved of bytes known. Pure.
 */
import type { ProgressEvent } from './types.js';

type Json = Record<string, unknown>;

interface Layer {
  current: number;
  total: number;
  done: boolean;
}

const DONE = /^(Pull complete|Already exists|Pushed|Layer already exists|Mounted from)/;

export class LayerProgress {
  private readonly layers = new Map<string, Layer>();

  constructor(private readonly verb: 'pull' | 'push') {}

  /** One message of the engine's JSON stream → the event to show, if any. */
  feed(obj: Json): ProgressEvent | undefined {
    const status = typeof obj.status === 'string' ? obj.status.trim() : '';
    const id = typeof obj.id === 'string' ? obj.id : undefined;
    if (!status) return undefined;
    // A layer id is a short hex digest; other ids are the tag being pulled or pushed.
    if (!id || !/^[0-9a-f]{12}$/.test(id))
      return { message: id && !status.includes(id) ? `${id}: ${status}` : status };
    const layer = this.layers.get(id) ?? { current: 0, total: 0, done: false };
    const detail = (obj.progressDetail ?? {}) as { current?: number; total?: number };
    if (typeof detail.total === 'number' && detail.total > 0) layer.total = detail.total;
    if (typeof detail.current === 'number')
      layer.current = Math.min(detail.current, layer.total || detail.current);
    if (DONE.test(status)) {
      layer.done = true;
      layer.current = layer.total;
    }
    this.layers.set(id, layer);
    return this.summary();
  }

  private summary(): ProgressEvent {
    let done = 0;
    let current = 0;
    let total = 0;
    for (const l of this.layers.values()) {
      if (l.done) done++;
      current += l.current;
      total += l.total;
    }
    const word = this.verb === 'pull' ? 'pulling' : 'pushing';
    return {
      message: `${word} ${done}/${this.layers.size} layers`,
      ...(total > 0 ? { current, total } : {}),
      transient: true,
    };
  }
}
