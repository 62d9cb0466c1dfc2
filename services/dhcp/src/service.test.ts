import { createSocket } from 'node:dgram';
import { createLogger, createMetricsRegistry, type Registry, validateConfig } from '@lanctl/core';
import { emptyMessage, encode, Option, u8Bytes } from '@lanctl/dhcp-wire';
import { callJson, createTestKeys, tempDir } from '@lanctl/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dhcpConfigSchema } from './config.ts';
import { create, type DhcpService } from './index.ts';

/** The service on loopback, ports 0, with mdb unreachable and no state file: nothing to serve. */
let dir: Awaited<ReturnType<typeof tempDir>>;
let service: DhcpService;
let metrics: Registry;
let base: string;
let dhcpPort: number;
let token: string;

beforeAll(async () => {
  dir = await tempDir('lanctl-dhcp-svc-');
  const keys = createTestKeys(dir.path);
  token = keys.token('reader');
  const config = validateConfig('test', dhcpConfigSchema, {
    listen: { host: '127.0.0.1', port: 0 },
    upstream: 'http://127.0.0.1:9',
    state_dir: `${dir.path}/state`,
    http: { listen: { port: 0 } },
    plan: {
      subnets: [
        {
          name: 'lo',
          network: '127.0.0.0/8',
          next_server: '127.0.0.1',
          dynamic: { from: '127.0.0.10', to: '127.0.0.20' },
        },
      ],
    },
  });
  metrics = createMetricsRegistry();
  service = create(config, {
    logger: createLogger('dhcp', { silent: true }),
    metrics,
    token: () => 'unused',
    publicKey: keys.publicKey,
    addresses: () => ['127.0.0.1'],
    backoff: { initialMs: 60_000, maxMs: 60_000 },
  });
  const started = await service.start();
  base = started.http.url;
  dhcpPort = started.dhcp.port;
});

afterAll(async () => {
  await service?.stop();
  await dir?.cleanup();
});

const counter = async (name: string, label: string) => {
  const m = (await metrics.getMetricsAsJSON()).find((x) => x.name === name);
  return (m?.values ?? [])
    .filter((v) => JSON.stringify(v.labels).includes(label))
    .reduce((n, v) => n + v.value, 0);
};

describe('dhcp service without any machine table', () => {
  it('/healthz is 503 down, naming why', async () => {
    const res = await callJson(base, 'GET', '/healthz');
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({ ok: false, status: 'down', machines: null });
    expect(res.body.reason).toContain('no machine table');
  });

  it('answers no DHCP request, and counts bad packets and ignores by reason', async () => {
    const socket = createSocket('udp4');
    const discover = emptyMessage();
    discover.options.set(Option.MESSAGE_TYPE, u8Bytes(1));
    for (const bytes of [encode(discover), Buffer.from('not dhcp')]) {
      await new Promise<void>((r) => socket.send(bytes, dhcpPort, '127.0.0.1', () => r()));
    }
    socket.close();
    for (
      let i = 0;
      i < 100 && (await counter('lanctl_dhcp_dropped_total', 'no-machine-table')) < 1;
      i++
    ) {
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(await counter('lanctl_dhcp_dropped_total', 'no-machine-table')).toBe(1);
    expect(await counter('lanctl_dhcp_dropped_total', 'too-short')).toBe(1);
    expect(await counter('lanctl_dhcp_sent_total', '')).toBe(0);
  });

  it('the API wants a read token and names bad parameters', async () => {
    expect((await callJson(base, 'GET', '/api/v1/leases')).status).toBe(401);
    expect(await callJson(base, 'GET', '/api/v1/leases', undefined, token)).toMatchObject({
      status: 200,
      body: { leases: [] },
    });
    const bad = await callJson(
      base,
      'GET',
      '/api/v1/boot-events?mac=52:54:00:00:00:01&limit=0',
      undefined,
      token,
    );
    expect(bad.status).toBe(400);
    expect(bad.body.error.details).toEqual([
      { field: 'limit', message: 'expected an integer from 1 to 1000' },
    ]);
    const none = await callJson(
      base,
      'GET',
      '/api/v1/boot-events?mac=52-54-00-00-00-01',
      undefined,
      token,
    );
    expect(none).toMatchObject({ status: 200, body: { mac: '52:54:00:00:00:01', events: [] } });
  });
});
