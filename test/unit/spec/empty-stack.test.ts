// An empty stack file is refused, located, as Compose refuses it ("empty compose file"); a stack with no
// enabled service is refused by the commands that start services (Compose: "no service selected").
import { describe, expect, it } from 'vitest';
import { SpecError, formatProblem } from '../../../src/spec/errors.js';
import { loadStack, type LoadOptions } from '../../../src/spec/index.js';
import { requireServices } from '../../../src/spec/no-services.js';
import { tempProjects } from './load-helpers.js';

const project = tempProjects();

const opts = (cwd: string, more: Partial<LoadOptions> = {}): LoadOptions => ({
  files: [],
  cwd,
  envFiles: [],
  profiles: [],
  env: {},
  ...more,
});

/** The problems loading fails with, as `file:line:col path: message` lines (no code frames). */
async function refusal(p: Promise<unknown>): Promise<string[]> {
  try {
    await p;
  } catch (err) {
    if (err instanceof SpecError) return err.problems.map((q) => formatProblem({ ...q, frame: undefined }));
    throw err;
  }
  return [];
}

describe('an empty stack file', () => {
  it('is refused at its first line: empty, only comments, or only {} / null', async () => {
    const cases: [string, string][] = [
      ['', 'compose.yaml:1:1 the stack file is empty; a stack needs a services: mapping'],
      ['\n  \n', 'compose.yaml:1:1 the stack file is empty; a stack needs a services: mapping'],
      [
        '# services will come later\n\n  # really\n',
        'compose.yaml:1:1 the stack file holds only comments; a stack needs a services: mapping',
      ],
      ['{}\n', 'compose.yaml:1:1 the stack file defines nothing; a stack needs a services: mapping'],
      ['null\n', 'compose.yaml:1:1 the stack file defines nothing; a stack needs a services: mapping'],
      ['---\n...\n', 'compose.yaml:1:1 the stack file defines nothing; a stack needs a services: mapping'],
    ];
    for (const [text, expected] of cases) {
      const dir = project({ 'compose.yaml': text });
      expect(await refusal(loadStack(opts(dir))), JSON.stringify(text)).toEqual([expected]);
    }
  });

  it('is refused for project commands too (down, ps), as Compose does without -p', async () => {
    const dir = project({ 'compose.yaml': '' });
    expect(await refusal(loadStack(opts(dir, { allowMissing: true, projectName: 'p' })))).toHaveLength(1);
  });

  it('the error carries a code frame', async () => {
    const dir = project({ 'compose.yaml': '# nothing yet\n' });
    const err = await loadStack(opts(dir)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SpecError);
    expect((err as SpecError).message).toContain('> 1 | # nothing yet');
  });

  it('several files that are all empty are named together; one empty file among others is fine', async () => {
    const dir = project({ 'a.yml': '', 'b.yml': '# b\n', 'good.yml': 'services:\n  web:\n    image: x\n' });
    expect(await refusal(loadStack(opts(dir, { files: ['a.yml', 'b.yml'] })))).toEqual([
      'a.yml:1:1 the stack files (a.yml, b.yml) are empty; a stack needs a services: mapping',
    ]);
    const { stack } = await loadStack(opts(dir, { files: ['a.yml', 'good.yml', 'b.yml'] }));
    expect(Object.keys(stack.services)).toEqual(['web']);
  });

  it('an empty stdin is refused as <stdin>', async () => {
    const dir = project({});
    const lines = await refusal(loadStack(opts(dir, { files: ['-'], readStdin: async () => '' })));
    expect(lines).toEqual(['<stdin>:1:1 the stack file is empty; a stack needs a services: mapping']);
  });

  it('a file with any key is not empty: name only, networks only, services: {}', async () => {
    for (const text of ['name: demo\n', 'networks:\n  front: {}\n', 'services: {}\n', 'x-note: 1\n']) {
      const dir = project({ 'compose.yaml': text });
      const { stack } = await loadStack(opts(dir));
      expect(stack.services, text).toEqual({});
    }
  });
});

describe('requireServices: commands that start services need one', () => {
  const load = async (text: string, more: Partial<LoadOptions> = {}) =>
    loadStack(opts(project({ 'compose.yaml': text }), more));
  const located = (fn: () => void): string[] => {
    try {
      fn();
    } catch (err) {
      if (err instanceof SpecError) return err.problems.map((q) => formatProblem({ ...q, frame: undefined }));
      throw err;
    }
    return [];
  };

  it('services: {} is refused at the services key', async () => {
    const loaded = await load('name: demo\nservices: {}\n');
    expect(located(() => requireServices(loaded, 'up'))).toEqual([
      'compose.yaml:2:1 services: the stack defines no services; "up" needs at least one',
    ]);
  });

  it('a file with only networks is refused at its top', async () => {
    const loaded = await load('networks:\n  front: {}\n');
    expect(located(() => requireServices(loaded, 'run'))).toEqual([
      'compose.yaml:1:1 services: the stack defines no services; "run" needs at least one',
    ]);
  });

  it('services that are all behind disabled profiles: the message names them and --profile', async () => {
    const text =
      'services:\n  tools:\n    image: x\n    profiles: [ops]\n  debug:\n    image: x\n    profiles: [dbg]\n';
    const loaded = await load(text);
    expect(located(() => requireServices(loaded, 'up'))).toEqual([
      'compose.yaml:1:1 services: no service is enabled (debug, tools have profiles that are not enabled); "up" needs at least one: enable a profile with --profile NAME',
    ]);
    const enabled = await load(text, { profiles: ['ops'] });
    expect(located(() => requireServices(enabled, 'up'))).toEqual([]);
  });

  it('a stack with an enabled service passes', async () => {
    const loaded = await load('services:\n  web:\n    image: x\n');
    expect(located(() => requireServices(loaded, 'up'))).toEqual([]);
  });
});
