/**
 * `serve` as a library: the push endpoint, the queue processor and the reconciling passes in one
 * process, started on a port with one call and stopped with `close()`.
 */
import type { RequestListener, Server } from 'node:http';
import { type AddressInfo, isIP } from 'node:net';
import { type ChatsApi, createLimitedServer, type Id, type ServerLimits } from '@ym-chats/sdk';
import { SyncEngine } from '../engine/engine.js';
import type { PassResult, SyncProgress } from '../engine/progress.js';
import type { SyncStore } from '../store/store.js';
import { NotificationHandler } from './handler.js';
import { normalizeAddress, PeerPolicy, parseNetworks, type TrustProxy } from './peer.js';
import { NotificationProcessor } from './processor.js';

export const DEFAULT_RECONCILE_MINUTES = 15;

export interface ReceiverOptions {
  api: ChatsApi;
  store: SyncStore;
  businessId: Id;
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** A secret path segment in front of `/notification`, e.g. `/hooks/3f9a…`. */
  basePath?: string;
  /** Minutes between reconciling passes (the first one runs on start); 0 switches them off. */
  reconcileMinutes?: number;
  name?: string;
  version?: string;
  settleMs?: number;
  onPass?: (result: PassResult) => void;
  onProgress?: (progress: SyncProgress) => void;
  onError?: (error: unknown, where: 'reconcile' | 'process') => void;
  /**
   * Another application on the same port (the inbox): requests whose path it `handles` go to it, the rest
   * (the push endpoint) to the receiver. One port is one thing to put behind the TLS proxy.
   */
  mount?: Mount;
  /** Source networks (CIDRs) allowed to POST notifications; others get 403. Default: anyone. */
  allowFrom?: readonly string[];
  /**
   * Reverse proxies whose `X-Forwarded-For` names the client (for `allowFrom`): `true` any direct peer (as
   * the inbox's `trustProxy`), or a list of proxy CIDRs. A mounted app sees forwarded headers only from them.
   */
  trustProxy?: TrustProxy;
  /** Connection limits (SDK `serverLimits`); default: derived from this process's descriptor limit. */
  limits?: Partial<ServerLimits>;
}

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
 * port. `startReceiver` adds one business's processor and passes; workers put their own behind it.
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
      exempt: trustedProxies(options.trustProxy),
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

/** Every client behind a trusted proxy arrives from its address: the per-address cap is not for it. */
function trustedProxies(trust: TrustProxy | undefined): (address: string) => boolean {
  if (trust === true) return () => true;
  if (!Array.isArray(trust) || trust.length === 0) return () => false;
  const list = parseNetworks(trust, 'trustProxy');
  return (address) => {
    const peer = normalizeAddress(address);
    const family = isIP(peer);
    return family !== 0 && list.check(peer, family === 4 ? 'ipv4' : 'ipv6');
  };
}

export interface RunningReceiver {
  url: string;
  /** The full push endpoint URL to configure on the platform. */
  endpoint: string;
  handler: NotificationHandler;
  processor: NotificationProcessor;
  engine: SyncEngine;
  /** Runs one reconciling pass now (they never overlap). */
  reconcile(): Promise<PassResult | undefined>;
  close(): Promise<void>;
}

export async function startReceiver(options: ReceiverOptions): Promise<RunningReceiver> {
  const { api, store } = options;
  const engine = new SyncEngine({
    api,
    store,
    businessId: options.businessId,
    ...(options.settleMs === undefined ? {} : { settleMs: options.settleMs }),
    ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
  });
  const processor = new NotificationProcessor(api, engine, {
    ...(options.settleMs === undefined ? {} : { settleMs: options.settleMs }),
    onError: (error) => options.onError?.(error, 'process'),
  });
  const handler = new NotificationHandler({
    store,
    businessId: engine.businessId,
    ...(options.name === undefined ? {} : { name: options.name }),
    ...(options.version === undefined ? {} : { version: options.version }),
    onQueued: () => processor.wake(),
  });
  const listening = await listenForPushes({
    handler,
    ...(options.port === undefined ? {} : { port: options.port }),
    ...(options.host === undefined ? {} : { host: options.host }),
    ...(options.basePath === undefined ? {} : { basePath: options.basePath }),
    ...(options.mount === undefined ? {} : { mount: options.mount }),
    ...(options.allowFrom === undefined ? {} : { allowFrom: options.allowFrom }),
    ...(options.trustProxy === undefined ? {} : { trustProxy: options.trustProxy }),
    ...(options.limits === undefined ? {} : { limits: options.limits }),
  });

  const controller = new AbortController();
  let reconciling: Promise<PassResult | undefined> | undefined;
  const reconcile = (): Promise<PassResult | undefined> => {
    if (reconciling) return reconciling;
    reconciling = engine
      .pass('reconcile', controller.signal)
      .then((result) => {
        options.onPass?.(result);
        return result;
      })
      .catch((error: unknown) => {
        if (!controller.signal.aborted) options.onError?.(error, 'reconcile');
        return undefined;
      })
      .finally(() => {
        reconciling = undefined;
      });
    return reconciling;
  };
  const minutes = options.reconcileMinutes ?? DEFAULT_RECONCILE_MINUTES;
  const timer = minutes > 0 ? setInterval(() => void reconcile(), minutes * 60_000) : undefined;
  timer?.unref();
  // Work left by a previous run (acknowledged, not yet acted on) and whatever was missed while down.
  processor.wake();
  if (minutes > 0) void reconcile();

  return {
    url: listening.url,
    endpoint: listening.endpoint,
    handler,
    processor,
    engine,
    reconcile,
    async close() {
      if (timer) clearInterval(timer);
      controller.abort();
      await listening.close();
      await processor.close();
      await reconciling;
    },
  };
}
