/**
 * The whole-set replacement scripts, pure: `render(addresses, names) → text` for `nft -f -` and
 * `ipset restore`. Each replaces the set's content in one step: nft applies its file as one
 * transaction; ipset fills a temporary set and swaps it with the live one.
 */

export interface NftNames {
  family: 'inet' | 'ip';
  table: string;
  set: string;
}

export interface IpsetNames {
  set: string;
  tmp_set: string;
  /** The create arguments, e.g. `hash:ip` or `bitmap:ip range 192.168.0.0/23`. */
  type: string;
}

/** Elements per `add element` line: one transaction whatever the count, lines of a sane length. */
const PER_LINE = 500;

/**
 * `add table` and `add set` create what is missing and leave an existing table or set alone
 * (the admin's ruleset owns the chains, which are never touched); then the set is flushed and
 * refilled in the same transaction, so packets see the old content or the new one, never none.
 */
export function renderNftScript(addresses: readonly string[], names: NftNames): string {
  const set = `${names.family} ${names.table} ${names.set}`;
  const lines = [
    `add table ${names.family} ${names.table}`,
    `add set ${set} { type ipv4_addr; }`,
    `flush set ${set}`,
  ];
  for (let i = 0; i < addresses.length; i += PER_LINE) {
    lines.push(`add element ${set} { ${addresses.slice(i, i + PER_LINE).join(', ')} }`);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * SADM's sequence as one `ipset restore` input: fill the temporary set, swap it with the live one
 * (atomic for the packets), then empty the temporary set (it held the previous content).
 */
export function renderIpsetRestore(addresses: readonly string[], names: IpsetNames): string {
  const lines = [
    `create ${names.set} ${names.type} -exist`,
    `create ${names.tmp_set} ${names.type} -exist`,
    `flush ${names.tmp_set}`,
    ...addresses.map((ip) => `add ${names.tmp_set} ${ip}`),
    `swap ${names.tmp_set} ${names.set}`,
    `flush ${names.tmp_set}`,
  ];
  return `${lines.join('\n')}\n`;
}
