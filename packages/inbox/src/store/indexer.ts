/**
 * The store's read-model indexer (`@ym-chats/sync`) as the inbox runs it: each batch of chats with new
 * messages becomes change notices for the inbox's pages.
 */
import { ReadModelIndexer, type SyncStore } from '@ym-chats/sync';
import type { SourceChange } from '../types.js';

export class Indexer extends ReadModelIndexer {
  constructor(
    store: SyncStore,
    onChange: (changes: SourceChange[]) => void,
    intervalMs = 500,
    batch = 2000,
    onError: (error: unknown) => void = (e) => console.error('inbox indexer:', e),
  ) {
    super(store, {
      onChange: (chats) => onChange(chats.map((c) => ({ kind: 'message', ...c }))),
      intervalMs,
      batch,
      onError,
    });
  }
}
