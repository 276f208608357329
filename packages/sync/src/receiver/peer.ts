/**
 * Who may POST notifications: the source-network allow-list (`allowFrom`), judged on the client's
 * address as the SDK's one rule reads it behind trusted proxies (`trustProxy`; `clientAddress` in
 * @ym-chats/sdk, shared with the inbox and the connection caps).
 */
import type { IncomingMessage } from 'node:http';
import type { BlockList } from 'node:net';
import {
  clientAddress,
  dropUntrustedForwarding,
  inNetworks,
  parseNetworks,
  TrustedProxies,
  type TrustProxy,
} from '@ym-chats/sdk';

export interface PeerOptions {
  /** Source networks (CIDR or single addresses) allowed to POST notifications; absent: anyone. */
  allowFrom?: readonly string[];
  /** `true`: any direct peer is a trusted proxy; a list: only peers in it; absent: none. */
  trustProxy?: TrustProxy;
}

export class PeerPolicy {
  private readonly allow: BlockList | undefined;
  /** The parsed trust, also for the connection caps (a trusted proxy is not held to the per-address cap). */
  readonly proxies: TrustedProxies;

  /** Throws `NetworkListError` (from the SDK) naming an entry that is not a network. */
  constructor(options: PeerOptions = {}) {
    this.allow =
      options.allowFrom === undefined || options.allowFrom.length === 0
        ? undefined
        : parseNetworks(options.allowFrom, 'allowFrom');
    this.proxies = TrustedProxies.from(options.trustProxy);
  }

  /** Whether proxies are trusted at all (then a mounted app may read the forwarded headers left). */
  get trustsProxies(): boolean {
    return this.proxies.some;
  }

  /** The client's address: the socket peer, or what trusted proxies in front of it say. */
  clientAddress(req: IncomingMessage): string {
    return clientAddress(req, this.proxies);
  }

  /** Whether the client may send notifications (no allow-list: everyone). */
  allows(req: IncomingMessage): boolean {
    return this.allow === undefined || inNetworks(this.allow, this.clientAddress(req));
  }

  /**
   * Drops the forwarded headers of a request whose peer is not a trusted proxy, so an application mounted
   * beside the receiver (the inbox) never reads a header a client forged.
   */
  sanitize(req: IncomingMessage): void {
    dropUntrustedForwarding(req, this.proxies);
  }
}
