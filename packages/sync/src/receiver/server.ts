/**
 * The push endpoint's HTTP side: a server on a port with the source allow-list, the connection limits and
 * an optional app mounted beside it. What runs behind it is `serve`'s (`../runner/serve.ts`).
 */
import type { RequestListener, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLimitedServer, type ServerLimits, type TrustProxy } from '@ym-chats/sdk';
import type { NotificationHandler } from './handler.js';
import { PeerPolicy } from './peer.js';

export interface Mount {
  handles(path: string): boolean;
  listener: RequestListener;
}

export interface PushListenerOptions {
  handler: NotificationHandler;
  port?: number;
  host?: string;
  basePath?: string;
  mount?: Mount;
  allowFrom?: readonly string[];
  trustProxy?: TrustProxy;
  limits?: Partial<ServerLimits>;
}

export interface PushListener {
  url: string;
  endpoint: string;
  server: Server;
  close(): Promise<void>;
}

/**
 * The HTTP side alone: the push endpoint (behind the source allow-list) and an optional mounted app on one
 * port. `serve` puts the businesses behind it (one, or the registered ones).
 */
export async function listenForPushes(options: PushListenerOptions): Promise<PushListener> {
  const peers = new PeerPolicy({
    ...(options.allowFrom === undefined ? {} : { allowFrom: options.allowFrom }),
    ...(options.trustProxy === undefined ? {} : { trustProxy: options.trustProxy }),
  });
  const receive = options.handler.listener(options.basePath ?? '', peers);
  const mount = options.mount;
  const server = createLimitedServer(
    (req, res) => {
      peers.sanitize(req);
      if (mount?.handles(new URL(req.url ?? '/', 'http://localhost').pathname)) {
        mount.listener(req, res);
      } else receive(req, res);
    },
    {
      ...(options.limits === undefined ? {} : { limits: options.limits }),
      // Every client behind a trusted proxy arrives from its address: the per-address cap is not for it.
      exempt: (address) => peers.proxies.trusts(address),
    },
  );
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${shownHost}:${address.port}`;
  return {
    url,
    endpoint: `${url}${(options.basePath ?? '').replace(/\/+$/, '')}/notification`,
    server,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}
