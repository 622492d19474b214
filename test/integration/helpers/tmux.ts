import { execFileSync, spawnSync } from 'node:child_process';
import { BIN, ROOT, uniqueName } from './stack-cli.js';

/** Whether tmux is installed; the pseudo-terminal tests skip without it. */
export const HAS_TMUX = spawnSync('tmux', ['-V']).status === 0;

/**
 * A tmux server on a socket of the test's own: each session is a real pseudo-terminal running the
 * CLI, and its screen is read back with capture-pane. Sessions inherit the server's environment,
 * which is the test runner's: `cli` clears CI/CONTINUOUS_INTEGRATION unless the test sets them, since
 * a CI variable turns the live UI off (src/ui/terminal.ts) and CI runs the tests with CI set.
 */
export class TmuxTerminals {
  readonly socket = uniqueName('tsstack-pty');

  run(...args: string[]): string {
    return execFileSync('tmux', ['-L', this.socket, ...args], { encoding: 'utf8' });
  }

  /** Starts session `name` (120×30) running `tsstack <args>`; it prints EXIT=<code> when the CLI ends. */
  cli(name: string, args: string[], env: Record<string, string> = {}): void {
    const vars = Object.entries(env).map(([k, v]) => `${k}=${shellQuote(v)}`);
    const cli = [process.execPath, BIN, ...args].map(shellQuote);
    const command = ['env -u CI -u CONTINUOUS_INTEGRATION', ...vars, ...cli].join(' ');
    this.run(
      'new-session',
      '-d',
      '-s',
      name,
      '-x',
      '120',
      '-y',
      '30',
      `cd ${shellQuote(ROOT)} && ${command}; echo EXIT=$?; sleep 60`,
    );
  }

  screen(name: string): string {
    return this.run('capture-pane', '-p', '-t', name);
  }

  keys(name: string, ...keys: string[]): void {
    this.run('send-keys', '-t', name, ...keys);
  }

  kill(name: string): void {
    this.run('kill-session', '-t', name);
  }

  /** Polls the screen until `test` passes; the error shows the last screen. */
  async waitFor(name: string, test: (s: string) => boolean, what: string, ms = 90_000): Promise<string> {
    const end = Date.now() + ms;
    let last = '';
    while (Date.now() < end) {
      last = this.screen(name);
      if (test(last)) return last;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`timed out waiting for ${what}; the screen was:\n${last}`);
  }

  close(): void {
    if (HAS_TMUX) spawnSync('tmux', ['-L', this.socket, 'kill-server']);
  }
}

function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
