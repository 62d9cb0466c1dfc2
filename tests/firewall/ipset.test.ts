import { validateConfig } from '@lanctl/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBackend } from '../../services/firewall/src/backend.ts';
import { firewallConfigSchema } from '../../services/firewall/src/config.ts';
import { type ToolNamespace, toolNamespace } from './gateway.ts';

/**
 * The ipset backend against the real `ipset`, in a network namespace of its own (ipsets are per
 * namespace): SADM's set names, `ipset restore` filling the temporary set and swapping it.
 */
let tools: ToolNamespace;

const inNs = (...argv: string[]) => tools.exec(argv);

/** `ipset list NAME` members, sorted. */
function members(name: string): string[] {
  const out = inNs('ipset', 'list', name);
  return out.split('Members:\n')[1]!.split('\n').filter(Boolean).sort();
}

const backendOf = (ipset: Record<string, unknown> = {}) =>
  createBackend(
    validateConfig('test', firewallConfigSchema, {
      backend: 'ipset',
      ipset: { command: tools.command, ...ipset },
    }),
  );

beforeAll(async () => {
  tools = await toolNamespace('ipset');
});

afterAll(async () => {
  await tools?.close();
});

describe('ipset backend', () => {
  it('creates both sets, fills and swaps; the temporary set ends empty', async () => {
    const backend = backendOf();
    expect(backend).toMatchObject({ name: 'ipset', target: 'allowed-internet-access' });
    await backend.replace(['192.168.0.11', '192.168.0.21']);
    expect(members('allowed-internet-access')).toEqual(['192.168.0.11', '192.168.0.21']);
    await backend.replace(['192.168.0.12']);
    expect(members('allowed-internet-access')).toEqual(['192.168.0.12']);
    expect(members('tmp-allowed-internet-access')).toEqual([]);
    await backend.replace([]);
    expect(members('allowed-internet-access')).toEqual([]);
  });

  it('5,000 addresses in one restore', async () => {
    const ips = Array.from(
      { length: 5000 },
      (_, i) => `10.${i >> 16}.${(i >> 8) & 255}.${i & 255}`,
    );
    await backendOf().replace(ips);
    expect(members('allowed-internet-access')).toHaveLength(5000);
  });

  it('a failed swap (sets of different types) leaves the live set as it was', async () => {
    inNs('ipset', 'create', 'live-bitmap', 'bitmap:ip', 'range', '192.168.0.0/23');
    inNs('ipset', 'add', 'live-bitmap', '192.168.0.5');
    const backend = backendOf({ set: 'live-bitmap', tmp_set: 'tmp-hash', type: 'hash:ip' });
    await expect(backend.replace(['192.168.0.6'])).rejects.toThrow(/ipset restore: exit 1:/);
    expect(members('live-bitmap')).toEqual(['192.168.0.5']);
    // With SADM's matching create arguments it works.
    const sadm = backendOf({
      set: 'live-bitmap',
      tmp_set: 'tmp-bitmap',
      type: 'bitmap:ip range 192.168.0.0/23',
    });
    await sadm.replace(['192.168.0.6', '192.168.1.7']);
    expect(members('live-bitmap')).toEqual(['192.168.0.6', '192.168.1.7']);
  });

  it('a bitmap set and an out-of-range machine: the address is screened out, the others applied', async () => {
    const type = 'bitmap:ip range 192.168.0.0/23';
    const backend = backendOf({ set: 'sadm-live', tmp_set: 'sadm-tmp', type });
    await backend.replace(['192.168.0.5']);
    const wanted = ['192.168.0.11', '192.168.1.7', '192.168.2.10']; // an orga machine at .2.10
    // Unscreened, the kernel refuses the element and restore stops before the swap.
    await expect(backend.replace(wanted)).rejects.toThrow(/out of the range/);
    expect(members('sadm-live')).toEqual(['192.168.0.5']);
    const { kept, skipped } = backend.screen(wanted);
    expect(skipped.map((s) => [s.ip, s.reason])).toEqual([['192.168.2.10', 'out_of_range']]);
    await backend.replace(kept);
    expect(members('sadm-live')).toEqual(['192.168.0.11', '192.168.1.7']);
    expect(members('sadm-tmp')).toEqual([]);
  });

  it('a hash set and the null address: screened out, the others applied', async () => {
    const backend = backendOf({ set: 'hash-live', tmp_set: 'hash-tmp' });
    await expect(backend.replace(['0.0.0.0', '10.0.0.1'])).rejects.toThrow(/Null-valued/);
    const { kept } = backend.screen(['0.0.0.0', '10.0.0.1']);
    await backend.replace(kept);
    expect(members('hash-live')).toEqual(['10.0.0.1']);
  });
});
