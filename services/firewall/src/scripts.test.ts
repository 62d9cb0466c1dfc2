import { describe, expect, it } from 'vitest';
import { renderIpsetRestore, renderNftScript } from './scripts.ts';

const NFT = { family: 'inet', table: 'lanctl', set: 'allowed_internet' } as const;
const IPSET = {
  set: 'allowed-internet-access',
  tmp_set: 'tmp-allowed-internet-access',
  type: 'hash:ip',
};

describe('renderNftScript', () => {
  it('creates what is missing, flushes and refills in one file', () => {
    expect(renderNftScript(['10.0.0.1', '10.0.0.2'], NFT)).toBe(
      [
        'add table inet lanctl',
        'add set inet lanctl allowed_internet { type ipv4_addr; }',
        'flush set inet lanctl allowed_internet',
        'add element inet lanctl allowed_internet { 10.0.0.1, 10.0.0.2 }',
        '',
      ].join('\n'),
    );
  });

  it('an empty set is a flush without an (invalid) empty element list', () => {
    const script = renderNftScript([], { ...NFT, family: 'ip' });
    expect(script).toBe(
      'add table ip lanctl\nadd set ip lanctl allowed_internet { type ipv4_addr; }\nflush set ip lanctl allowed_internet\n',
    );
  });

  it('5,000 addresses: every one, in lines of at most 500, never touching a chain', () => {
    const ips = Array.from(
      { length: 5000 },
      (_, i) => `10.${i >> 16}.${(i >> 8) & 255}.${i & 255}`,
    );
    const script = renderNftScript(ips, NFT);
    const lines = script.trimEnd().split('\n');
    expect(lines).toHaveLength(3 + 10);
    const listed = lines.slice(3).flatMap((l) => l.replace(/^.*\{ | \}$/g, '').split(', '));
    expect(listed).toEqual(ips);
    expect(script).not.toMatch(/chain|rule|delete|flush ruleset|flush table/);
  });
});

describe('renderIpsetRestore', () => {
  it('fills the temporary set, swaps, empties the temporary set', () => {
    expect(renderIpsetRestore(['10.0.0.1', '10.0.0.2'], IPSET)).toBe(
      [
        'create allowed-internet-access hash:ip -exist',
        'create tmp-allowed-internet-access hash:ip -exist',
        'flush tmp-allowed-internet-access',
        'add tmp-allowed-internet-access 10.0.0.1',
        'add tmp-allowed-internet-access 10.0.0.2',
        'swap tmp-allowed-internet-access allowed-internet-access',
        'flush tmp-allowed-internet-access',
        '',
      ].join('\n'),
    );
  });

  it('an empty set still swaps (the live set becomes empty)', () => {
    const script = renderIpsetRestore([], { ...IPSET, type: 'bitmap:ip range 192.168.0.0/23' });
    expect(script).toContain(
      'create allowed-internet-access bitmap:ip range 192.168.0.0/23 -exist',
    );
    expect(script).toContain('swap tmp-allowed-internet-access allowed-internet-access');
    expect(script).not.toContain('add ');
  });
});
