/** The footer: the keys, and what the UI is doing (filtering, paused, stopping). */
import { Box, Text } from 'ink';
import type { Theme } from './theme.js';

export interface FooterProps {
  /** In `top` mode, `q` only detaches: the stack keeps running. */
  mode: 'up' | 'top' | 'swarm';
  theme: Theme;
  filter: string;
  editingFilter: boolean;
  paused: boolean;
  scrolled: boolean;
  quitting: boolean;
  notice?: { level: 'info' | 'warning' | 'error'; message: string };
}

export function Footer({
  mode,
  theme,
  filter,
  editingFilter,
  paused,
  scrolled,
  quitting,
  notice,
}: FooterProps) {
  if (editingFilter) {
    return (
      <Text wrap="truncate">
        <Text color={theme.accent}>filter: </Text>
        {filter}
        <Text inverse> </Text>
        <Text dimColor> Enter apply · Esc clear</Text>
      </Text>
    );
  }
  const keys =
    mode === 'swarm'
      ? 'q detach (the swarm keeps the stack running) · ? help · ↑↓/jk select · Enter logs · r restart · s scale to 0/back · / filter · p pause'
      : mode === 'top'
        ? 'q detach (stack keeps running) · ? help · ↑↓/jk select · Enter logs · r restart · s stop/start · b rebuild · / filter · p pause'
        : 'q quit · d detach · ? help · ↑↓/jk select · Enter logs · r restart · s stop/start · b rebuild · / filter · p pause';
  const flags = [
    quitting ? 'stopping the stack… Ctrl-C again to kill' : '',
    paused ? 'PAUSED (p to resume)' : '',
    scrolled && !paused ? 'scrolled (End to follow)' : '',
    filter ? `filter: ${filter}` : '',
  ].filter(Boolean);
  return (
    <Box flexDirection="column">
      {notice ? (
        <Text wrap="truncate" color={notice.level === 'error' ? theme.tone('bad') : theme.tone('warn')}>
          {notice.message}
        </Text>
      ) : null}
      <Text wrap="truncate">
        {flags.length > 0 ? (
          <Text color={quitting ? theme.tone('bad') : theme.accent}>{flags.join(' · ')} · </Text>
        ) : null}
        <Text dimColor>{keys}</Text>
      </Text>
    </Box>
  );
}
