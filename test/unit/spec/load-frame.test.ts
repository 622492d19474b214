import { describe, expect, it } from 'vitest';
import { codeFrame } from '../../../src/spec/frame.js';

const text = 'services:\n  web:\n    image: x\n    ports: ["80:80:80"]\n\n';

describe('codeFrame', () => {
  it('shows the line with a caret under the column and one line around it', () => {
    expect(codeFrame(text, { file: 'f', line: 3, col: 12 })).toBe(
      ['  2 |   web:', '> 3 |     image: x', '    |            ^', '  4 |     ports: ["80:80:80"]'].join(
        '\n',
      ),
    );
  });

  it('pads line numbers to the widest and drops blank lines after the error', () => {
    const long = `${'a: 1\n'.repeat(9)}b: [\n\n`;
    expect(codeFrame(long, { file: 'f', line: 10, col: 4 }, 1, 2)).toBe(
      ['   9 | a: 1', '> 10 | b: [', '     |    ^'].join('\n'),
    );
  });

  it('returns undefined for a line outside the text', () => {
    expect(codeFrame(text, { file: 'f', line: 99, col: 1 })).toBeUndefined();
  });
});
