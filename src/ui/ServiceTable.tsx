/** The service table: one line per service, the selected one highlighted, fitted to the terminal width. */
import { Box, Text } from 'ink';
import type { ServiceRow } from '../events/summary.js';
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

export function ServiceTable({ rows, selected, width, height, theme }: ServiceTableProps) {
  const columns = layoutColumns(rows, width - 2);
  const visible = Math.max(1, height);
  const first = Math.min(Math.max(0, selected - visible + 1), Math.max(0, rows.length - visible));
  const shown = rows.slice(first, first + visible);
  const gap = ' '.repeat(GAP);
  return (
    <Box flexDirection="column">
      <Text bold wrap="truncate">
        {'  '}
        {columns.map((c) => fit(c.title, c.width)).join(gap)}
      </Text>
      {rows.length === 0 ? <Text dimColor>{'  '}no services yet</Text> : null}
      {shown.map((row, i) => (
        <Row key={row.name} row={row} columns={columns} selected={first + i === selected} theme={theme} />
      ))}
      {rows.length > shown.length ? (
        <Text dimColor>
          {'  '}
          {rows.length - shown.length} more (arrows to scroll)
        </Text>
      ) : null}
    </Box>
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
