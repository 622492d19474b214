// examples/mixed through the built CLI (`npm run build` first): a container (the busybox "database"), a
// Node.js server on the host that waits for it to be healthy, and a container that waits for the server
// and calls it through host.docker.internal. Checked against the engine and the process table (/proc).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scanMarked } from '../../src/runtime/process/proc-table.js';
import {
  kill,
  leaders,
  markedPids,
  processProject,
  supervisorPid,
  supervisorProcesses,
  type ProcessProject,
} from './helpers/processes.js';
import { containerLogs, docker, eventually, projectObjects, stopCli } from './helpers/stack-cli.js';

let p: ProcessProject;

beforeAll(async () => {
  p = await processProject('t-mixed', { example: 'mixed' });
});

afterAll(async () => {
  await p.cleanup();
});

const apiUrl = () => `http://127.0.0.1:${p.env.MIXED_API_PORT}/`;

describe('examples/mixed: containers and a host process in one graph', () => {
  it('up -d --wait starts them in order both ways; ps shows both kinds; each reaches the other', async () => {
    const up = await p.cli(['up', '-d', '--wait']);
    expect(up.code, up.stderr).toBe(0);
    // db (container) before api (process) before client (container).
    const order = up.stderr
      .split('\n')
      .filter((l) => /Started$/.test(l))
      .map((l) => l.trim());
    expect(order).toEqual([
      `✔ Container ${p.project}-db-1  Started`,
      `✔ Process ${p.project}-api-1  Started`,
      `✔ Container ${p.project}-client-1  Started`,
    ]);
    const ps = await p.cli(['ps']);
    expect(ps.stdout).toMatch(/^NAME +KIND +SERVICE +STATUS +PORTS$/m);
    expect(ps.stdout).toMatch(
      new RegExp(
        `^${p.project}-api-1 +process +api +running \\S+ \\(healthy\\), pid \\d+ +${p.env.MIXED_API_PORT}/tcp$`,
        'm',
      ),
    );
    expect(ps.stdout).toMatch(new RegExp(`^${p.project}-db-1 +container +db +Up .*\\(healthy\\)`, 'm'));
    // The process reaches the container through its published port; the client container reaches the process.
    const body = await (await fetch(apiUrl())).text();
    expect(body).toContain('"greeting":"hello from the database"');
    expect(
      await eventually(
        async () => (await containerLogs(`${p.project}-client-1`)).includes('hello from the host'),
        30_000,
      ),
    ).toBe(true);
    // The process table is the source of truth: its markers name project, service, replica and config hash.
    const json = (await p.cli(['ps', '--format', 'json'])).stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const api = json.find((r) => r.Kind === 'process');
    expect(api).toMatchObject({ Service: 'api', Replica: 1, State: 'running', Health: 'healthy' });
    const environ = readFileSync(`/proc/${String(api?.Pid)}/environ`, 'utf8').split('\0');
    expect(environ).toContain(`TSSTACK_PROJECT=${p.project}`);
    expect(environ).toContain('TSSTACK_SERVICE=api');
    expect(environ).toContain('TSSTACK_REPLICA=1');
    expect(environ.some((e) => /^TSSTACK_CONFIG_HASH=[0-9a-f]{64}$/.test(e))).toBe(true);
    const logs = await p.cli(['logs', '--tail', '5', '-t', 'api']);
    expect(logs.stdout).toMatch(/^api-1 +\| \d{4}-\d\d-\d\dT\S+Z api listening on \d+/m);
    // A second up changes nothing.
    expect((await p.cli(['up', '-d', '--dry-run'])).stdout).toBe('nothing to do\n');
  }, 180_000);

  it('exec does not apply to a process: one line, exit 2', async () => {
    const exec = await p.cli(['exec', '-T', 'api', 'ls']);
    expect(exec.code).toBe(2);
    expect(exec.stderr.trim()).toMatch(/^"api" is a host process, not a container: exec does not apply/);
    expect(exec.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('a SIGKILLed supervisor is replaced by the next up, which adopts the running process (same pid)', async () => {
    const before = leaders(p.project);
    expect(before.map((l) => l.service)).toEqual(['api']);
    const daemon = await supervisorPid(p.project, p.env);
    expect(daemon).toBeGreaterThan(0);
    kill(daemon!);
    expect(await eventually(async () => (await supervisorPid(p.project, p.env)) === undefined, 10_000)).toBe(
      true,
    );
    // Without a supervisor, ps still finds it in the process table.
    expect((await p.cli(['ps'])).stdout).toMatch(new RegExp(`${p.project}-api-1 +process +api +running`));
    const up = await p.cli(['up', '-d', '--wait']);
    expect(up.code, up.stderr).toBe(0);
    expect(leaders(p.project)).toEqual(before);
    expect(supervisorProcesses(p.project)).toHaveLength(1);
    expect((await p.cli(['up', '-d', '--dry-run'])).stdout).toBe('nothing to do\n');
  }, 120_000);

  it('down leaves nothing running: no container, no network, no process, no supervisor', async () => {
    const down = await p.cli(['down', '-t', '2']);
    expect(down.code, down.stderr).toBe(0);
    expect(await projectObjects(p.project)).toEqual({ containers: [], networks: [], volumes: [] });
    expect(markedPids(p.project)).toEqual([]);
    expect(await eventually(async () => supervisorProcesses(p.project).length === 0, 10_000)).toBe(true);
    expect((await p.cli(['ps', '-a'])).stdout.trim()).toBe('NAME   SERVICE   STATUS   PORTS');
  }, 120_000);

  it('attached up --watch: an edit of the server restarts only the process; Ctrl-C stops everything', async () => {
    const cli = p.spawn(['up', '--headless', '--watch']);
    try {
      expect(
        await eventually(
          async () => /^api-1 healthy$/m.test(cli.out.stdout) && /^client-1 started$/m.test(cli.out.stdout),
          90_000,
        ),
      ).toBe(true);
      const [api] = leaders(p.project);
      const started = async (name: string) => (await docker.getContainer(name).inspect()).State.StartedAt;
      const db = await started(`${p.project}-db-1`);
      const client = await started(`${p.project}-client-1`);
      const server = join(p.dir, 'api', 'server.mjs');
      writeFileSync(
        server,
        readFileSync(server, 'utf8').replace('hello from the host', 'hello again from the host'),
      );
      expect(
        await eventually(
          async () =>
            (
              await fetch(apiUrl())
                .then((r) => r.text())
                .catch(() => '')
            ).includes('hello again'),
          60_000,
        ),
      ).toBe(true);
      expect(cli.out.stderr).toMatch(/^watch: api restart \d+ files? in \d+ ms$/m);
      const [after] = leaders(p.project);
      expect(after?.pid).not.toBe(api?.pid);
      expect(await started(`${p.project}-db-1`)).toBe(db);
      expect(await started(`${p.project}-client-1`)).toBe(client);
      // The attached session serves the control socket: another terminal's ps sees it supervised. The server
      // can answer before its next health probe (every 500 ms) has run, so ps may first say "starting".
      expect(
        await eventually(
          async () => /api +running \S+ \(healthy\)/.test((await p.cli(['ps'])).stdout),
          10_000,
        ),
      ).toBe(true);
    } finally {
      expect(await stopCli(cli, 60_000)).toBe(0);
    }
    expect(markedPids(p.project)).toEqual([]);
    const states = (await projectObjects(p.project)).containers.map((c) => c.State).sort();
    expect(states).toEqual(['exited', 'exited']);
    expect(scanMarked(p.project)).toEqual([]);
  }, 240_000);
});
