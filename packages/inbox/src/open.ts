import type { SyncStore } from '@ym-chats/sync';
import { SqlLoginLimiter } from './auth/login-limiter.js';
import { SqlLoginLinks } from './auth/login-links.js';
import { SqlSessionStore } from './auth/sessions.js';
import { storedSecret } from './auth/signing.js';
import { createInbox, type Inbox, type InboxOptions } from './inbox.js';
import { type ListenClient, PostgresRelay, storeClientFactory } from './live/pg-relay.js';
import type { Relay } from './live/relay.js';
import { TableRelay } from './live/table-relay.js';
import { SqlAgentDirectory } from './store/sql-agent-directory.js';
import { SqlSendLedger } from './store/sql-send-ledger.js';
import { StoreSource } from './store/sql-source.js';
import { SqlTeamStore } from './store/sql-team-store.js';
import { SqlTemplateStore } from './store/sql-templates.js';

export interface OpenInboxOptions
  extends Omit<
    InboxOptions,
    | 'source'
    | 'team'
    | 'relay'
    | 'sessionStore'
    | 'loginLimiter'
    | 'loginLinks'
    | 'signingSecret'
    | 'sendLedger'
    | 'agentDirectory'
    | 'templateStore'
  > {
  /** The sync store (SQLite or PostgreSQL); the inbox adds its own tables beside the store's. */
  store: SyncStore;
  /**
   * How often the store's event log is read for new messages. Default 500 ms (on PostgreSQL a
   * notification wakes the reader at once; the poll is the safety net).
   */
  pollMs?: number;
  /**
   * Live changes between processes sharing the database. Default: on PostgreSQL, LISTEN/NOTIFY over a
   * connection of its own made with the store's settings; on SQLite, the `inbox_live` table polled every
   * `livePollMs`. `false`: this process's pages only.
   */
  relay?: Relay | false;
  /** PostgreSQL: makes the listening connection (default: a client with the store's own settings). */
  listenClient?: () => ListenClient;
  /** SQLite: how often `inbox_live` is read. Default 250 ms. */
  livePollMs?: number;
}

async function openRelay(store: SyncStore, options: OpenInboxOptions): Promise<Relay | undefined> {
  if (options.relay === false) return undefined;
  if (options.relay) return options.relay;
  const onError = options.onError;
  if (store.dialect === 'postgres') {
    const connect = options.listenClient ?? storeClientFactory(store.database());
    if (connect) return PostgresRelay.open(store.database(), { connect, ...(onError ? { onError } : {}) });
  }
  // Also PostgreSQL when no listening connection can be made: the table works on both engines.
  return TableRelay.open(store, {
    ...(options.livePollMs === undefined ? {} : { intervalMs: options.livePollMs }),
    ...(onError ? { onError } : {}),
  });
}

/**
 * The inbox over a sync store: migrates the inbox's tables, follows the store's event log, keeps
 * assignments, the audit trail and sessions in the same database, and shares live changes with every
 * process on it. `close()` stops all that; the store stays open.
 */
export async function openInbox(options: OpenInboxOptions): Promise<Inbox & { source: StoreSource }> {
  const { store, pollMs, relay: _relay, listenClient: _listen, livePollMs: _live, ...rest } = options;
  const source = await StoreSource.open(store, {
    api: rest.api,
    ...(pollMs === undefined ? {} : { pollMs }),
  });
  let inbox: Inbox;
  let relay: Relay | undefined;
  let agentDirectory: SqlAgentDirectory | undefined;
  try {
    // The store's agents, shared by every process on it; `agents` given here are imported (upserted).
    agentDirectory = await SqlAgentDirectory.open(
      store.database(),
      rest.onError ? { onError: rest.onError } : {},
    );
    if (rest.agents && rest.agents.length > 0) await agentDirectory.import(rest.agents);
    const { agents: _imported, ...settings } = rest;
    relay = await openRelay(store, options);
    inbox = createInbox({
      ...settings,
      source,
      agentDirectory,
      templateStore: new SqlTemplateStore(store.database(), rest.templates),
      team: new SqlTeamStore(store.database()),
      sessionStore: new SqlSessionStore(store.database(), rest.sessions),
      loginLimiter: new SqlLoginLimiter(store.database(), rest.loginLimits),
      loginLinks: new SqlLoginLinks(store.database()),
      signingSecret: () => storedSecret(store.database()),
      sendLedger: new SqlSendLedger(store.database()),
      ...(relay ? { relay } : {}),
    });
  } catch (error) {
    // A refused configuration must not leave the indexer following a store its caller will close.
    await relay?.close();
    await agentDirectory?.close();
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
