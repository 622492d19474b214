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
    this.session(name, `${cliCommand(args, env)}; echo EXIT=$?`);
  }

  /**
   * Like `cli`, with `input` piped to the CLI's stdin when given; after EXIT=<code> it prints TTY=restored
   * or TTY=changed: whether the terminal's settings (`stty -g`) are what they were before the CLI ran.
   */
  cliChecked(
    name: string,
    args: string[],
    opts: { input?: string; env?: Record<string, string> } = {},
  ): void {
    const pipe = opts.input === undefined ? '' : `printf %s ${shellQuote(opts.input)} | `;
    const check = '[ "$(stty -g)" = "$before" ] && echo TTY=restored || echo TTY=changed';
    this.session(
      name,
      `before=$(stty -g); ${pipe}${cliCommand(args, opts.env ?? {})}; echo EXIT=$?; ${check}`,
    );
  }

  /** Resizes the window of session `name` (its programs get SIGWINCH). */
  resize(name: string, columns: number, rows: number): void {
    this.run('resize-window', '-t', name, '-x', String(columns), '-y', String(rows));
  }

  /** The process id of the program session `name` runs under its shell (the CLI), if it is running. */
  cliPid(name: string): number | undefined {
    const shell = this.run('display-message', '-p', '-t', name, '#{pane_pid}').trim();
    const r = spawnSync('pgrep', ['-P', shell, '-f', BIN], { encoding: 'utf8' });
    const pid = Number.parseInt(r.stdout.trim().split('\n')[0] ?? '', 10);
    return Number.isNaN(pid) ? undefined : pid;
  }

  /** The terminal device of session `name` (`/dev/pts/N`), to read its settings from outside. */
  paneTty(name: string): string {
    return this.run('display-message', '-p', '-t', name, '#{pane_tty}').trim();
  }

  private session(name: string, script: string): void {
    this.run(
      'new-session',
      '-d',
      '-s',
      name,
      '-x',
      '120',
      '-y',
      '30',
      `cd ${shellQuote(ROOT)} && ${script}; sleep 60`,
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

/** `tsstack <args>` as a shell command, with CI variables cleared (see TmuxTerminals). */
function cliCommand(args: string[], env: Record<string, string>): string {
  const vars = Object.entries(env).map(([k, v]) => `${k}=${shellQuote(v)}`);
  const cli = [process.execPath, BIN, ...args].map(shellQuote);
  return ['env -u CI -u CONTINUOUS_INTEGRATION', ...vars, ...cli].join(' ');
}

function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
