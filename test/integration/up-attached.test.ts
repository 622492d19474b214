import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, ROOT, freePort, projectObjects, removeProject, uniqueName } from './helpers/stack-cli.js';

// `up` without -d: prefixed logs of every service until Ctrl-C, then a graceful stop.
const project = uniqueName('t-attached');

afterAll(async () => {
  await removeProject(project);
});

describe('attached up', () => {
  it('prints prefixed logs and stops the stack on SIGINT', async () => {
    const port = await freePort();
    const child = spawn(
      process.execPath,
      [BIN, '-f', join(ROOT, 'examples/hello/stack.yml'), '-p', project, 'up'],
      {
        cwd: ROOT,
        env: { ...process.env, HELLO_PORT: String(port), NO_COLOR: '1' },
      },
    );
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise<number>((resolve) => child.on('exit', (code) => resolve(code ?? -1)));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no client log line; stdout: ${stdout} stderr: ${stderr}`)),
        30_000,
      );
      child.stdout.on('data', (c: Buffer) => {
        stdout += c.toString();
        // The web server logs each request after answering it, so wait for both lines.
        if (/^client-1 +\| client got: hello from tsstack$/m.test(stdout) && /^web-1 +\| /m.test(stdout)) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    expect(stdout).toMatch(/^web-1 +\| /m);
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(stderr).toContain('Gracefully stopping');
    const states = (await projectObjects(project)).containers.map((c) => c.State);
    expect(states).toEqual(['exited', 'exited']);
  });
});
