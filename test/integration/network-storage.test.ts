import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  docker,
  eventually,
  execIn,
  freePort,
  projectObjects,
  removeProject,
  tsstack,
  uniqueName,
} from './helpers/stack-cli.js';

// Networks (aliases, internal, ipam, network_mode), binds with created host folders, tmpfs, read-only
// root, secrets and configs from files, volumes_from, external volumes: on the real engine.
const project = uniqueName('t-netstore');
const external = `${project}-ext`;
const subnetByte = 100 + Math.floor(Math.random() * 150);
let tmp = '';
let file = '';

const yaml = (dir: string, udpPort: number): string => `
services:
  web:
    image: tsstack-test/busybox:latest
    command: ["sh", "-c", "echo ok > /tmp/index.html; httpd -f -p 80 -h /tmp & trap 'exit 0' TERM; wait"]
    networks:
      front:
        aliases: [www]
    ports:
      - "127.0.0.1::80"
      - "127.0.0.1:${udpPort}:9999/udp"
  probe:
    image: tsstack-test/busybox:latest
    command: ["sh", "-c", "trap 'exit 0' TERM; sleep 3600 & wait"]
    # (not on \`files\`: the engine refuses volumes_from a container that has a tmpfs mount)
    tmpfs: ["/scratch"]
    networks: [front, back]
  sidecar:
    image: tsstack-test/busybox:latest
    command: ["sh", "-c", "trap 'exit 0' TERM; sleep 3600 & wait"]
    network_mode: "service:web"
    depends_on: [web]
  files:
    image: tsstack-test/busybox:latest
    command: ["sh", "-c", "trap 'exit 0' TERM; sleep 3600 & wait"]
    read_only: true
    volumes:
      - ${dir}/made/by/tsstack:/data
      - shared:/shared
    secrets: [token]
    configs: [settings]
    networks: [back]
  borrower:
    image: tsstack-test/busybox:latest
    command: ["sh", "-c", "trap 'exit 0' TERM; sleep 3600 & wait"]
    volumes_from: ["files:ro"]
    network_mode: none
networks:
  front: {}
  back:
    internal: true
    ipam:
      config:
        - subnet: 10.213.${subnetByte}.0/24
volumes:
  shared:
    external: true
    name: ${external}
secrets:
  token:
    file: ${dir}/token.txt
configs:
  settings:
    file: ${dir}/settings.conf
`;

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'tsstack-netstore-'));
  await writeFile(join(tmp, 'token.txt'), 's3cret\n');
  await writeFile(join(tmp, 'settings.conf'), 'level=9\n');
  await mkdir(tmp, { recursive: true });
  file = join(tmp, 'stack.yml');
  await writeFile(file, yaml(tmp, await freePort()));
  await docker.createVolume({ Name: external, Labels: { 'tsstack-test.owner': project } });
});

afterAll(async () => {
  await removeProject(project);
  await docker
    .getVolume(external)
    .remove()
    .catch(() => {});
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe('networks and storage', () => {
  it('comes up', async () => {
    const r = await tsstack(['-f', file, '-p', project, 'up', '-d']);
    expect(r.code).toBe(0);
  });

  it('resolves the service name, the container name and aliases by DNS, and reaches the server', async () => {
    const probe = `${project}-probe-1`;
    for (const name of ['web', `${project}-web-1`, 'www']) {
      const r = await execIn(probe, `nslookup ${name}`);
      expect(r.output, name).toMatch(/Address: \d+\.\d+\.\d+\.\d+/);
    }
    expect(
      await eventually(async () => (await execIn(probe, 'wget -q -O - http://www/')).output.trim() === 'ok'),
    ).toBe(true);
  });

  it('publishes an ephemeral port on the asked host IP, and udp ports with their protocol', async () => {
    const info = await docker.getContainer(`${project}-web-1`).inspect();
    const tcp = info.NetworkSettings.Ports['80/tcp']?.[0];
    expect(tcp?.HostIp).toBe('127.0.0.1');
    expect(Number(tcp?.HostPort)).toBeGreaterThan(0);
    const res = await fetch(`http://127.0.0.1:${tcp?.HostPort}/`);
    expect((await res.text()).trim()).toBe('ok');
    expect(info.NetworkSettings.Ports['9999/udp']?.[0]?.HostIp).toBe('127.0.0.1');
  });

  it('network_mode service: shares the network namespace; none has no network', async () => {
    const r = await execIn(`${project}-sidecar-1`, 'wget -q -O - http://127.0.0.1/');
    expect(r.output.trim()).toBe('ok');
    const none = await docker.getContainer(`${project}-borrower-1`).inspect();
    expect(none.HostConfig.NetworkMode).toBe('none');
  });

  it('creates internal networks with the asked subnet, labelled for the project', async () => {
    const back = await docker.getNetwork(`${project}_back`).inspect();
    expect(back.Internal).toBe(true);
    expect(back.IPAM?.Config?.[0]?.Subnet).toBe(`10.213.${subnetByte}.0/24`);
    expect(back.Labels?.['io.tsstack.project']).toBe(project);
    const objs = await projectObjects(project);
    expect(objs.networks.sort()).toEqual([`${project}_back`, `${project}_front`]);
    expect(objs.volumes).toEqual([]); // the external volume is not ours
  });

  it('mounts binds (creating the host folder), tmpfs, secrets and configs read-only, and a read-only root', async () => {
    expect(existsSync(join(tmp, 'made/by/tsstack'))).toBe(true);
    const c = `${project}-files-1`;
    expect((await execIn(c, 'cat /run/secrets/token')).output).toBe('s3cret\n');
    expect((await execIn(c, 'cat /settings')).output).toBe('level=9\n');
    expect((await execIn(c, 'echo x > /run/secrets/token')).code).not.toBe(0);
    expect((await execIn(c, 'touch /root-is-read-only')).code).not.toBe(0);
    expect((await execIn(`${project}-probe-1`, 'echo x > /scratch/f && cat /scratch/f')).output).toBe('x\n');
    expect((await execIn(c, 'echo hi > /data/f')).code).toBe(0);
    expect((await execIn(c, 'echo hi > /shared/f')).code).toBe(0);
  });

  it('volumes_from borrows the mounts read-only', async () => {
    const c = `${project}-borrower-1`;
    expect((await execIn(c, 'cat /data/f')).output).toBe('hi\n');
    expect((await execIn(c, 'echo y > /data/g')).code).not.toBe(0);
  });

  it('down removes the networks but never the external volume', async () => {
    const r = await tsstack(['-f', file, '-p', project, 'down', '-v', '-t', '1']);
    expect(r.code).toBe(0);
    expect(await projectObjects(project)).toEqual({ containers: [], networks: [], volumes: [] });
    expect((await docker.getVolume(external).inspect()).Name).toBe(external);
  });
});
