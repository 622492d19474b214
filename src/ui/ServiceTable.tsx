/** The service table: one line per service, the selected one highlighted, fitted to the terminal width. */
import { Box, Text } from 'ink';
import type { ServiceRow, TaskLine } from '../events/summary.js';
import { cellText, fit, GAP, layoutColumns, type Column } from './table-layout.js';
import type { Theme } from './theme.js';

export interface ServiceTableProps {
  rows: readonly ServiceRow[];
  selected: number;
  width: number;
  /** Lines available for service rows (the header takes one more); the selection stays in view. */
  height: number;
  theme: Theme;
}

/** Lines the table's body needs: a row per service, plus a line per task of a Swarm service. */
export function tableLineCount(rows: readonly ServiceRow[]): number {
  return rows.reduce((n, r) => n + 1 + (r.tasks?.length ?? 0), 0);
}

type Line =
  { kind: 'service'; row: ServiceRow; index: number } | { kind: 'task'; row: ServiceRow; task: number };

export function ServiceTable({ rows, selected, width, height, theme }: ServiceTableProps) {
  const columns = layoutColumns(rows, width - 2);
  const visible = Math.max(1, height);
  const lines: Line[] = rows.flatMap((row, index): Line[] => [
    { kind: 'service', row, index },
    ...(row.tasks ?? []).map((_, task): Line => ({ kind: 'task', row, task })),
  ]);
  // Keep the selected service's row (and as many of its tasks as fit) in view.
  const at = lines.findIndex((l) => l.kind === 'service' && l.index === selected);
  const end = Math.max(0, at) + Math.min(visible, 1 + (rows[selected]?.tasks?.length ?? 0)) - 1;
  const first = Math.min(Math.max(0, end - visible + 1), Math.max(0, lines.length - visible));
  const shown = lines.slice(first, first + visible);
  const tasks = rows.flatMap((r) => r.tasks ?? []);
  const labelWidth = Math.max(0, ...tasks.map((t) => t.label.length));
  const nodeWidth = Math.min(24, Math.max(0, ...tasks.map((t) => t.node.length)));
  const stateWidth = Math.max(0, ...tasks.map((t) => t.state.length));
  const gap = ' '.repeat(GAP);
  const hidden = rows.length - new Set(shown.map((l) => l.row.name)).size;
  return (
    <Box flexDirection="column">
      <Text bold wrap="truncate">
        {'  '}
        {columns.map((c) => fit(c.title, c.width)).join(gap)}
      </Text>
      {rows.length === 0 ? <Text dimColor>{'  '}no services yet</Text> : null}
      {shown.map((line) =>
        line.kind === 'service' ? (
          <Row
            key={line.row.name}
            row={line.row}
            columns={columns}
            selected={line.index === selected}
            theme={theme}
          />
        ) : (
          <TaskRow
            key={`${line.row.name}\0${line.task}`}
            task={line.row.tasks![line.task]!}
            widths={[labelWidth, nodeWidth, stateWidth]}
            theme={theme}
          />
        ),
      )}
      {lines.length > shown.length ? (
        <Text dimColor>
          {'  '}
          {hidden > 0 ? `${hidden} more services` : `${lines.length - shown.length} more lines`} (arrows to
          scroll)
        </Text>
      ) : null}
    </Box>
  );
}

function TaskRow({
  task,
  widths,
  theme,
}: {
  task: TaskLine;
  widths: [number, number, number];
  theme: Theme;
}) {
  const gap = ' '.repeat(GAP);
  return (
    <Text wrap="truncate" dimColor={task.tone === 'idle'}>
      {'    '}
      {fit(task.label, widths[0])}
      {gap}
      {fit(task.node, widths[1])}
      {gap}
      <Text color={theme.tone(task.tone)}>{fit(task.state, widths[2])}</Text>
      {task.error ? `${gap}${task.error}` : ''}
    </Text>
  );
}

function Row({
  row,
  columns,
  selected,
  theme,
}: {
  row: ServiceRow;
  columns: Column[];
  selected: boolean;
  theme: Theme;
}) {
  const gap = ' '.repeat(GAP);
  return (
    <Text wrap="truncate" inverse={selected && theme.color}>
      {selected ? '> ' : '  '}
      {columns.map((c, i) => {
        const text = fit(cellText(row, c.key), c.width) + (i < columns.length - 1 ? gap : '');
        const colour =
          c.key === 'name' ? theme.service(row.name) : c.key === 'state' ? theme.tone(row.tone) : undefined;
        return (
          <Text key={c.key} color={colour} bold={c.key === 'name'}>
            {text}
          </Text>
        );
      })}
    </Text>
  );
}
