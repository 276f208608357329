import type { SyncStore } from '@ym-chats/sync';
import { createInbox, type Inbox, type InboxOptions } from './inbox.js';
import { StoreSource } from './store/sql-source.js';
import { SqlTeamStore } from './store/sql-team-store.js';

export interface OpenInboxOptions extends Omit<InboxOptions, 'source' | 'team'> {
  /** The sync store (SQLite or PostgreSQL); the inbox adds its own tables beside the store's. */
  store: SyncStore;
  /** How often the store's event log is read for new messages. Default 500 ms. */
  pollMs?: number;
}

/**
 * The inbox over a sync store: migrates the inbox's tables, follows the store's event log, keeps
 * assignments and the audit trail in the same database. `close()` stops all that; the store stays open.
 */
export async function openInbox(options: OpenInboxOptions): Promise<Inbox & { source: StoreSource }> {
  const { store, pollMs, ...rest } = options;
  const source = await StoreSource.open(store, pollMs === undefined ? {} : { pollMs });
  let inbox: Inbox;
  try {
    inbox = createInbox({ ...rest, source, team: new SqlTeamStore(store.sql) });
  } catch (error) {
    // A refused configuration must not leave the indexer following a store its caller will close.
    await source.close();
    throw error;
  }
  return {
    ...inbox,
    source,
    async close() {
      await inbox.close();
      await source.close();
    },
  };
}
