/**
 * The store's schema, as numbered migrations applied on open by the shared runner (runner.ts), recorded in
 * `schema_migrations`. The SQL is written once; the few types that differ between the engines come from the
 * dialect map (dialect.ts). A migration, once released, is never edited: changes come as a new version.
 */
import type { Sql } from '../db/sql.js';
import type { DialectTypes } from './dialect.js';
import { ORDER_MIGRATIONS } from './order-migrations.js';
import { QUEUE_MIGRATIONS } from './queue-migrations.js';
import { READ_MODEL_MIGRATIONS, SEARCH_MIGRATIONS } from './read-model-migrations.js';
import { latestVersion, type Migration, type MigrationSet, runMigrations } from './runner.js';

/** One text of several statements, as the store's migrations are written. */
function split(text: string): string[] {
  return text
    .split(';')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'mirror, cursors, runs, inbound queue, event log',
    statements: ({ big, ts, serial }: DialectTypes) =>
      split(`
CREATE TABLE chats (
  business_id ${big} NOT NULL,
  chat_id ${big} NOT NULL,
  type TEXT NOT NULL,
  status TEXT NOT NULL,
  context_type TEXT,
  context_id ${big},
  order_id ${big},
  return_id ${big},
  campaign_id ${big},
  customer_name TEXT,
  customer_public_id TEXT,
  created_at ${ts} NOT NULL,
  updated_at ${ts} NOT NULL,
  last_message_id ${big},
  synced_at ${ts},
  history_pending INTEGER NOT NULL DEFAULT 0,
  history_settled INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (business_id, chat_id)
);
CREATE INDEX chats_by_status ON chats (business_id, status, updated_at);
CREATE INDEX chats_pending ON chats (business_id, history_pending);

CREATE TABLE messages (
  business_id ${big} NOT NULL,
  chat_id ${big} NOT NULL,
  message_id ${big} NOT NULL,
  sender TEXT NOT NULL,
  text TEXT,
  created_at ${ts} NOT NULL,
  PRIMARY KEY (business_id, message_id)
);
CREATE INDEX messages_by_chat ON messages (business_id, chat_id, message_id);

CREATE TABLE message_files (
  business_id ${big} NOT NULL,
  message_id ${big} NOT NULL,
  position INTEGER NOT NULL,
  name TEXT NOT NULL,
  url TEXT NOT NULL,
  size ${big} NOT NULL,
  PRIMARY KEY (business_id, message_id, position)
);

CREATE TABLE sync_cursors (
  business_id ${big} PRIMARY KEY,
  run_id ${big} NOT NULL,
  chats_page_token TEXT,
  listing_done INTEGER NOT NULL DEFAULT 0,
  updated_at ${ts} NOT NULL
);

CREATE TABLE sync_runs (
  run_id ${serial},
  business_id ${big} NOT NULL,
  trigger TEXT NOT NULL,
  state TEXT NOT NULL,
  started_at ${ts} NOT NULL,
  finished_at ${ts},
  chat_pages ${big} NOT NULL DEFAULT 0,
  history_pages ${big} NOT NULL DEFAULT 0,
  chats_seen ${big} NOT NULL DEFAULT 0,
  chats_changed ${big} NOT NULL DEFAULT 0,
  messages_added ${big} NOT NULL DEFAULT 0,
  error TEXT
);
CREATE INDEX sync_runs_by_business ON sync_runs (business_id, run_id);

CREATE TABLE inbound_notifications (
  inbound_id ${serial},
  dedupe_key TEXT NOT NULL UNIQUE,
  business_id ${big} NOT NULL,
  chat_id ${big} NOT NULL,
  notification_type TEXT NOT NULL,
  message_id TEXT,
  event_time TEXT,
  received_at ${ts} NOT NULL,
  processed_at ${ts}
);
CREATE INDEX inbound_unprocessed ON inbound_notifications (processed_at, business_id, chat_id);

CREATE TABLE events (
  position ${serial},
  business_id ${big} NOT NULL,
  chat_id ${big} NOT NULL,
  message_id ${big} NOT NULL,
  kind TEXT NOT NULL,
  recorded_at ${ts} NOT NULL
);

CREATE TABLE event_positions (
  subscriber TEXT PRIMARY KEY,
  position ${big} NOT NULL,
  updated_at ${ts} NOT NULL
);
`),
  },
  {
    version: 2,
    name: 'history page counters of a pass as rows',
    // A pass commits a history group every few milliseconds; adding each one's counts to the pass's single
    // sync_runs row made that row PostgreSQL's hottest (a new row version per commit, hundreds per second,
    // about a third of a group's time there). Each commit now appends its counts here, added to sync_runs when
    // the pass ends or fails, and store.runs() counts them in meanwhile. No index: it only holds the rows
    // of passes not yet ended, and an index would be one more page written by every commit.
    statements: ({ big }: DialectTypes) =>
      split(`
CREATE TABLE sync_run_pages (
  run_id ${big} NOT NULL,
  history_pages ${big} NOT NULL,
  messages_added ${big} NOT NULL
);
`),
  },
  ...READ_MODEL_MIGRATIONS,
  {
    version: 5,
    name: 'waits: each buyer wait from its first message to the answer',
    // Kept as messages are stored (reports/keep-waits.ts, in the same transaction), so a report reads the
    // waits of its period instead of every message of the store. A wait is keyed by the message that
    // opened it; closed_* stay null while it is open. first_wait: the chat's first wait (first response).
    statements: ({ big, ts }: DialectTypes) =>
      split(`
CREATE TABLE waits (
  business_id ${big} NOT NULL,
  chat_id ${big} NOT NULL,
  open_message_id ${big} NOT NULL,
  opened_at ${ts} NOT NULL,
  close_message_id ${big},
  closed_at ${ts},
  first_wait INTEGER NOT NULL,
  PRIMARY KEY (business_id, open_message_id)
);
CREATE INDEX waits_by_chat ON waits (business_id, chat_id, opened_at, open_message_id);
CREATE INDEX waits_by_close ON waits (business_id, closed_at);
CREATE INDEX waits_unanswered ON waits (business_id, opened_at) WHERE closed_at IS NULL;
`),
  },
  {
    version: 6,
    name: 'waits of the messages stored before version 5',
    // Once, set-based, in two window passes (no join: a join of openings to closings was planned as a
    // nested loop by PostgreSQL, minutes at 2 000 000 messages). Among CUSTOMER and PARTNER messages in
    // the chat's order, an edge is a CUSTOMER message after a PARTNER one (or first: a wait opens) or a
    // PARTNER message after a CUSTOMER one (it closes). Edges alternate and start with an opening, so
    // each opening's next edge is its closing, and the chat's first edge opens its first wait.
    statements: () => [
      `WITH m AS (
  SELECT business_id, chat_id, message_id, sender, created_at,
         LAG(sender) OVER (PARTITION BY business_id, chat_id ORDER BY created_at, message_id) AS prev
    FROM messages WHERE sender IN ('CUSTOMER', 'PARTNER')
), edges AS (
  SELECT business_id, chat_id, message_id, sender, created_at,
         LEAD(message_id) OVER e AS next_id, LEAD(created_at) OVER e AS next_at, ROW_NUMBER() OVER e AS n
    FROM m
   WHERE (sender = 'CUSTOMER' AND (prev IS NULL OR prev = 'PARTNER')) OR (sender = 'PARTNER' AND prev = 'CUSTOMER')
  WINDOW e AS (PARTITION BY business_id, chat_id ORDER BY created_at, message_id)
)
INSERT INTO waits (business_id, chat_id, open_message_id, opened_at, close_message_id, closed_at, first_wait)
SELECT business_id, chat_id, message_id, created_at, next_id, next_at, CASE WHEN n = 1 THEN 1 ELSE 0 END
  FROM edges WHERE sender = 'CUSTOMER'`,
    ],
  },
  ...SEARCH_MIGRATIONS,
  ...QUEUE_MIGRATIONS,
  ...ORDER_MIGRATIONS,
];

/** The store's migrations as the runner takes them. */
export const STORE_MIGRATIONS: MigrationSet = {
  owner: '@ym-chats/sync',
  table: 'schema_migrations',
  migrations: MIGRATIONS,
};

export const SCHEMA_VERSION = latestVersion(STORE_MIGRATIONS);

/** Applies the store's migrations it has not seen yet (each in a transaction of its own); their versions. */
export function migrate(sql: Sql): Promise<number[]> {
  return runMigrations(sql, STORE_MIGRATIONS);
}
