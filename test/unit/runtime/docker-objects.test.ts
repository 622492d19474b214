import { describe, expect, it } from 'vitest';
import {
  imageFromInspect,
  imageFromList,
  networkCreateBody,
  networkSummary,
  volumeSummary,
} from '../../../src/runtime/docker-objects.js';

describe('network, volume and image mapping', () => {
  it('builds a network create body with IPAM only when asked', () => {
    const base = {
      name: 'demo_back',
      driver: 'bridge',
      labels: { a: 'b' },
      options: {},
      internal: true,
      attachable: false,
    };
    expect(networkCreateBody(base)).toEqual({
      Name: 'demo_back',
      Driver: 'bridge',
      Labels: { a: 'b' },
      Options: {},
      Internal: true,
      Attachable: false,
      CheckDuplicate: true,
    });
    expect(
      networkCreateBody({
        ...base,
        enableIPv6: true,
        ipam: { config: [{ subnet: '10.5.0.0/16', gateway: '10.5.0.1' }] },
      }),
    ).toMatchObject({
      EnableIPv6: true,
      IPAM: { Driver: 'default', Options: {}, Config: [{ Subnet: '10.5.0.0/16', Gateway: '10.5.0.1' }] },
    });
  });

  it('reads networks, volumes and images, tolerating nulls', () => {
    expect(
      networkSummary({
        Id: 'n1',
        Name: 'demo_default',
        Driver: 'bridge',
        Labels: null,
        IPAM: { Config: null },
      }),
    ).toEqual({
      id: 'n1',
      name: 'demo_default',
      driver: 'bridge',
      labels: {},
      internal: false,
      attachable: false,
      subnets: [],
    });
    expect(
      volumeSummary({
        Name: 'v',
        Driver: 'local',
        Labels: null,
        Mountpoint: '/var/lib/docker/volumes/v/_data',
      }),
    ).toEqual({
      name: 'v',
      driver: 'local',
      labels: {},
      mountpoint: '/var/lib/docker/volumes/v/_data',
    });
    expect(
      imageFromList({ Id: 'sha256:1', RepoTags: ['<none>:<none>'], Labels: null, Size: 5, Created: 0 }),
    ).toEqual({
      id: 'sha256:1',
      tags: [],
      labels: {},
      size: 5,
      createdAt: '1970-01-01T00:00:00.000Z',
    });
    expect(
      imageFromInspect({ Id: 'sha256:2', RepoTags: ['x:1'], Config: { Labels: { k: 'v' } }, Size: 7 }),
    ).toMatchObject({
      tags: ['x:1'],
      labels: { k: 'v' },
    });
  });
});
