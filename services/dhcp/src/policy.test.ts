import { type ClientInfo, dhcpPlanSchema } from '@lanctl/dhcp-wire';
import { parseIpv4 } from '@lanctl/model';
import { describe, expect, it } from 'vitest';
import { decide, type Lease, type LeaseView, type PolicyContext } from './policy.ts';
import { fixedMachineView } from './view.ts';

const plan = dhcpPlanSchema.parse({
  subnets: [
    {
      name: 'users',
      network: '10.0.0.0/24',
      router: '10.0.0.254',
      dns: ['10.0.0.254'],
      next_server: '10.0.0.254',
    },
    {
      name: 'aliens',
      network: '10.250.0.0/24',
      next_server: '10.250.0.254',
      dynamic: { from: '10.250.0.1', to: '10.250.0.3' },
    },
    {
      name: 'far',
      network: '10.7.0.0/24',
      next_server: '10.7.0.254',
      dynamic: { from: '10.7.0.10', to: '10.7.0.20' },
    },
  ],
});
const known = {
  hostname: 'pas-r01p01',
  ip: '10.0.0.5',
  mac: 'aa:00:00:00:00:01',
  mtype: 'user',
  room: 'pasteur',
  is_faulty: false,
};
const NOW = 1_000_000;
const ip = (s: string) => parseIpv4(s)!;

function leases(rows: Lease[] = []): LeaseView {
  return {
    byClient: (key, mac) =>
      rows.find((l) => l.key === key) ?? rows.find((l) => mac && l.mac === mac) ?? null,
    byIp: (n) => rows.find((l) => l.ip === n) ?? null,
    *freeIps(from, to, now) {
      for (let n = from; n <= to; n++) {
        if (!rows.some((l) => l.ip === n && l.expiresAt > now)) yield n;
      }
    },
  };
}
function ctx(rows: Lease[] = [], overrides: Partial<PolicyContext> = {}): PolicyContext {
  return {
    plan,
    view: fixedMachineView([known]),
    leases: leases(rows),
    now: NOW,
    serverId: (s) => (s.name === 'aliens' ? '10.250.0.254' : '10.0.0.254'),
    isOurs: (a) => a === '10.0.0.254' || a === '10.250.0.254',
    defaultSubnet: plan.subnets[1]!,
    offerHoldMs: 60_000,
    quarantineMs: 600_000,
    ...overrides,
  };
}
function client(overrides: Partial<ClientInfo> = {}): ClientInfo {
  const mac = overrides.mac ?? 'bb:00:00:00:00:01';
  return {
    type: 'DISCOVER',
    xid: 1,
    mac,
    clientId: null,
    key: `mac:${mac}`,
    arch: null,
    kind: 'bios',
    isIpxe: false,
    isPxe: false,
    vendorClass: null,
    userClass: [],
    requestedIp: null,
    serverId: null,
    ciaddr: null,
    giaddr: null,
    relayAgentInfo: null,
    broadcast: false,
    hostname: null,
    parameterList: [],
    maxMessageSize: null,
    machineId: null,
    ...overrides,
  };
}
const lease = (addr: string, o: Partial<Lease> = {}): Lease => ({
  ip: ip(addr),
  key: 'mac:bb:00:00:00:00:01',
  mac: 'bb:00:00:00:00:01',
  state: 'bound',
  expiresAt: NOW + 10_000,
  subnet: 'aliens',
  hostname: null,
  ...o,
});
const other = { key: 'mac:cc:00:00:00:00:01', mac: 'cc:00:00:00:00:01' };

describe('decide: DISCOVER', () => {
  it('offers a known MAC its fixed address, host name and lease time, never a dynamic one', () => {
    const d = decide(client({ mac: known.mac, key: `mac:${known.mac}` }), ctx());
    expect(d).toMatchObject({
      kind: 'reply',
      type: 'OFFER',
      yiaddr: '10.0.0.5',
      leaseSeconds: 14400,
      serverId: '10.0.0.254',
      effects: [],
    });
    expect(d.kind === 'reply' && d.machine?.hostname).toBe('pas-r01p01');
  });

  it('offers an unknown MAC the lowest free dynamic address, held, with the alien scriptlet', () => {
    const d = decide(client({ kind: 'ipxe' }), ctx([lease('10.250.0.1', other)]));
    expect(d).toMatchObject({
      kind: 'reply',
      yiaddr: '10.250.0.2',
      leaseSeconds: 30,
      boot: { filename: 'http://netboot/bootstrap', scriptlet: 'alien' },
    });
    expect(d.effects).toEqual([lease('10.250.0.2', { state: 'offered', expiresAt: NOW + 60_000 })]);
  });

  it('gives a client back its current lease (by MAC when the PXE ROM and iPXE differ in client id)', () => {
    const ipxe = client({ clientId: '01bb0000000001', key: 'id:01bb0000000001' });
    expect(decide(ipxe, ctx([lease('10.250.0.3')]))).toMatchObject({
      yiaddr: '10.250.0.3',
      effects: [],
    });
  });

  it('reuses expired leases lowest-first, skips quarantined ones, and says when the pool is full', () => {
    const rows = [
      lease('10.250.0.1', { ...other, state: 'declined', key: 'declined:x', expiresAt: NOW + 1 }),
      lease('10.250.0.2', { ...other, expiresAt: NOW - 1 }),
      lease('10.250.0.3', { ...other }),
    ];
    expect(decide(client(), ctx(rows))).toMatchObject({ yiaddr: '10.250.0.2' });
    rows[1]!.expiresAt = NOW + 1;
    expect(decide(client(), ctx(rows))).toMatchObject({ kind: 'ignore', reason: 'pool-exhausted' });
  });

  it('uses the relay subnet for relayed requests and ignores relays outside the plan', () => {
    expect(decide(client({ giaddr: '10.7.0.1' }), ctx())).toMatchObject({ yiaddr: '10.7.0.10' });
    expect(decide(client({ giaddr: '10.0.0.1' }), ctx())).toMatchObject({
      kind: 'ignore',
      reason: 'unknown-client',
    });
    expect(decide(client({ giaddr: '192.0.2.1' }), ctx())).toMatchObject({
      kind: 'ignore',
      reason: 'relay-not-in-plan',
    });
  });

  it('answers nothing without a machine table', () => {
    const view = { size: null, byMac: () => null, byIp: () => null };
    expect(decide(client(), ctx([], { view }))).toMatchObject({
      kind: 'ignore',
      reason: 'no-machine-table',
    });
  });
});

describe('decide: REQUEST', () => {
  const req = (o: Partial<ClientInfo>) => client({ type: 'REQUEST', ...o });
  const cases: [string, ClientInfo, Lease[], object][] = [
    [
      'SELECTING our offer',
      req({ serverId: '10.250.0.254', requestedIp: '10.250.0.2' }),
      [lease('10.250.0.2', { state: 'offered' })],
      { kind: 'reply', type: 'ACK', yiaddr: '10.250.0.2' },
    ],
    [
      'SELECTING another server',
      req({ serverId: '10.9.9.9', requestedIp: '10.250.0.2' }),
      [lease('10.250.0.2', { state: 'offered' })],
      {
        kind: 'ignore',
        reason: 'other-server',
        effects: [lease('10.250.0.2', { state: 'released', expiresAt: NOW })],
      },
    ],
    [
      'SELECTING an address not offered',
      req({ serverId: '10.250.0.254', requestedIp: '10.250.0.1' }),
      [lease('10.250.0.2', { state: 'offered' })],
      { kind: 'nak' },
    ],
    [
      'INIT-REBOOT on a wrong network',
      req({ requestedIp: '192.0.2.7' }),
      [],
      { kind: 'nak', reason: '192.0.2.7 is not on a network served here' },
    ],
    [
      'INIT-REBOOT, its lease',
      req({ requestedIp: '10.250.0.2' }),
      [lease('10.250.0.2')],
      { kind: 'reply', type: 'ACK' },
    ],
    [
      "INIT-REBOOT, someone else's",
      req({ requestedIp: '10.250.0.2' }),
      [lease('10.250.0.2', other)],
      { kind: 'nak' },
    ],
    [
      'INIT-REBOOT, free in range (state lost)',
      req({ requestedIp: '10.250.0.3' }),
      [],
      { kind: 'reply', type: 'ACK', yiaddr: '10.250.0.3' },
    ],
    ['INIT-REBOOT, fixed-only subnet', req({ requestedIp: '10.0.0.9' }), [], { kind: 'nak' }],
    [
      'RENEWING',
      req({ ciaddr: '10.250.0.2' }),
      [lease('10.250.0.2')],
      {
        kind: 'reply',
        type: 'ACK',
        yiaddr: '10.250.0.2',
        effects: [lease('10.250.0.2', { expiresAt: NOW + 30_000 })],
      },
    ],
    [
      'RENEWING an address not its own',
      req({ ciaddr: '10.250.0.1' }),
      [lease('10.250.0.2')],
      { kind: 'nak' },
    ],
    [
      'REBINDING through a relay of another network',
      req({ ciaddr: '10.250.0.2', giaddr: '10.7.0.1' }),
      [lease('10.250.0.2')],
      { kind: 'nak' },
    ],
    ['no address at all', req({}), [], { kind: 'ignore', reason: 'request-without-address' }],
  ];
  it.each(cases)('%s', (_name, c, rows, expected) => {
    expect(decide(c, ctx(rows))).toMatchObject(expected);
  });

  it('ACKs a known machine its fixed address only', () => {
    const k = { mac: known.mac, key: `mac:${known.mac}` };
    expect(decide(req({ ...k, requestedIp: '10.0.0.5' }), ctx())).toMatchObject({
      kind: 'reply',
      type: 'ACK',
      yiaddr: '10.0.0.5',
    });
    expect(decide(req({ ...k, requestedIp: '10.250.0.1' }), ctx())).toMatchObject({
      kind: 'nak',
      reason: "10.250.0.1 is not pas-r01p01's address (10.0.0.5)",
    });
  });
});

describe('decide: DECLINE, RELEASE, INFORM', () => {
  it('quarantines a declined address', () => {
    const d = decide(
      client({ type: 'DECLINE', requestedIp: '10.250.0.2', serverId: '10.250.0.254' }),
      ctx([lease('10.250.0.2')]),
    );
    expect(d).toMatchObject({ kind: 'noreply', note: 'declined' });
    expect(d.effects[0]).toMatchObject({ state: 'declined', expiresAt: NOW + 600_000 });
  });

  it('frees a released lease at once', () => {
    const d = decide(
      client({ type: 'RELEASE', ciaddr: '10.250.0.2', serverId: '10.250.0.254' }),
      ctx([lease('10.250.0.2')]),
    );
    expect(d).toMatchObject({
      kind: 'noreply',
      note: 'released',
      effects: [lease('10.250.0.2', { state: 'released', expiresAt: NOW })],
    });
  });

  it('answers INFORM without address or lease time', () => {
    const d = decide(client({ type: 'INFORM', ciaddr: '10.250.0.77' }), ctx());
    expect(d).toMatchObject({ kind: 'reply', type: 'ACK', yiaddr: null, leaseSeconds: null });
  });
});
