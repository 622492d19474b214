/** The help panel (`?`): every key and what it does. */
import { Box, Text } from 'ink';
import type { Theme } from './theme.js';

const KEYS: [string, string][] = [
  ['↑ ↓  j k', 'select a service'],
  ['Enter', 'show the logs of the selected service (again: all services)'],
  ['a / Esc', 'show the logs of all services'],
  ['r', 'restart the selected service'],
  ['s', 'stop the selected service, or start it when stopped'],
  ['b', 'rebuild the selected service image and recreate it'],
  ['/', 'filter log lines (Enter applies, Esc clears)'],
  ['PgUp PgDn', 'scroll the logs (End follows again)'],
  ['p', 'pause or resume the logs'],
  ['?', 'show or hide this help'],
  ['d', 'detach: leave the stack running and exit'],
  ['q  Ctrl-C', 'stop the stack gracefully and exit (Ctrl-C twice kills)'],
];

/** What r and s do to a swarm service (b: there is no local build for a swarm). */
const SWARM_KEYS: Record<string, [string, string]> = {
  r: [
    'r',
    'restart the selected service: a forced update replaces its tasks (docker service update --force)',
  ],
  s: ['s', 'stop: scale the selected service to 0 replicas; again: scale it back (not global services)'],
};

export interface HelpProps {
  theme: Theme;
  mode: 'up' | 'top' | 'swarm';
  height: number;
  /** Watch mode with manual triggers: `t` applies pending changes. */
  trigger?: boolean;
}

export function Help({ theme, mode, height, trigger }: HelpProps) {
  const base: [string, string][] = trigger
    ? [...KEYS.slice(0, 6), ['t', 'apply the watched changes waiting for a trigger'], ...KEYS.slice(6)]
    : KEYS;
  const keys =
    mode === 'swarm'
      ? base
          .filter(([k]) => !['b', 'd', 't'].includes(k))
          .map(([k, v]): [string, string] =>
            k.startsWith('q')
              ? [
                  `${k}  d`,
                  'detach: the swarm keeps the stack running (tsstack down --target swarm removes it)',
                ]
              : (SWARM_KEYS[k] ?? [k, v]),
          )
      : mode === 'top'
        ? base
            .map(([k, v]): [string, string] =>
              k.startsWith('q')
                ? [k, 'detach: the stack keeps running (use `tsstack down` to stop it)']
                : [k, v],
            )
            .filter(([k]) => k !== 'd')
        : base;
  return (
    <Box flexDirection="column" height={height}>
      <Text bold color={theme.accent}>
        Keys
      </Text>
      {keys.slice(0, Math.max(0, height - 1)).map(([k, v]) => (
        <Text key={k} wrap="truncate">
          <Text bold>{k.padEnd(12)}</Text>
          {v}
        </Text>
      ))}
    </Box>
  );
}
