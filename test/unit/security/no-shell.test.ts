// Values from a stack file must never reach a shell on the host: no child_process call that takes a
// command string (exec, execSync), no `shell: true`, no command line built as one string.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = path.join(import.meta.dirname, '../../../src');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) return sources(p);
    return /\.(ts|tsx|js|mjs)$/.test(name) ? [p] : [];
  });
}

/** Lines that would run a host shell, as `file:line: text`. */
export function shellUses(file: string, text: string): string[] {
  const found: string[] = [];
  const usesChildProcess = /['"](node:)?child_process['"]/.test(text);
  text.split('\n').forEach((line, i) => {
    const code = line.replace(/\/\/.*$/, '');
    const hit =
      /\bshell\s*:\s*(true|['"`])/.test(code) ||
      (usesChildProcess && /\b(exec|execSync)\s*\(/.test(code)) ||
      /\bchild_process['"]\)?\.(exec|execSync)\b/.test(code);
    if (hit) found.push(`${path.relative(SRC, file)}:${i + 1}: ${line.trim()}`);
  });
  return found;
}

describe('no shell on the host', () => {
  const files = sources(SRC);

  it('scans the whole source tree', () => {
    expect(files.length).toBeGreaterThan(50);
  });

  it('src/ has no exec/execSync from child_process and no shell: true', () => {
    const hits = files.flatMap((f) => shellUses(f, readFileSync(f, 'utf8')));
    expect(hits).toEqual([]);
  });

  it('every child_process import uses argv-array calls only (execFile/spawn)', () => {
    for (const f of files) {
      const text = readFileSync(f, 'utf8');
      const m = /import\s*\{([^}]*)\}\s*from\s*['"](node:)?child_process['"]/.exec(text);
      if (!m) continue;
      const names = (m[1] ?? '').split(',').map((s) => s.trim().split(/\s+as\s+/)[0]);
      expect(
        names.filter((n) => n && !['execFile', 'spawn', 'execFileSync', 'spawnSync'].includes(n)),
        f,
      ).toEqual([]);
    }
  });

  it('the scanner flags what it should (so the checks above can fail)', () => {
    const cp = "import { exec } from 'node:child_process';\n";
    expect(shellUses('/x.ts', `${cp}exec('ls ' + dir);`)).toHaveLength(1);
    expect(shellUses('/x.ts', `${cp}execSync(\`rm \${x}\`);`)).toHaveLength(1);
    expect(shellUses('/x.ts', "spawn('sh', [x], { shell: true });")).toHaveLength(1);
    expect(shellUses('/x.ts', "require('child_process').exec(cmd)")).toHaveLength(1);
    expect(shellUses('/x.ts', `${cp}execFile('docker', ['ps']);`)).toEqual([]);
    // A container exec (the engine's, argv only) is not a host shell.
    expect(shellUses('/x.ts', 'await runtime.exec(id, ["ls"]);')).toEqual([]);
  });
});
