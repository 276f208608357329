/**
 * One business served: its runner behind a handler that accepts its pushes only — the source `serve`
 * takes for `ym-chats serve` without `--registered`, and `startReceiver`, the one call that starts it on a
 * port (the receiver's public API since the first version).
 */
import type { ChatsApi, Id } from '@ym-chats/sdk';
import type { SyncEngine } from '../engine/engine.js';
import type { PassResult, SyncProgress } from '../engine/progress.js';
import type { OrderFillOptions } from '../orders/order-fill.js';
import { NotificationHandler } from '../receiver/handler.js';
import type { NotificationProcessor } from '../receiver/processor.js';
import type { Mount, PushListenerOptions } from '../receiver/server.js';
import type { SyncStore } from '../store/store.js';
import { BusinessRunner } from './business-runner.js';
import type { RunnerObserver } from './observer.js';
import type { FailureWait } from './policy.js';
import { type BusinessesSource, type ServedBusinesses, serve } from './serve.js';

export const DEFAULT_RECONCILE_MINUTES = 15;

export interface OneBusinessOptions {
  api: ChatsApi;
  store: SyncStore;
  businessId: Id;
  /** Minutes between reconciling passes (the first one runs on start); 0 switches them off. */
  reconcileMinutes?: number;
  /** After a failed pass (quota aside: that waits for the window's end). Default 60 s. */
  retryMs?: number;
  /** The platform's clock for quota resets: the client's `rateLimit.now`, if it has one. */
  now?: () => number;
  /** Shown in the push endpoint's 200 answer. */
  name?: string;
  version?: string;
  settleMs?: number;
  onPass?: (result: PassResult) => void;
  onProgress?: (progress: SyncProgress) => void;
  /** A failure the receiver goes on after, and when it tries again (`wait.why === 'quota'`: at the reset). */
  onError?: (error: unknown, where: 'reconcile' | 'process', wait: FailureWait) => void;
  /** Told of the runner's passes and failures (the metrics). */
  observer?: RunnerObserver;
  /** The orders behind the chats (`BusinessRunnerOptions.orders`): on by default; give the key's fingerprint. */
  orders?: OrderFillOptions | false;
}

export interface OneBusiness extends ServedBusinesses {
  runner: BusinessRunner;
  engine: SyncEngine;
  processor: NotificationProcessor;
  /** Runs one reconciling pass now (they never overlap). */
  reconcile(): Promise<PassResult | undefined>;
}

export function oneBusiness(options: OneBusinessOptions): BusinessesSource<OneBusiness> {
  return {
    async start() {
      const minutes = options.reconcileMinutes ?? DEFAULT_RECONCILE_MINUTES;
      const runner = new BusinessRunner({
        api: options.api,
        store: options.store,
        businessId: options.businessId,
        policy: {
          trigger: 'reconcile',
          periodMs: minutes * 60_000,
          ...(options.retryMs === undefined ? {} : { retryMs: options.retryMs }),
        },
        ...(options.settleMs === undefined ? {} : { settleMs: options.settleMs }),
        ...(options.now === undefined ? {} : { now: options.now }),
        ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
        ...(options.onPass === undefined ? {} : { onPass: options.onPass }),
        ...(options.observer === undefined ? {} : { observer: options.observer }),
        ...(options.orders === undefined ? {} : { orders: options.orders }),
        onError: (error, where, wait) =>
          options.onError?.(error, where === 'pass' ? 'reconcile' : where, wait),
      });
      const handler = new NotificationHandler({
        store: options.store,
        businessId: runner.businessId,
        ...(options.name === undefined ? {} : { name: options.name }),
        ...(options.version === undefined ? {} : { version: options.version }),
        onQueued: () => runner.wake(),
      });
      return {
        handler,
        api: options.api,
        runner,
        engine: runner.engine,
        processor: runner.processor,
        reconcile: () => runner.passNow(),
        begin: () => void runner.start(),
        stop: () => runner.stop(),
      };
    },
  };
}

export interface ReceiverOptions extends OneBusinessOptions, Omit<PushListenerOptions, 'handler'> {
  /**
   * Another application on the same port (the inbox): requests whose path it `handles` go to it, the rest
   * (the push endpoint) to the receiver.
   */
  mount?: Mount;
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

/** One business served on a port: `serve` over `oneBusiness`, with an already-made app to mount. */
export async function startReceiver(options: ReceiverOptions): Promise<RunningReceiver> {
  const { mount, port, host, basePath, allowFrom, trustProxy, limits, ...business } = options;
  const serving = await serve({
    businesses: oneBusiness(business),
    // The caller made the app and closes it; the receiver only routes to it.
    ...(mount === undefined
      ? {}
      : { app: () => ({ handles: (path: string) => mount.handles(path), listener: mount.listener }) }),
    ...(port === undefined ? {} : { port }),
    ...(host === undefined ? {} : { host }),
    ...(basePath === undefined ? {} : { basePath }),
    ...(allowFrom === undefined ? {} : { allowFrom }),
    ...(trustProxy === undefined ? {} : { trustProxy }),
    ...(limits === undefined ? {} : { limits }),
  });
  const b = serving.businesses;
  return {
    url: serving.url,
    endpoint: serving.endpoint,
    handler: b.handler,
    processor: b.processor,
    engine: b.engine,
    reconcile: b.reconcile,
    close: () => serving.close(),
  };
}
