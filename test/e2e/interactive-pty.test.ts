import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectObjects, removeProject, tsstack, uniqueName } from '../integration/helpers/stack-cli.js';
import { HAS_TMUX, TmuxTerminals } from '../integration/helpers/tmux.js';

// run, exec and attach in a real terminal (tmux): prompts, exit codes, raw mode on and restored, window size,
// detach keys, Ctrl-C and signals. Typed commands compute their output ($((1+1))), so a match on the screen is
// the shell's answer, not the echo of what was typed.
const term = new TmuxTerminals();
const PROJECT = uniqueName('t-e2e-int');
let dir: string;
let file: string;

const prompt = (s: string) => /^\/ #\s*$/m.test(s);
const exited = (s: string) => /TTY=(restored|changed)/.test(s);
/** The terminal's settings as stty prints them (raw mode shows -icanon -echo). */
const sttyOf = (tty: string) => execFileSync('stty', ['-F', tty, '-a'], { encoding: 'utf8' });

async function oneOffs(): Promise<string[]> {
  return (await projectObjects(PROJECT)).containers
    .filter((c) => c.Labels['io.tsstack.oneoff'] === 'true')
    .map((c) => `${c.Names[0]} ${c.State}`);
}

async function stateOf(service: string): Promise<string | undefined> {
  const c = (await projectObjects(PROJECT)).containers.find(
    (x) => x.Labels['io.tsstack.service'] === service && x.Labels['io.tsstack.oneoff'] === 'false',
  );
  return c?.State;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tsstack-e2e-int-'));
  file = join(dir, 'stack.yml');
  writeFileSync(
    file,
    `name: ${PROJECT}
services:
  app:
    image: tsstack-test/busybox:latest
    command: ["sh"]
    tty: true
    stdin_open: true
    stop_grace_period: 1s
  plain:
    image: tsstack-test/busybox:latest
    command: ["sh", "-c", "trap 'echo got-int; exit 5' INT; echo ready; while true; do sleep 1; done"]
    stop_grace_period: 1s
`,
  );
});

afterAll(async () => {
  term.close();
  await removeProject(PROJECT);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!HAS_TMUX)('interactive run, exec and attach in a pseudo-terminal', () => {
  it('run --rm app sh: a prompt, commands, the window size, exit 3 returned, the terminal restored', async () => {
    term.cliChecked('run', ['-f', file, 'run', '--rm', 'app', 'sh']);
    await term.waitFor('run', prompt, 'a prompt');
    // Raw mode is on while the session runs.
    const during = sttyOf(term.paneTty('run'));
    expect(during).toMatch(/-icanon/);
    expect(during).toMatch(/-echo\b/);

    term.keys('run', 'echo hi-$((1+1))', 'Enter');
    await term.waitFor('run', (s) => /^hi-2$/m.test(s), 'the echo');
    term.keys('run', 'stty size', 'Enter');
    await term.waitFor('run', (s) => /^30 120$/m.test(s), 'the TTY size of the window');
    term.resize('run', 100, 25);
    term.keys('run', 'clear; stty size', 'Enter');
    await term.waitFor('run', (s) => /^25 100$/m.test(s), 'the TTY size after the resize');

    term.keys('run', 'exit 3', 'Enter');
    const after = await term.waitFor('run', exited, 'the CLI to exit');
    expect(after).toContain('EXIT=3');
    expect(after).toContain('TTY=restored');
    expect(sttyOf(term.paneTty('run'))).toMatch(/(^|\s)icanon/);
    expect(await oneOffs()).toEqual([]);
  }, 120_000);

  it('run --rm -T app sh with piped stdin: the output, exit 3, the terminal untouched', async () => {
    term.cliChecked('piped', ['-f', file, 'run', '--rm', '-T', 'app', 'sh'], {
      input: 'echo piped-$((2+2))\nexit 3\n',
    });
    const after = await term.waitFor('piped', exited, 'the CLI to exit');
    expect(after).toMatch(/^piped-4$/m);
    expect(after).toContain('EXIT=3');
    expect(after).toContain('TTY=restored');
    expect(await oneOffs()).toEqual([]);
  }, 120_000);

  it('Ctrl-C in a TTY run goes to the container; the session carries on and exits cleanly', async () => {
    term.cliChecked('ctrlc', ['-f', file, 'run', '--rm', 'app', 'sh']);
    await term.waitFor('ctrlc', prompt, 'a prompt');
    // The shell's trap answers only if the Ctrl-C reaches the container's TTY while `sleep` runs.
    term.keys('ctrlc', `trap 'echo caught-$((3+4))' INT; echo sleeping; sleep 30`, 'Enter');
    await term.waitFor('ctrlc', (s) => /^sleeping$/m.test(s), 'the sleep to start');
    term.keys('ctrlc', 'C-c');
    await term.waitFor('ctrlc', (s) => /caught-7$/m.test(s), 'the trap in the container');
    term.keys('ctrlc', 'echo after-$((5+5))', 'Enter');
    await term.waitFor('ctrlc', (s) => /^after-10$/m.test(s), 'the shell to answer after Ctrl-C');
    term.keys('ctrlc', 'exit', 'Enter');
    const after = await term.waitFor('ctrlc', exited, 'the CLI to exit');
    expect(after).toContain('EXIT=0');
    expect(after).toContain('TTY=restored');
  }, 120_000);

  it('Ctrl-C in run -T is forwarded to the process (it exits 5); the terminal restored', async () => {
    term.cliChecked('ctrlcT', ['-f', file, 'run', '--rm', '-T', 'plain']);
    await term.waitFor('ctrlcT', (s) => s.includes('ready'), 'the process to start');
    term.keys('ctrlcT', 'C-c');
    const after = await term.waitFor('ctrlcT', exited, 'the CLI to exit');
    expect(after).toContain('got-int');
    expect(after).toContain('EXIT=5');
    expect(after).toContain('TTY=restored');
  }, 120_000);

  it('SIGTERM to tsstack during a raw session: terminal restored, the one-off stopped and removed, exit 143', async () => {
    term.cliChecked('term', ['-f', file, 'run', '--rm', 'app', 'sh']);
    await term.waitFor('term', prompt, 'a prompt');
    const pid = term.cliPid('term');
    expect(pid).toBeDefined();
    process.kill(pid as number, 'SIGTERM');
    const after = await term.waitFor('term', exited, 'the CLI to exit');
    expect(after).toContain('EXIT=143');
    expect(after).toContain('TTY=restored');
    expect(await oneOffs()).toEqual([]);
  }, 120_000);

  it('the container removed under a raw session: an engine error, exit 1, the terminal restored', async () => {
    term.cliChecked('gone', ['-f', file, 'run', 'app', 'sh']);
    await term.waitFor('gone', prompt, 'a prompt');
    const [name] = (await oneOffs()).map((c) => c.split(' ')[0]?.replace(/^\//, '') ?? '');
    execFileSync('docker', ['rm', '-f', name as string]);
    const after = await term.waitFor('gone', exited, 'the CLI to exit');
    expect(after).toContain('EXIT=1');
    expect(after).toContain('TTY=restored');
  }, 120_000);

  it('exec -it: a prompt in the running container, exit 4 returned, the terminal restored', async () => {
    const up = await tsstack(['-f', file, 'up', '-d']);
    expect(up.code, up.stderr).toBe(0);
    term.cliChecked('exec', ['-f', file, 'exec', 'app', 'sh']);
    await term.waitFor('exec', prompt, 'a prompt');
    term.keys('exec', 'echo in-exec-$((2+2)); test -t 0 && echo has-tty', 'Enter');
    await term.waitFor('exec', (s) => /^in-exec-4$/m.test(s) && /^has-tty$/m.test(s), 'the echo');
    term.keys('exec', 'exit 4', 'Enter');
    const after = await term.waitFor('exec', exited, 'the CLI to exit');
    expect(after).toContain('EXIT=4');
    expect(after).toContain('TTY=restored');
  }, 120_000);

  it('attach: input and output of the service container; Ctrl-P Ctrl-Q detaches and leaves it running', async () => {
    expect(await stateOf('app')).toBe('running');
    term.cliChecked('attach', ['-f', file, 'attach', 'app']);
    // Nothing to wait for on screen: the shell prints its prompt only after input.
    await new Promise((r) => setTimeout(r, 1000));
    term.keys('attach', 'echo attached-$((3+3))', 'Enter');
    await term.waitFor('attach', (s) => /^attached-6$/m.test(s), 'the echo');
    term.keys('attach', 'C-p', 'C-q');
    const after = await term.waitFor('attach', exited, 'the CLI to detach');
    expect(after).toContain('read escape sequence');
    expect(after).toContain('EXIT=1');
    expect(after).toContain('TTY=restored');
    expect(await stateOf('app')).toBe('running');
  }, 120_000);

  it('attach --detach-keys ctrl-a: Ctrl-P Ctrl-Q are ordinary keys, Ctrl-A detaches', async () => {
    term.cliChecked('keys', ['-f', file, 'attach', '--detach-keys', 'ctrl-a', 'app']);
    await new Promise((r) => setTimeout(r, 1000));
    // C-p recalls history in the shell's line editor: C-u clears the line before the next command.
    term.keys('keys', 'C-p', 'C-q', 'C-u');
    term.keys('keys', 'echo still-$((4+4))', 'Enter');
    await term.waitFor('keys', (s) => /^still-8$/m.test(s), 'the shell, still attached');
    term.keys('keys', 'C-a');
    const after = await term.waitFor('keys', exited, 'the CLI to detach');
    expect(after).toContain('EXIT=1');
    expect(after).toContain('TTY=restored');
    expect(await stateOf('app')).toBe('running');
  }, 120_000);
});
