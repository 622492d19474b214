/**
 * An engine is in at most one swarm, and test files that initialise and leave one would pull it from under
 * each other (vitest runs files in parallel processes). Such files hold this lock from before `swarm init`
 * until after `swarm leave`: a directory made atomically, naming its owner's pid (a dead owner's lock is
 * taken over).
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';

const LOCK = '/tmp/tsstack-swarm-test.lock';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Waits for the swarm lock (up to `timeoutMs`); resolves with the function that releases it. */
export async function acquireSwarmLock(timeoutMs = 540_000): Promise<() => void> {
  const token = `${process.pid} ${randomBytes(6).toString('hex')}`;
  const end = Date.now() + timeoutMs;
  for (;;) {
    try {
      mkdirSync(LOCK);
      writeFileSync(`${LOCK}/owner`, token);
      return () => {
        const owner = (() => {
          try {
            return readFileSync(`${LOCK}/owner`, 'utf8');
          } catch {
            return '';
          }
        })();
        if (owner === token) rmSync(LOCK, { recursive: true, force: true });
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    let owner = '';
    try {
      owner = readFileSync(`${LOCK}/owner`, 'utf8');
    } catch {
      // Just made, owner not written yet: wait.
    }
    const pid = Number(owner.split(' ')[0]);
    if (owner !== '' && !alive(pid)) rmSync(LOCK, { recursive: true, force: true });
    if (Date.now() > end) throw new Error(`the swarm test lock ${LOCK} is still held by ${owner}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}
