/** Newline-delimited JSON from an engine stream (events, stats, build and pull progress). */
import { LineSplitter } from './demux.js';
import { toEngineError } from './docker-errors.js';

/**
 * Yields each JSON object as it arrives. Ends quietly when `signal` aborts or the engine closes the
 * stream; a broken connection for any other reason throws EngineError naming `what`.
 */
export async function* jsonObjects(
  stream: NodeJS.ReadableStream,
  what: string,
  signal?: AbortSignal,
): AsyncGenerator<Record<string, unknown>> {
  const destroy = () => (stream as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
  if (signal?.aborted) {
    destroy();
    return;
  }
  signal?.addEventListener('abort', destroy, { once: true });
  const lines = new LineSplitter();
  try {
    for await (const chunk of stream) {
      for (const line of lines.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk))) {
        const obj = parseLine(line);
        if (obj) yield obj;
      }
    }
    for (const line of lines.flush()) {
      const obj = parseLine(line);
      if (obj) yield obj;
    }
  } catch (err) {
    if (signal?.aborted) return;
    throw toEngineError(err, what);
  } finally {
    signal?.removeEventListener('abort', destroy);
    destroy();
  }
}

function parseLine(line: string): Record<string, unknown> | undefined {
  const text = line.trim();
  if (!text) return undefined;
  try {
    const v: unknown = JSON.parse(text);
    return v && typeof v === 'object' ? (v as Record<string, unknown>) : undefined;
  } catch {
    // A proxy's or an old engine's non-JSON noise: skip it rather than end the stream.
    return undefined;
  }
}
