/** Reading the JSON lines of an attached session (`--log-format json`) as one sequence per service. */

export type JsonLine = Record<string, unknown>;

/** The JSON objects in `text`, one a line (other lines skipped). */
export function jsonLinesOf(text: string): JsonLine[] {
  return text
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as JsonLine);
}

/**
 * What one service's replica 1 showed, in order: `started`, `exited:CODE`, and its log lines of `stream`
 * as `stream:message`. The engine keeps order within a stream, not between stdout and stderr.
 */
export function sequenceOf(lines: JsonLine[], service: string, stream: 'stdout' | 'stderr'): string[] {
  return lines.flatMap((l) => {
    if (l.service !== service || l.replica !== 1) return [];
    if (l.event === 'started') return ['started'];
    if (l.event === 'exited') return [`exited:${String(l.exitCode)}`];
    if (l.event === undefined && l.stream === stream) return [`${stream}:${String(l.message)}`];
    return [];
  });
}
