/**
 * The registered businesses as something `serve` (@ym-chats/sync) serves: this process's worker (its
 * share of them, under leases), a push handler that accepts every one of them, one client that replies
 * with each business's own credential, and their ids kept fresh for an app that lists them (the inbox).
 * `serve --registered` is `serve({ businesses: registeredBusinesses(…) })`; the app is the caller's, so
 * this package stays free of the inbox (`workers → sync, sdk, redis`).
 */
import type { BusinessesSource, ServedBusinesses } from '@ym-chats/sync';
import { RegistryChatsApi } from './business-clients.js';
import { RegisteredIds } from './registered-ids.js';
import type { BusinessRegistry } from './registry.js';
import { Worker, type WorkerOptions } from './worker.js';

export interface RegisteredServeOptions extends Omit<WorkerOptions, 'mode'> {
  /** Shown in the push endpoint's 200 answer. */
  name?: string;
  version?: string;
  /** Re-reading the registered ids failed (the database away): the last list stays until one succeeds. */
  onIdsError?: (error: unknown) => void;
}

export interface RegisteredBusinesses extends ServedBusinesses {
  worker: Worker;
  registry: BusinessRegistry;
  /** Every registered business's own client behind one `ChatsApi` (the inbox's replies). */
  api: RegistryChatsApi;
  /** The registered ids, re-read every 2 s (`ids.current` is what an inbox's `businessIds` takes). */
  ids: RegisteredIds;
}

export function registeredBusinesses(
  options: RegisteredServeOptions,
): BusinessesSource<RegisteredBusinesses> {
  return {
    async start() {
      const { name, version, onIdsError, ...workerOptions } = options;
      // Its businesses start as soon as it holds their leases: any process may have queued their pushes.
      const worker = await Worker.start({ ...workerOptions, mode: 'serve' });
      let ids: RegisteredIds;
      try {
        ids = await RegisteredIds.open(
          worker.registry,
          onIdsError === undefined ? {} : { onError: onIdsError },
        );
      } catch (error) {
        await worker.stop();
        throw error;
      }
      const api = new RegistryChatsApi({
        registry: worker.registry,
        baseUrl: options.baseUrl,
        ...(options.pathPrefix === undefined ? {} : { pathPrefix: options.pathPrefix }),
        ...(options.quotaStore === undefined ? {} : { quotaStore: options.quotaStore }),
        ...(options.client === undefined ? {} : { client: options.client }),
      });
      return {
        worker,
        registry: worker.registry,
        api,
        ids,
        handler: worker.pushHandler({
          ...(name === undefined ? {} : { name }),
          ...(version === undefined ? {} : { version }),
        }),
        begin() {},
        async stop() {
          ids.close();
          await worker.stop();
        },
      };
    },
  };
}
