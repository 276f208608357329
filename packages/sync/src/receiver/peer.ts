/**
 * Who sent a request, and whether they may: the source-network allow-list (`allowFrom`) and which reverse
 * proxies are believed when they name the client in `X-Forwarded-For` (`trustProxy`).
 *
 * `X-Forwarded-For` is only as honest as the peer that sent it: any client can write one. So it is read
 * only when the direct peer is a trusted proxy, and only from the right, where each trusted proxy
 * appended the address it saw; the first address from the right that is not itself a trusted proxy is
 * the client. Earlier entries were written by the client and prove nothing.
 */
import type { IncomingMessage } from 'node:http';
import { BlockList, isIP } from 'node:net';

/**
 * `true`: every direct peer is a trusted proxy (one proxy on the same host, the inbox's `--trust-proxy`);
 * a list of CIDRs or addresses: only peers in it; `false`/absent: `X-Forwarded-For` is ignored.
 */
export type TrustProxy = boolean | readonly string[];

export interface PeerOptions {
  /** Source networks (CIDR or single addresses) allowed to POST notifications; absent: anyone. */
  allowFrom?: readonly string[];
  trustProxy?: TrustProxy;
}

/** `::ffff:10.0.0.1` (an IPv4 client on a dual-stack socket) is `10.0.0.1`. */
export function normalizeAddress(address: string): string {
  const trimmed = address.trim().replace(/^\[(.*)\]$/, '$1');
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(trimmed);
  return mapped ? mapped[1]! : trimmed;
}

/** A BlockList of CIDRs (`10.0.0.0/8`, `2001:db8::/32`) and single addresses; a typo is an error. */
export function parseNetworks(entries: readonly string[], what: string): BlockList {
  const list = new BlockList();
  for (const raw of entries) {
    const entry = raw.trim();
    if (entry === '') continue;
    const [address = '', prefixText] = entry.split('/');
    const host = normalizeAddress(address);
    const family = isIP(host);
    if (family === 0) throw new TypeError(`${what}: "${entry}" is not an IP address or CIDR`);
    const type = family === 4 ? 'ipv4' : 'ipv6';
    if (prefixText === undefined) {
      list.addAddress(host, type);
      continue;
    }
    // An IPv4-mapped network (`::ffff:203.0.113.0/120`) is checked as IPv4: its prefix counts the 96 bits
    // of the `::ffff:` part, and one shorter than that would reach beyond the mapped addresses.
    const mapped = family === 4 && host !== address.trim().replace(/^\[(.*)\]$/, '$1');
    const prefix = Number(prefixText) - (mapped ? 96 : 0);
    if (!/^\d{1,3}$/.test(prefixText) || prefix < 0 || prefix > (family === 4 ? 32 : 128)) {
      throw new TypeError(`${what}: "${entry}" has a bad prefix length`);
    }
    list.addSubnet(host, prefix, type);
  }
  return list;
}

function contains(list: BlockList, address: string): boolean {
  const family = isIP(address);
  if (family === 0) return false;
  return list.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

export class PeerPolicy {
  private readonly allow: BlockList | undefined;
  private readonly proxies: BlockList | 'any' | undefined;

  constructor(options: PeerOptions = {}) {
    this.allow =
      options.allowFrom === undefined || options.allowFrom.length === 0
        ? undefined
        : parseNetworks(options.allowFrom, 'allowFrom');
    const trust = options.trustProxy;
    this.proxies =
      trust === true
        ? 'any'
        : Array.isArray(trust) && trust.length > 0
          ? parseNetworks(trust, 'trustProxy')
          : undefined;
  }

  /** Whether proxies are trusted at all (then a mounted app may read the forwarded headers left). */
  get trustsProxies(): boolean {
    return this.proxies !== undefined;
  }

  private isTrustedProxy(address: string): boolean {
    if (this.proxies === undefined) return false;
    return this.proxies === 'any' || contains(this.proxies, address);
  }

  /** The client's address: the socket peer, or what trusted proxies in front of it say. */
  clientAddress(req: IncomingMessage): string {
    const peer = normalizeAddress(req.socket.remoteAddress ?? '');
    if (!this.isTrustedProxy(peer)) return peer;
    const header = req.headers['x-forwarded-for'];
    const forwarded = (Array.isArray(header) ? header.join(',') : (header ?? ''))
      .split(',')
      .map(normalizeAddress)
      .filter((a) => a !== '');
    if (this.proxies === 'any') return forwarded.at(-1) ?? peer;
    for (let i = forwarded.length - 1; i >= 0; i--) {
      const hop = forwarded[i]!;
      if (!this.isTrustedProxy(hop)) return hop;
    }
    return forwarded[0] ?? peer;
  }

  /** Whether the client may send notifications (no allow-list: everyone). */
  allows(req: IncomingMessage): boolean {
    if (this.allow === undefined) return true;
    return contains(this.allow, this.clientAddress(req));
  }

  /**
   * Drops the forwarded headers of a request whose peer is not a trusted proxy, so an application mounted
   * beside the receiver (the inbox, told to trust proxies) never reads a header a client forged.
   */
  sanitize(req: IncomingMessage): void {
    if (this.isTrustedProxy(normalizeAddress(req.socket.remoteAddress ?? ''))) return;
    delete req.headers['x-forwarded-for'];
    delete req.headers['x-forwarded-host'];
    delete req.headers['x-forwarded-proto'];
  }
}
