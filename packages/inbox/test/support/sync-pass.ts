/**
 * Fills the store from the emulator with the sync package's own engine: one pass lists the chats and reads
 * the histories that changed (what `serve` does on a push or a reconciling pass).
 */
import type { ChatsApi } from '@ym-chats/sdk';
import { SyncEngine, type SyncStore } from '@ym-chats/sync';

export async function syncPass(store: SyncStore, api: ChatsApi, businessId: number): Promise<void> {
  await new SyncEngine({ api, store, businessId }).pass('once');
}
