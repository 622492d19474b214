// Compose parity: every command and long flag `docker compose --help` and `docker compose COMMAND --help`
// list must exist in tsstack (the built CLI's own --help), except the short list below, each with its
// reason. Skipped, with the reason in its name, where Docker Compose v2 is not installed.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const bin = path.join(repo, 'bin', 'tsstack.js');

/**
 * What tsstack does not have, on purpose or for now. Keys: `COMMAND` (the whole command), `COMMAND --flag`,
 * `COMMAND *` (all of its flags), or `--flag` (a global flag).
 */
const EXCEPTIONS: Record<string, string> = {};

function run(cmd: string, args: string[]): { code: number | null; out: string } {
  const r = spawnSync(cmd, args, {
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, NO_COLOR: '1' },
  });
  return { code: r.status, out: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

/** The lines of a help section (`Options:`, `Commands:`) up to the next blank line that ends it. */
function section(help: string, title: string): string[] {
  const lines = help.split('\n');
  const start = lines.findIndex((l) => l.trim() === title);
  if (start < 0) return [];
  const out: string[] = [];
  for (const l of lines.slice(start + 1)) {
    if (l.trim() === '' || /^\S/.test(l)) break;
    out.push(l);
  }
  return out;
}

/** Long flags of a help text's Options section (`  -f, --file string   ...` or `  -f, --file <path>  ...`). */
function longFlags(help: string): string[] {
  return section(help, 'Options:')
    .map((l) => /^\s+(?:-\w, )?--([\w-]+)/.exec(l)?.[1])
    .filter((f): f is string => f !== undefined && f !== 'help');
}

/** Command names of a help text's Commands section. */
function commands(help: string): string[] {
  return section(help, 'Commands:')
    .map((l) => /^\s+([a-z][\w-]*)/.exec(l)?.[1])
    .filter((c): c is string => c !== undefined && c !== 'help');
}

const compose = run('docker', ['compose', 'version', '--short']);
const composeVersion = compose.code === 0 ? compose.out.trim() : undefined;
const isV2 = composeVersion !== undefined && /^v?2\./.test(composeVersion);

describe('Compose parity', () => {
  if (!isV2) {
    it(`skipped: Docker Compose v2 is not installed (docker compose version: ${composeVersion ?? 'not found'})`, (ctx) =>
      ctx.skip());
    return;
  }

  it(`has every command and long flag of Docker Compose ${composeVersion}`, () => {
    const composeHelp = run('docker', ['compose', '--help']).out;
    const ours = run(process.execPath, [bin, '--help']).out;
    const composeCommands = commands(composeHelp);
    const ourCommands = new Set(commands(ours));
    const missing: string[] = [];
    const stale = new Set(Object.keys(EXCEPTIONS));
    const excepted = (key: string, command?: string): boolean => {
      for (const k of [key, ...(command ? [`${command} *`] : [])])
        if (k in EXCEPTIONS) {
          stale.delete(k);
          return true;
        }
      return false;
    };
    let flags = 0;
    let flagsHave = 0;
    const globals = longFlags(composeHelp);
    const ourGlobals = new Set(longFlags(ours));
    for (const f of globals) if (!ourGlobals.has(f) && !excepted(`--${f}`)) missing.push(`global --${f}`);
    for (const c of composeCommands) {
      const theirs = longFlags(run('docker', ['compose', c, '--help']).out);
      flags += theirs.length;
      if (!ourCommands.has(c)) {
        if (!excepted(c)) missing.push(`command ${c}`);
        continue;
      }
      const mine = new Set(longFlags(run(process.execPath, [bin, c, '--help']).out));
      for (const f of theirs) {
        if (mine.has(f)) flagsHave++;
        else if (!excepted(`${c} --${f}`, c)) missing.push(`${c} --${f}`);
      }
    }
    const commandsHave = composeCommands.filter((c) => ourCommands.has(c)).length;
    const globalsHave = globals.filter((f) => ourGlobals.has(f)).length;
    // The coverage, in the test output: what exists, whatever the exceptions say.
    console.log(
      `Compose ${composeVersion} parity: commands ${commandsHave}/${composeCommands.length}, ` +
        `command long flags ${flagsHave}/${flags}, global flags ${globalsHave}/${globals.length}`,
    );
    for (const [k, why] of Object.entries(EXCEPTIONS)) console.log(`  exception: ${k} (${why})`);
    expect(composeCommands.length).toBeGreaterThan(20);
    expect(missing, 'missing from tsstack (add them, or an exception with its reason)').toEqual([]);
    expect([...stale], 'exceptions for what tsstack has now (remove them)').toEqual([]);
  }, 180_000);
});
