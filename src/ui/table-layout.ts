/** Fits the service table to a terminal width: pure, so it is tested without rendering. */
import { formatBytes, formatDuration, type ServiceRow } from '../events/summary.js';

export type ColumnKey =
  | 'name'
  | 'kind'
  | 'ready'
  | 'state'
  | 'health'
  | 'restarts'
  | 'uptime'
  | 'cpu'
  | 'mem'
  | 'ports'
  | 'progress';

export interface Column {
  key: ColumnKey;
  title: string;
  width: number;
}

const TITLES: Record<ColumnKey, string> = {
  name: 'SERVICE',
  kind: 'KIND',
  ready: 'READY',
  state: 'STATE',
  health: 'HEALTH',
  restarts: 'RESTARTS',
  uptime: 'UPTIME',
  cpu: 'CPU',
  mem: 'MEM',
  ports: 'PORTS',
  progress: 'PROGRESS',
};

const MAX_WIDTH: Partial<Record<ColumnKey, number>> = { name: 24, state: 24, health: 16 };
/** Dropped first when the terminal is narrow. */
const DROP_ORDER: ColumnKey[] = ['mem', 'cpu', 'health', 'uptime', 'restarts', 'kind'];
export const GAP = 2;

/** The text of one cell. */
export function cellText(row: ServiceRow, key: ColumnKey): string {
  switch (key) {
    case 'name':
      return row.name;
    case 'kind':
      return row.kind ?? 'container';
    case 'ready':
      return `${row.ready}/${row.desired}`;
    case 'state':
      return row.state;
    case 'health':
      return row.health || '-';
    case 'restarts':
      return row.restarts > 0 && row.lastExitCode !== undefined
        ? `${row.restarts} (exit ${row.lastExitCode})`
        : String(row.restarts);
    case 'uptime':
      return row.uptimeMs === undefined ? '-' : formatDuration(row.uptimeMs);
    case 'cpu':
      return row.cpuPercent === undefined ? '-' : `${row.cpuPercent.toFixed(1)}%`;
    case 'mem':
      return row.memoryUsage === undefined ? '-' : formatBytes(row.memoryUsage);
    case 'ports':
      return row.ports || '-';
    case 'progress':
      return row.progress ?? '';
  }
}

/** Columns that fit in `width`, the last one (ports, or progress while images build) taking what is left. */
export function layoutColumns(rows: readonly ServiceRow[], width: number): Column[] {
  // KIND only for a stack that mixes in host processes: a container-only table looks as it always did.
  const mixed = rows.some((r) => r.kind === 'process');
  const fixed: ColumnKey[] = [
    'name',
    ...(mixed ? (['kind'] as const) : []),
    'ready',
    'state',
    'health',
    'restarts',
    'uptime',
    'cpu',
    'mem',
  ];
  const measure = (key: ColumnKey): number => {
    const widest = Math.max(TITLES[key].length, ...rows.map((r) => cellText(r, key).length));
    return Math.min(widest, MAX_WIDTH[key] ?? Number.POSITIVE_INFINITY);
  };
  let cols: Column[] = fixed.map((key) => ({ key, title: TITLES[key], width: measure(key) }));
  const total = () => cols.reduce((n, c) => n + c.width + GAP, 0);
  for (const key of DROP_ORDER) {
    if (total() <= width) break;
    cols = cols.filter((c) => c.key !== key);
  }
  const flexKey: ColumnKey = rows.some((r) => r.progress) ? 'progress' : 'ports';
  const room = width - total();
  if (room >= 8) cols.push({ key: flexKey, title: TITLES[flexKey], width: Math.min(room, measure(flexKey)) });
  // Still too wide (a very narrow terminal): squeeze the name column.
  const over = total() - GAP - width;
  const name = cols[0]!;
  if (over > 0) name.width = Math.max(6, name.width - over);
  return cols;
}

/** Pads or cuts `text` to exactly `width` characters. */
export function fit(text: string, width: number): string {
  if (text.length <= width) return text.padEnd(width);
  return width <= 1 ? text.slice(0, width) : `${text.slice(0, width - 1)}…`;
}
