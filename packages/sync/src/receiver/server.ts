/**
 * `serve` as a library: the push endpoint, the queue processor and the reconciling passes in one
 * process, started on a port with one call and stopped with `close()`.
 */
import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ChatsApi, Id } from '@ym-chats/sdk';
import { SyncEngine } from '../engine/engine.js';
import type { PassResult, SyncProgress } from '../engine/progress.js';
import type { SyncStore } from '../store/store.js';
import { NotificationHandler } from './handler.js';
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
  mount?: { handles(path: string): boolean; listener: RequestListener };
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
  const receive = handler.listener(options.basePath ?? '');
  const mount = options.mount;
  const server = createServer(
    mount === undefined
      ? receive
      : (req, res) => {
          const path = new URL(req.url ?? '/', 'http://localhost').pathname;
          if (mount.handles(path)) mount.listener(req, res);
          else receive(req, res);
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
    url,
    endpoint: `${url}${(options.basePath ?? '').replace(/\/+$/, '')}/notification`,
    handler,
    processor,
    engine,
    reconcile,
    async close() {
      if (timer) clearInterval(timer);
      controller.abort();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
      await processor.close();
      await reconciling;
    },
  };
}
