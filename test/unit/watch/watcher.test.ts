import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StackWatcher, type WatchEvent } from '../../../src/watch/watcher.js';

let dir: string;
let watcher: StackWatcher | undefined;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'tsstack-watcher-'));
});
afterEach(async () => {
  await watcher?.close();
  watcher = undefined;
  await rm(dir, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function nextEventAfter(events: WatchEvent[], count: number, ms = 1500): Promise<boolean> {
  const end = Date.now() + ms;
  while (events.length === count && Date.now() < end) await sleep(5);
  return events.length > count;
}

describe('StackWatcher', () => {
  it('reports source changes and skips pruned folders, and ignores files next to config files', async () => {
    const src = path.join(dir, 'src');
    await mkdir(path.join(src, 'node_modules', 'x'), { recursive: true });
    const events: WatchEvent[] = [];
    watcher = await StackWatcher.start(
      {
        configFiles: [path.join(dir, 'compose.yml')],
        sourcePaths: [src],
        prune: (d) => path.basename(d) === 'node_modules',
      },
      (e) => events.push(e),
    );
    await writeFile(path.join(src, 'node_modules', 'x', 'i.js'), 'x');
    await writeFile(path.join(dir, 'notes.txt'), 'x');
    await writeFile(path.join(src, 'a.js'), 'a');
    await nextEventAfter(events, 0);
    await sleep(200);
    expect(events.map((e) => [e.type, path.relative(dir, e.change.path), e.change.kind])).toEqual([
      ['source', 'src/a.js', 'add'],
    ]);
  });
});
