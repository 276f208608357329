/**
 * Who is on the other end of a request, behind a reverse proxy or not: the one rule the push receiver's
 * allow-list, the connection caps, and the inbox's login limits and same-origin check all follow.
 *
 * `X-Forwarded-For` and `X-Forwarded-Host` are only as honest as the peer that sent them: any client can
 * write them. So they are read only when the direct peer is a trusted proxy — any peer (`trustProxy:
 * true`, one proxy on the same host), or only peers in the given networks (`--trusted-proxies`) — and
 * `X-Forwarded-For` only from the right, where each trusted proxy appended the address it saw: the first
 * entry from the right that is not itself a trusted proxy is the client. With `true` only the direct
 * peer is known to be a proxy, so the last entry is the client. Entries further left were written by the
 * client and prove nothing; an entry that is not an address means the client cannot be named
 * (`UNKNOWN_CLIENT`: in no allow-list, one shared key for every limit).
 */
import type { IncomingMessage } from 'node:http';
import { type BlockList, isIP } from 'node:net';
import { normalizeAddress, UNKNOWN_CLIENT } from './address.js';
import { inNetworks, parseNetworks } from './networks.js';

/**
 * The policy as data. `true`: every direct peer is a trusted proxy; a list of CIDRs or addresses: only
 * peers in it; `false`, `[]` or absent: forwarded headers are ignored.
 */
export type TrustProxy = boolean | readonly string[];

/** A `TrustProxy` with its networks parsed (once), asked per request. */
export class TrustedProxies {
  private constructor(private readonly networks: BlockList | 'any' | undefined) {}

  /** Throws `NetworkListError` (naming the entry) for a list entry that is not a network. */
  static from(trust: TrustProxy | undefined, list = 'trustProxy'): TrustedProxies {
    if (trust === true) return new TrustedProxies('any');
    if (trust === false || trust === undefined || trust.length === 0) return new TrustedProxies(undefined);
    return new TrustedProxies(parseNetworks(trust, list));
  }

  /** Whether any proxy is trusted at all. */
  get some(): boolean {
    return this.networks !== undefined;
  }

  /** Every peer is a proxy (`true`): only the last forwarded entry is believed. */
  get any(): boolean {
    return this.networks === 'any';
  }

  /** Whether a peer at `address` is a trusted proxy. */
  trusts(address: string): boolean {
    if (this.networks === undefined) return false;
    return this.networks === 'any' || inNetworks(this.networks, address);
  }
}

/** Lists compiled once per array (the options object a server keeps), not once per request. */
const compiled = new WeakMap<readonly string[], TrustedProxies>();

function proxiesOf(trust: TrustedProxies | TrustProxy | undefined): TrustedProxies {
  if (trust instanceof TrustedProxies) return trust;
  if (!Array.isArray(trust)) return TrustedProxies.from(trust as boolean | undefined);
  const list = trust as readonly string[];
  let proxies = compiled.get(list);
  if (proxies === undefined) {
    proxies = TrustedProxies.from(list);
    compiled.set(list, proxies);
  }
  return proxies;
}

/**
 * The decision, pure: the client behind `peer` (the socket's address) given the `X-Forwarded-For` it
 * sent. Normalized (`normalizeAddress`); `UNKNOWN_CLIENT` when a believed entry is not an address.
 */
export function forwardedClient(
  peer: string,
  forwardedFor: string | undefined,
  trust: TrustedProxies | TrustProxy | undefined,
): string {
  const proxies = proxiesOf(trust);
  const direct = normalizeAddress(peer);
  if (!proxies.trusts(direct)) return direct;
  const hops = (forwardedFor ?? '')
    .split(',')
    .map((hop) => hop.trim())
    .filter((hop) => hop !== '');
  let client = direct;
  for (let i = hops.length - 1; i >= 0; i--) {
    client = normalizeAddress(hops[i]!);
    if (isIP(client) === 0) return UNKNOWN_CLIENT;
    if (proxies.any || !proxies.trusts(client)) return client;
  }
  // Every hop is a trusted proxy: the farthest one is as near the client as anyone can say.
  return client;
}

/** A header as one string (Node joins repeated ones with ", "; a framework may hand an array). */
function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

/** The client's address: the socket peer, or what trusted proxies in front of it say. */
export function clientAddress(req: IncomingMessage, trust: TrustedProxies | TrustProxy | undefined): string {
  return forwardedClient(req.socket.remoteAddress ?? '', header(req, 'x-forwarded-for'), trust);
}

/**
 * The host the client asked for: `X-Forwarded-Host` (its last entry, what the nearest proxy saw) when the
 * direct peer is a trusted proxy, else `Host`.
 */
export function requestHost(
  req: IncomingMessage,
  trust: TrustedProxies | TrustProxy | undefined,
): string | undefined {
  if (proxiesOf(trust).trusts(req.socket.remoteAddress ?? '')) {
    const forwarded = header(req, 'x-forwarded-host')?.split(',').at(-1)?.trim();
    if (forwarded) return forwarded;
  }
  return req.headers.host;
}

/**
 * Drops the forwarded headers of a request whose direct peer is not a trusted proxy, so an application
 * mounted beside a receiver never reads a header a client forged, whatever it was told to trust.
 */
export function dropUntrustedForwarding(
  req: IncomingMessage,
  trust: TrustedProxies | TrustProxy | undefined,
): void {
  if (proxiesOf(trust).trusts(req.socket.remoteAddress ?? '')) return;
  delete req.headers['x-forwarded-for'];
  delete req.headers['x-forwarded-host'];
  delete req.headers['x-forwarded-proto'];
}
