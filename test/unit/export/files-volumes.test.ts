import { describe, expect, it } from 'vitest';
import { files, secret, service, stack, volume } from './factory.js';
import { containerOf, exportValid, find, reason, workloadOf } from './helpers.js';

describe('secrets and configs', () => {
  it('creates a Secret from a file (base64) and a ConfigMap from content, mounted at Compose default paths', () => {
    const s = stack(
      'p',
      [
        service('web', {
          image: 'x',
          secrets: [{ source: 'db_password', target: 'db_password' }],
          configs: [
            { source: 'nginx', target: 'nginx' },
            { source: 'nginx', target: '/etc/nginx/nginx.conf', mode: 0o440 },
          ],
        }),
      ],
      {
        secrets: { db_password: secret('p', 'db_password', { file: '/srv/p/pw.txt' }) },
        configs: { nginx: secret('p', 'nginx', { content: 'events {}\n' }) },
      },
    );
    const r = exportValid(s, { readFile: files({ '/srv/p/pw.txt': 's3cret' }) });
    expect(find(r, 'Secret', 'db-password')).toMatchObject({
      type: 'Opaque',
      data: { db_password: Buffer.from('s3cret').toString('base64') },
    });
    expect(find(r, 'ConfigMap', 'nginx').data).toEqual({ nginx: 'events {}\n' });
    const pod = workloadOf(r, 'web').spec?.template.spec;
    expect(pod?.volumes).toEqual([
      {
        name: 'secret-db-password',
        secret: { secretName: 'db-password', items: [{ key: 'db_password', path: 'db_password' }] },
      },
      { name: 'config-nginx', configMap: { name: 'nginx', items: [{ key: 'nginx', path: 'nginx' }] } },
      {
        name: 'config-nginx-2',
        configMap: { name: 'nginx', items: [{ key: 'nginx', path: 'nginx', mode: 0o440 }] },
      },
    ]);
    expect(pod?.containers[0]?.volumeMounts).toEqual([
      {
        name: 'secret-db-password',
        mountPath: '/run/secrets/db_password',
        subPath: 'db_password',
        readOnly: true,
      },
      { name: 'config-nginx', mountPath: '/nginx', subPath: 'nginx', readOnly: true },
      { name: 'config-nginx-2', mountPath: '/etc/nginx/nginx.conf', subPath: 'nginx', readOnly: true },
    ]);
  });

  it('puts binary config files in binaryData, reads environment secrets from the given env, and reports what it cannot read', () => {
    const s = stack('p', [], {
      configs: {
        blob: secret('p', 'blob', { file: '/b.bin' }),
        gone: secret('p', 'gone', { file: '/missing' }),
      },
      secrets: {
        token: secret('p', 'token', { environment: 'TOKEN' }),
        nope: secret('p', 'nope', { environment: 'NOPE' }),
      },
    });
    const r = exportValid(s, {
      readFile: files({ '/b.bin': Buffer.from([0xff, 0xfe, 0x00]) }),
      env: { TOKEN: 'abc' },
    });
    expect(find(r, 'ConfigMap', 'blob').binaryData).toEqual({
      blob: Buffer.from([0xff, 0xfe, 0x00]).toString('base64'),
    });
    expect(find(r, 'Secret', 'token').data).toEqual({ token: Buffer.from('abc').toString('base64') });
    expect(reason(r, 'configs.gone.file')).toMatch(/^cannot read \/missing: ENOENT/);
    expect(reason(r, 'secrets.nope.environment')).toBe('NOPE is not set in the environment of the export');
  });

  it('reports uid and gid of a mounted file', () => {
    const s = stack(
      'p',
      [service('w', { image: 'x', secrets: [{ source: 's', target: 's', uid: '100' }] })],
      { secrets: { s: secret('p', 's', { content: 'x' }) } },
    );
    expect(reason(exportValid(s), 'services.w.secrets[0].uid')).toMatch(/cannot set the owner/);
  });
});

describe('volumes', () => {
  it('maps anonymous volumes, tmpfs and shm_size to emptyDir and reports bind mounts', () => {
    const r = exportValid(
      stack('p', [
        service('w', {
          image: 'x',
          volumes: [
            { type: 'volume', target: '/cache', read_only: false },
            { type: 'tmpfs', target: '/scratch', read_only: false, tmpfs: { size: 64 * 2 ** 20 } },
            { type: 'bind', source: '/srv/p/src', target: '/src', read_only: false },
          ],
          tmpfs: ['/run:size=16m'],
          shm_size: 2 ** 30,
        }),
      ]),
    );
    expect(workloadOf(r, 'w').kind).toBe('Deployment');
    expect(workloadOf(r, 'w').spec?.template.spec?.volumes).toEqual([
      { name: 'anon-0', emptyDir: {} },
      { name: 'tmpfs-1', emptyDir: { medium: 'Memory', sizeLimit: '64Mi' } },
      { name: 'tmpfs-t0', emptyDir: { medium: 'Memory', sizeLimit: '16Mi' } },
      { name: 'dshm', emptyDir: { medium: 'Memory', sizeLimit: '1Gi' } },
    ]);
    expect(containerOf(r, 'w').volumeMounts?.map((m) => m.mountPath)).toEqual([
      '/cache',
      '/scratch',
      '/run',
      '/dev/shm',
    ]);
    expect(reason(r, 'services.w.volumes[2]')).toMatch(/bind mount of host path \/srv\/p\/src/);
  });

  it('reports a named volume shared by several pods', () => {
    const mount = [{ type: 'volume' as const, source: 'shared', target: '/s', read_only: false }];
    const r = exportValid(
      stack(
        'p',
        [
          service('a', { image: 'x', volumes: mount, replicas: 2 }),
          service('b', { image: 'x', volumes: mount }),
        ],
        { volumes: { shared: volume('p', 'shared') } },
      ),
    );
    expect(reason(r, 'volumes.shared')).toMatch(/^mounted by a×2, b; a ReadWriteOnce claim/);
  });
});
