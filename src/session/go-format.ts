/**
 * `--format` as Compose's `ps` and `stats` take it: `table` (the default columns), `json` (one object a
 * line), `table TEMPLATE` (columns of your choice, with a header) or `TEMPLATE` (one line per row). A
 * template is the common subset of Go's text/template: `{{.Field}}`, `{{json .Field}}`, `{{json .}}`, and
 * `\t` / `\n` escapes. Anything else in `{{ }}` is refused (exit 2) rather than printed wrong.
 */
import { UsageError } from '../core/errors.js';
import { renderTable } from './project-containers.js';

export type OutputFormat =
  { kind: 'table' } | { kind: 'json' } | { kind: 'template'; template: string; table: boolean };

type Row = Record<string, unknown>;

/** Reads a `--format` value. */
export function parseFormat(value: string): OutputFormat {
  const v = value.trim();
  if (v === '' || v === 'table') return { kind: 'table' };
  if (v === 'json') return { kind: 'json' };
  const table = v.startsWith('table ');
  const template = (table ? v.slice('table '.length) : v)
    .trim()
    .replaceAll('\\t', '\t')
    .replaceAll('\\n', '\n');
  // A template without one action prints the same words for every row: surely a mistyped format name.
  if (!template.includes('{{'))
    throw new UsageError(`--format must be table, json or a template such as "{{.Name}}", not "${value}"`);
  return { kind: 'template', template, table };
}

const ACTION = /\{\{-?\s*(.*?)\s*-?\}\}/g;

/** The fields a template names, in order (for its table header). */
export function templateFields(template: string): string[] {
  return [...template.matchAll(ACTION)].map((m) => {
    const field = /^(?:json\s+)?\.(\w*)$/.exec(m[1] ?? '');
    if (!field)
      throw new UsageError(
        `--format: unsupported template action {{${m[1]}}} (use {{.Field}} or {{json .Field}})`,
      );
    return field[1] ?? '';
  });
}

/** The template filled in from one row; an unknown field is an error naming the known ones. */
export function renderTemplate(template: string, row: Row): string {
  templateFields(template);
  return template.replace(ACTION, (_m, action: string) => {
    const json = action.startsWith('json');
    const field = action.replace(/^json\s+/, '').slice(1);
    const value = field === '' ? row : row[field];
    if (field !== '' && !(field in row))
      throw new UsageError(`--format: no field "${field}" (fields: ${Object.keys(row).join(', ')})`);
    if (json) return JSON.stringify(value);
    if (value === null || value === undefined) return '';
    return typeof value === 'object' ? JSON.stringify(value) : String(value);
  });
}

/**
 * Rows in a template format: one filled-in template a line, or with `table` aligned columns under a
 * header (`headers` names a field's column, else the field name in capitals).
 */
export function renderRows(
  format: Extract<OutputFormat, { kind: 'template' }>,
  rows: Row[],
  headers: Record<string, string> = {},
): string {
  const lines = rows.map((r) => renderTemplate(format.template, r));
  if (!format.table) return lines.map((l) => `${l}\n`).join('');
  const header = format.template.replace(ACTION, (_m, action: string) => {
    const field = action.replace(/^json\s+/, '').slice(1);
    return headers[field] ?? field.toUpperCase();
  });
  const split = (l: string) => l.split('\t');
  return renderTable(split(header), lines.map(split));
}
