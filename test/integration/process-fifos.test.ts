// Output pipes of host processes come from a stock of spare FIFOs made ahead: the first start makes its
// two pipes and SPARE_FIFOS spares in one run of mkfifo, the next starts rename spares, and spares left in
// the folder (a supervisor that was killed) are taken first. The processes' output still arrives.
import { closeSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readPipe } from '../../src/runtime/process/output.js';
import { SPARE_FIFOS, spawnProcess, type Spawned } from '../../src/runtime/process/spawn.js';
import { processSpec } from './helpers/processes.js';
import { uniqueName } from './helpers/stack-cli.js';

const roots: string[] = [];
afterEach(() => {
  for (const r of roots.splice(0)) rmSync(r, { recursive: true, force: true });
});

const sparesIn = (dir: string) => readdirSync(dir).filter((f) => f.startsWith('.spare.'));

/** Everything the run wrote to stdout, once it has exited. */
async function output(s: Spawned): Promise<string[]> {
  const lines: string[] = [];
  closeSync(s.readFds.stderr);
  const reader = readPipe(s.readFds.stdout, (l) => lines.push(l));
  await new Promise((r) => s.child.once('exit', r));
  // The pipe stays open while the run's own read-write end is held: stop reading once its line is in.
  for (let i = 0; i < 100 && lines.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
  reader.close();
  return lines;
}

describe('output pipes from spare FIFOs', () => {
  it('one mkfifo run serves the next starts; leftover spares are taken first', async () => {
    const root = mkdtempSync(join(tmpdir(), 'tsstack-fifos-'));
    roots.push(root);
    const pipeDir = join(root, 'run');
    const project = uniqueName('t-fifo');
    // A spare left by an earlier supervisor.
    mkdirSync(pipeDir, { recursive: true });
    execFileSync('mkfifo', ['-m', '600', join(pipeDir, '.spare.0123456789ab')]);
    const o = { pipeDir, baseEnv: process.env };

    const first = await spawnProcess(processSpec(project, root, 'a', ['echo', 'one']), o);
    expect(await output(first)).toEqual(['one']);
    // The leftover became one of its pipes; the other came with SPARE_FIFOS new spares.
    expect(sparesIn(pipeDir)).not.toContain('.spare.0123456789ab');
    expect(sparesIn(pipeDir)).toHaveLength(SPARE_FIFOS);

    const second = await spawnProcess(processSpec(project, root, 'b', ['echo', 'two']), o);
    expect(await output(second)).toEqual(['two']);
    expect(sparesIn(pipeDir)).toHaveLength(SPARE_FIFOS - 2);
    for (const p of [second.pipes.stdout, second.pipes.stderr]) expect(lstatSync(p).isFIFO()).toBe(true);
  });
});
