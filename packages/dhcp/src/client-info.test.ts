import { describe, expect, it } from 'vitest';
import { CAPTURED } from './captured.test-data.ts';
import { type ClientInfo, classify } from './client-info.ts';
import { decode } from './decode.ts';
import { encode } from './encode.ts';
import { FIXTURES } from './fixtures.test-data.ts';
import { type DhcpMessage, emptyMessage } from './message.ts';
import { readClientNdi, u8Bytes } from './options.ts';

const info = (bytes: Buffer) => classify(decode(bytes) as DhcpMessage) as ClientInfo;

describe('classify', () => {
  it('dhclient: a plain client, keyed by MAC', () => {
    expect(info(FIXTURES.dhclient)).toMatchObject({
      type: 'DISCOVER',
      mac: '52:54:00:00:00:01',
      clientId: null,
      key: 'mac:52:54:00:00:00:01',
      kind: 'bios',
      isIpxe: false,
      isPxe: false,
      hostname: 'pas-r01p01',
      broadcast: false,
      giaddr: null,
    });
  });

  it('udhcpc: keyed by its client id', () => {
    expect(info(FIXTURES.udhcpc)).toMatchObject({
      clientId: '01525400000002',
      key: 'id:01525400000002',
      vendorClass: 'udhcp 1.35.0',
      maxMessageSize: 576,
    });
  });

  it('iPXE: bare-string user class and option 175 make it ipxe', () => {
    const c = info(FIXTURES.ipxe);
    expect(c).toMatchObject({ kind: 'ipxe', isIpxe: true, isPxe: true, arch: 0, broadcast: true });
    expect(c.userClass).toEqual(['iPXE']);
    expect(c.machineId).toBe('4c4c4544-0042-3510-8052-b4c04f4e4d32');
    expect(readClientNdi(decode(FIXTURES.ipxe) as DhcpMessage)).toEqual({
      type: 1,
      major: 2,
      minor: 1,
    });
  });

  it('EDK2: arch 7 is uefi', () => {
    expect(info(FIXTURES.edk2)).toMatchObject({
      kind: 'uefi',
      arch: 7,
      isPxe: true,
      isIpxe: false,
    });
  });

  it('relayed request: giaddr, option 82 raw, RFC 3004 user classes', () => {
    expect(info(FIXTURES.relayed)).toMatchObject({
      type: 'REQUEST',
      giaddr: '10.98.0.1',
      requestedIp: '10.98.0.10',
      serverId: '10.99.0.1',
      userClass: ['abc', 'xy'],
      relayAgentInfo: Buffer.from([1, 4, 0, 0, 0, 9, 2, 2, 0xaa, 0xbb]),
    });
  });

  it('refuses replies and messages without a type', () => {
    const m = emptyMessage();
    expect(classify(m)).toEqual({ kind: 'not-a-request', reason: 'no-message-type' });
    m.options.set(53, u8Bytes(2));
    expect(classify(m)).toEqual({ kind: 'not-a-request', reason: 'server-message-type' });
    m.options.set(53, u8Bytes(99));
    expect(classify(m)).toEqual({ kind: 'not-a-request', reason: 'unknown-message-type' });
    expect(classify({ ...m, op: 2 })).toEqual({ kind: 'not-a-request', reason: 'not-bootrequest' });
  });
});

describe('classify real captures', () => {
  const real = (name: keyof typeof CAPTURED) => {
    const m = decode(Buffer.from(CAPTURED[name], 'hex')) as DhcpMessage;
    return { m, c: classify(m) as ClientInfo };
  };

  it('udhcpc and dhclient: plain clients; udhcpc keyed by client id, dhclient by MAC', () => {
    expect(real('udhcpc').c).toMatchObject({
      type: 'DISCOVER',
      kind: 'bios',
      key: 'id:01525400123456',
      vendorClass: 'udhcp 1.35.0',
      maxMessageSize: 576,
    });
    expect(real('dhclient').c).toMatchObject({
      type: 'DISCOVER',
      kind: 'bios',
      key: 'mac:52:54:00:12:34:56',
      isPxe: false,
    });
  });

  it('iPXE: user class iPXE and option 175; EDK2: arch 7, PXEClient, broadcast flag', () => {
    expect(real('ipxe').c).toMatchObject({
      kind: 'ipxe',
      arch: 0,
      isPxe: true,
      userClass: ['iPXE'],
      maxMessageSize: 1472,
    });
    expect(real('ipxe').c.parameterList).toContain(175);
    expect(real('edk2').c).toMatchObject({
      kind: 'uefi',
      arch: 7,
      isPxe: true,
      isIpxe: false,
      broadcast: true,
      clientId: null,
    });
  });

  it('re-encodes each capture to bytes that decode the same', () => {
    for (const name of Object.keys(CAPTURED) as (keyof typeof CAPTURED)[]) {
      const { m } = real(name);
      expect(decode(encode(m))).toEqual(m);
    }
  });
});
