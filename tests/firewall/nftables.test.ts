import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { validateConfig } from '@lanctl/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBackend } from '../../services/firewall/src/backend.ts';
import { firewallConfigSchema } from '../../services/firewall/src/config.ts';
import { type ToolNamespace, toolNamespace } from './gateway.ts';

/**
 * The nftables backend against the real `nft` in a namespace of its own: the set is created when
 * missing, replaced whole (5,000 addresses in one transaction), and the admin's chains from
 * install/firewall.nft are left exactly as they were.
 */
let tools: ToolNamespace;

const inNs = (...argv: string[]) => tools.exec(argv);
const elements = (): string[] => {
  const json = JSON.parse(inNs('nft', '-j', 'list', 'set', 'inet', 'lanctl', 'allowed_internet'));
  return json.nftables.find((o: any) => o.set)?.set.elem ?? [];
};
const chains = () => inNs('nft', 'list', 'chain', 'inet', 'lanctl', 'forward');
const backend = () =>
  createBackend(
    validateConfig('test', firewallConfigSchema, {
      backend: 'nftables',
      nftables: { command: tools.command },
    }),
  );

beforeAll(async () => {
  tools = await toolNamespace('nft');
});

afterAll(async () => {
  await tools?.close();
});

describe('nftables backend', () => {
  it('creates the table and set when missing', async () => {
    await backend().replace(['192.168.0.11']);
    expect(elements()).toEqual(['192.168.0.11']);
  });

  it('replaces 5,000 addresses in one transaction, leaving the ruleset’s chains alone', async () => {
    const ruleset = readFileSync(join(import.meta.dirname, '../../install/firewall.nft'), 'utf8');
    tools.exec(['nft', '-f', '-'], ruleset);
    const before = chains();
    expect(before).toContain('ip saddr @allowed_internet accept');
    const ips = Array.from(
      { length: 5000 },
      (_, i) => `10.${i >> 16}.${(i >> 8) & 255}.${i & 255}`,
    );
    await backend().replace(ips);
    expect(elements()).toHaveLength(5000);
    await backend().replace(['192.168.0.12', '192.168.0.13']);
    expect(elements()).toEqual(['192.168.0.12', '192.168.0.13']);
    await backend().replace([]);
    expect(elements()).toEqual([]);
    expect(chains()).toBe(before);
  });

  it('a failing transaction changes nothing', async () => {
    await backend().replace(['192.168.0.12']);
    // A set of another type under the same name: `add set` conflicts and the whole file fails.
    inNs('nft', 'delete', 'table', 'inet', 'lanctl');
    inNs('nft', 'add', 'table', 'inet', 'lanctl');
    inNs(
      'nft',
      'add',
      'set',
      'inet',
      'lanctl',
      'allowed_internet',
      '{ type ipv4_addr; flags interval; }',
    );
    inNs('nft', 'add', 'element', 'inet', 'lanctl', 'allowed_internet', '{ 10.9.9.9 }');
    await expect(backend().replace(['192.168.0.14'])).rejects.toThrow(/-f -: exit 1:/);
    expect(elements()).toEqual(['10.9.9.9']);
  });

  it('type ipv4_addr takes any IPv4 address: no element can fail the transaction', async () => {
    inNs('nft', 'delete', 'table', 'inet', 'lanctl');
    const edge = ['0.0.0.0', '255.255.255.255', '224.0.0.1', '127.0.0.1', '192.168.2.10'];
    expect(backend().screen(edge)).toEqual({ kept: edge, skipped: [] });
    await backend().replace([...edge, '192.168.2.10']); // a duplicate is no error either
    expect(elements().slice().sort()).toEqual(edge.slice().sort());
  });
});
