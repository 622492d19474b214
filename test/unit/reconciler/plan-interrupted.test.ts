// A rolling update killed between removing the old replica and renaming `<name>-next` leaves the new
// container as the replica under its temporary name: the next plan renames it (found by crash-rolling).
import { describe, expect, it } from 'vitest';
import { FakeRuntime } from '../../../src/runtime/fake.js';
import { LABEL } from '../../../src/model/labels.js';
import { makeStack } from '../helpers/stack-factory.js';
import { textFor, up } from '../helpers/converge.js';

describe('plan after an interrupted rolling update', () => {
  it('renames a current replica left under its -next name, then plans nothing', async () => {
    const fake = new FakeRuntime();
    fake.addImage('tsstack-test/busybox:latest');
    const stack = makeStack('demo', { web: { command: ['sleep', '1000'] } });
    expect((await up(fake, stack)).result.failed).toEqual([]);
    const [c] = await fake.listContainers({ [LABEL.project]: 'demo' }, { all: true });
    await fake.renameContainer(c!.id, 'demo-web-1-next');
    const text = await textFor(fake, stack);
    expect(text).toMatch(/rename container demo-web-1-next .*interrupted rolling update/);
    expect(text).not.toMatch(/create|remove|stop/);
    await up(fake, stack);
    const after = await fake.listContainers({ [LABEL.project]: 'demo' }, { all: true });
    expect(after.map((x) => [x.id, x.name])).toEqual([[c!.id, 'demo-web-1']]);
    expect(await textFor(fake, stack)).toBe('nothing to do\n');
  });
});
