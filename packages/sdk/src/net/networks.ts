/**
 * Lists of networks (`--allow-from`, `--trusted-proxies`, `trustProxy: [...]`): CIDRs and single
 * addresses, parsed once into a `node:net` `BlockList`, the one parser every server uses. A typo is an
 * error naming the entry and the way to write it: a list that silently dropped an entry would let in
 * (or shut out) whoever that entry was meant for.
 */
import { BlockList, isIP } from 'node:net';
import { normalizeAddress } from './address.js';

const EXAMPLE = 'e.g. 203.0.113.0/24, 2001:db8::/32 or a single address';

/** A list entry that is not a network; `entry` and `hint` let a command line say it in its own words. */
export class NetworkListError extends TypeError {
  constructor(
    /** The list, as the caller names it (`allowFrom`, `--trusted-proxies`). */
    readonly list: string,
    /** The entry as given. */
    readonly entry: string,
    readonly problem: string,
    /** How to write it instead. */
    readonly hint: string,
  ) {
    super(`${list}: "${entry}" ${problem}; ${hint}`);
    this.name = 'NetworkListError';
  }
}

/** The networks in `entries` (blank entries are skipped); throws `NetworkListError` at the first typo. */
export function parseNetworks(entries: readonly string[], list: string): BlockList {
  const blocks = new BlockList();
  for (const raw of entries) {
    const entry = raw.trim();
    if (entry === '') continue;
    const parts = entry.split('/');
    const written = (parts[0] ?? '').replace(/^\[([^\]]*)\]$/, '$1');
    // An address alone: a port, zone or stray bracket (which normalizeAddress would quietly drop) is a typo.
    const host = /[[\]%]|^[\d.]+:\d+$/.test(written) ? '' : normalizeAddress(written);
    const family = isIP(host);
    if (parts.length > 2 || family === 0) {
      throw new NetworkListError(
        list,
        entry,
        'is not an IP address or CIDR network',
        `write it as ${EXAMPLE}`,
      );
    }
    const type = family === 4 ? 'ipv4' : 'ipv6';
    const prefixText = parts[1];
    if (prefixText === undefined) {
      blocks.addAddress(host, type);
      continue;
    }
    // An IPv4-mapped network (`::ffff:203.0.113.0/120`) is checked as IPv4: its prefix counts the 96 bits
    // of the `::ffff:` part, and one shorter than that would reach beyond the mapped addresses.
    const mapped = family === 4 && isIP(written) === 6;
    const prefix = Number(prefixText) - (mapped ? 96 : 0);
    if (!/^\d{1,3}$/.test(prefixText) || prefix < 0 || prefix > (family === 4 ? 32 : 128)) {
      throw new NetworkListError(
        list,
        entry,
        'has a bad prefix length',
        mapped
          ? 'an IPv4-mapped network takes /96 to /128 (or write the IPv4 network, e.g. 203.0.113.0/24)'
          : `the prefix after "/" is 0–${family === 4 ? 32 : 128} for IPv${family}, ${EXAMPLE}`,
      );
    }
    blocks.addSubnet(host, prefix, type);
  }
  return blocks;
}

/** Whether `address` (any form `normalizeAddress` reads) is in `networks`; a non-address never is. */
export function inNetworks(networks: BlockList, address: string): boolean {
  const normal = normalizeAddress(address);
  const family = isIP(normal);
  return family !== 0 && networks.check(normal, family === 4 ? 'ipv4' : 'ipv6');
}
