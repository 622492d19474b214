/** The view for terminals too small for the table and log pane: one plain line per service, then logs. */
import { Box, Text } from 'ink';
import type { LogEntry } from '../events/log-buffer.js';
import type { ServiceRow } from '../events/summary.js';
import { fit } from './table-layout.js';

export interface PlainViewProps {
  rows: readonly ServiceRow[];
  selected: number;
  lines: readonly LogEntry[];
  width: number;
  height: number;
  mode: 'up' | 'top' | 'swarm';
  quitting: boolean;
}

export function PlainView({ rows, selected, lines, width, height, mode, quitting }: PlainViewProps) {
  const serviceLines = rows.slice(0, Math.max(1, height - 2));
  const logRoom = Math.max(0, height - 1 - serviceLines.length);
  const nameWidth = Math.min(16, Math.max(4, ...rows.map((r) => r.name.length)));
  const keys = quitting ? 'stopping… ^C kills' : mode !== 'up' ? 'q detach ? help' : 'q quit d detach ? help';
  return (
    <Box flexDirection="column">
      {serviceLines.map((r, i) => (
        <Text key={r.name} wrap="truncate">
          {fit(
            `${i === selected ? '>' : ' '}${fit(r.name, nameWidth)} ${r.ready}/${r.desired} ${r.state}`,
            width,
          )}
        </Text>
      ))}
      {(logRoom > 0 ? lines.slice(-logRoom) : []).map((e) => (
        <Text key={e.seq} wrap="truncate">
          {`${e.service}-${e.replica} | ${e.message}`}
        </Text>
      ))}
      <Text wrap="truncate">{keys}</Text>
    </Box>
  );
}
