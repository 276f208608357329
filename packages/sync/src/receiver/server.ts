/**
 * The push endpoint's HTTP side: a server on a port with the source allow-list and the connection limits,
 * answering pushes itself (node:http, `NotificationHandler.listener`) beside an optional mounted app — or
 * handing the whole port to an app that took the push endpoint as one of its routes (`router`: the inbox's
 * Fastify app under `serve`). What runs behind it is `serve`'s (`../runner/serve.ts`).
 */
import type { IncomingMessage, RequestListener, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLimitedServer, pushError, type ServerLimits, type TrustProxy } from '@ym-chats/sdk';
import type { NotificationAnswer, NotificationHandler } from './handler.js';
import { PeerPolicy } from './peer.js';

export interface Mount {
  handles(path: string): boolean;
  listener: RequestListener;
}

/**
 * The push endpoint as a route of another app's router: its path, the source check and the answer to a
 * body. The app reads the body (up to the SDK's `PUSH_BODY_LIMIT_BYTES`) and writes the answer.
 */
export interface PushRoute {
  /** `{basePath}/notification`. */
  readonly path: string;
  /** Whether the request's source may push (the allow-list); a refusal is counted, answer it 403. */
  admits(req: IncomingMessage): boolean;
  /** The answer to one notification body (the SDK's shapes). */
  answer(text: string): Promise<NotificationAnswer>;
}

/** The 403 an app answers a source `PushRoute.admits` refused (the receiver's own answer). */
export const pushSourceRefused = () => pushError(403, 'UNKNOWN', 'source not allowed');

export function pushRoute(handler: NotificationHandler, basePath: string, peers: PeerPolicy): PushRoute {
  return {
    path: `${basePath.replace(/\/+$/, '')}/notification`,
    admits(req) {
      if (peers.allows(req)) return true;
      handler.stats.forbidden += 1;
      return false;
    },
    answer: (text) => handler.handle(text),
  };
}

export interface PushListenerOptions {
  handler: NotificationHandler;
  port?: number;
  host?: string;
  basePath?: string;
  mount?: Mount;
  /**
   * Instead of `mount`: an app that takes the push endpoint as one of its routes and then answers every
   * request on the port (forwarded headers already dropped for untrusted peers, as for a mount).
   */
  router?: (push: PushRoute) => RequestListener;
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
  const whole = options.router?.(pushRoute(options.handler, options.basePath ?? '', peers));
  const receive = options.handler.listener(options.basePath ?? '', peers);
  const mount = options.mount;
  const server = createLimitedServer(
    whole
      ? (req, res) => {
          peers.sanitize(req);
          whole(req, res);
        }
      : (req, res) => {
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
