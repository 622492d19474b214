import type { SourceLocation } from './types.js';

/** A few lines of `text` around `loc`, numbered, with a caret under the column. */
export function codeFrame(text: string, loc: SourceLocation, before = 1, after = 1): string | undefined {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const index = loc.line - 1;
  if (index < 0 || index >= lines.length) return undefined;
  const first = Math.max(0, index - before);
  let last = Math.min(lines.length - 1, index + after);
  while (last > index && (lines[last] as string).trim() === '') last--;
  const width = String(last + 1).length;
  const out: string[] = [];
  for (let i = first; i <= last; i++) {
    const mark = i === index ? '>' : ' ';
    const line = (lines[i] as string).replace(/\t/g, ' ');
    out.push(`${mark} ${String(i + 1).padStart(width)} | ${truncate(line)}`.trimEnd());
    if (i === index)
      out.push(`  ${' '.repeat(width)} | ${' '.repeat(Math.max(0, Math.min(loc.col - 1, 160)))}^`);
  }
  return out.join('\n');
}

function truncate(line: string): string {
  return line.length > 160 ? `${line.slice(0, 157)}...` : line;
}
