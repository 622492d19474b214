// Names are checked before anything reaches the engine: a service called `../../x`, a container_name
// with `/`, label keys and values with line breaks, volume and network names that escape.
import { describe, expect, it } from 'vitest';
import { SpecError } from '../../../src/spec/errors.js';
import { loadStack } from '../../../src/spec/index.js';
import { tempProject } from './load-helpers.js';

async function problems(yaml: string): Promise<string[]> {
  const { dir, cleanup } = tempProject({ 'compose.yaml': yaml });
  try {
    await loadStack({ files: ['compose.yaml'], cwd: dir, envFiles: [], profiles: [], env: {} });
    return [];
  } catch (err) {
    if (!(err instanceof SpecError)) throw err;
    for (const p of err.problems) expect(p.location, p.message).toBeDefined();
    return err.problems.map((p) => p.message.split('\n')[0] as string);
  } finally {
    cleanup();
  }
}

describe('hostile names are refused before the engine', () => {
  it('a service called ../../x', async () => {
    expect((await problems(`services:\n  "../../x":\n    image: x\n`)).join('\n')).toMatch(/\.\.\/\.\.\/x/);
  });

  it('a container_name with a slash, and one with a line break', async () => {
    expect((await problems(`services:\n  a:\n    image: x\n    container_name: a/b\n`)).join('\n')).toMatch(
      /container_name "a\/b" is invalid/,
    );
    expect(
      (await problems(`services:\n  a:\n    image: x\n    container_name: "a\\nb"\n`)).length,
    ).toBeGreaterThan(0);
  });

  it('a label key or value with a line break', async () => {
    expect(
      (await problems(`services:\n  a:\n    image: x\n    labels:\n      "k\\nx": v\n`)).join('\n'),
    ).toMatch(/labels key "k\\nx" is invalid/);
    expect(
      (await problems(`services:\n  a:\n    image: x\n    labels:\n      k: "v\\nx"\n`)).join('\n'),
    ).toMatch(/line break/);
  });

  it('an environment key with = or a NUL', async () => {
    expect((await problems(`services:\n  a:\n    image: x\n    environment:\n      "A=B": v\n`)).length).toBe(
      1,
    );
    expect(
      (await problems(`services:\n  a:\n    image: x\n    environment:\n      "A\\0": v\n`)).length,
    ).toBe(1);
  });

  it('volume and network names that escape, written or derived', async () => {
    for (const yaml of [
      `services:\n  a:\n    image: x\nvolumes:\n  "../v": {}\n`,
      `services:\n  a:\n    image: x\nvolumes:\n  v:\n    name: ../../etc\n`,
      `services:\n  a:\n    image: x\nnetworks:\n  n:\n    name: "a/b"\n`,
      `services:\n  a:\n    image: x\nsecrets:\n  "../s":\n    file: ./s\n`,
    ])
      expect(await problems(yaml), yaml).not.toEqual([]);
  });

  it('a project name with a slash or upper case', async () => {
    expect((await problems(`name: "../x"\nservices:\n  a:\n    image: x\n`)).length).toBeGreaterThan(0);
  });

  it('ordinary names pass', async () => {
    expect(
      await problems(
        `services:\n  web.app_1-x:\n    image: x\n    container_name: My.App_1\n    labels:\n      com.example/k: "v w"\nvolumes:\n  data: {}\n`,
      ),
    ).toEqual([]);
  });
});
