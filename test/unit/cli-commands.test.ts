import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli/main.js';
import { commandName } from '../../src/cli/command-name.js';

const argv = (...args: string[]) => ['node', 'tsstack', ...args];

describe('command loading', () => {
  it('finds the command after global options and their values', () => {
    expect(commandName(argv('-f', 'a.yml', '-p', 'demo', '--debug', 'up', '-d'))).toBe('up');
    expect(commandName(argv('--project-directory', 'x', '--env-file', 'e', '--profile', 'p', 'config'))).toBe(
      'config',
    );
    expect(commandName(argv('attach', 'web'))).toBe('attach');
    expect(commandName(argv('ui'))).toBe('ui');
    expect(commandName(argv('convert'))).toBe('config');
    expect(commandName(argv('--ansi', 'never', '--progress', 'quiet', '--parallel', '2', 'kill'))).toBe(
      'kill',
    );
    expect(commandName(argv('--version'))).toBeUndefined();
  });

  it('registers only the command being run, and every command for help', async () => {
    const one = await buildProgram(argv('-f', 'a.yml', 'ps'));
    expect(one.commands.map((c) => c.name())).toEqual(['ps']);
    const all = await buildProgram(argv('--help'));
    expect(all.commands.map((c) => c.name())).toEqual(
      expect.arrayContaining(['up', 'down', 'config', 'ps', 'logs', 'run', 'exec', 'attach', 'ui']),
    );
    const unknown = await buildProgram(argv('nosuch'));
    expect(unknown.commands.length).toBe(all.commands.length);
  });
});
