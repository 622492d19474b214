/** The log pane: the newest lines of one service or of all, interleaved and colour-prefixed. */
import { Box, Text } from 'ink';
import type { LogEntry } from '../events/log-buffer.js';
import type { Theme } from './theme.js';

export interface LogPaneProps {
  lines: readonly LogEntry[];
  /** Which logs: a service name, or undefined for all. */
  target?: string;
  height: number;
  width: number;
  theme: Theme;
  /** Prefix width (the widest `service-replica` name). */
  prefixWidth: number;
  status: string;
}

export function LogPane({ lines, target, height, width, theme, prefixWidth, status }: LogPaneProps) {
  const title = target ? `logs: ${target}` : 'logs: all services';
  const blank = Math.max(0, height - lines.length);
  return (
    <Box flexDirection="column">
      <Text wrap="truncate">
        <Text bold color={theme.accent}>
          {`── ${title} `}
        </Text>
        <Text dimColor>{status ? `${status} ` : ''}</Text>
        <Text dimColor>{'─'.repeat(Math.max(0, width - title.length - status.length - 6))}</Text>
      </Text>
      {Array.from({ length: blank }, (_, i) => (
        <Text key={`blank-${i}`}> </Text>
      ))}
      {lines.map((e) => (
        <Text key={e.seq} wrap="truncate">
          <Text color={theme.service(e.service)}>{`${e.service}-${e.replica}`.padEnd(prefixWidth)} | </Text>
          <Text color={e.stream === 'stderr' && theme.color ? 'redBright' : undefined}>{e.message}</Text>
        </Text>
      ))}
    </Box>
  );
}
