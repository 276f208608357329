/**
 * The store's read model (reads/): the tables derived from `messages` through the event log (chat state,
 * search index) and the change notices on `chats` and `events`. Until these versions the inbox kept them
 * (its migrations 1 and 2, under `inbox_` names); its version 12 drops its copies. Written per engine:
 * FTS5 and tsvector, SQLite triggers and PostgreSQL's NOTIFY differ beyond type names.
 */
import type { Dialect } from '../db/sql.js';
import { DIALECT_TYPES, type DialectTypes } from './dialect.js';
import type { Migration } from './runner.js';

/** The read model's subscriber in `event_positions` (reads/indexer.ts's READ_MODEL_SUBSCRIBER). */
const READ_MODEL_SUBSCRIBER = 'read-model';

/** The subscriber (event_positions) the inbox's indexer kept; its tables are not these, so it starts over. */
const INBOX_INDEXER = 'inbox';

const chatState = ({ big, ts }: DialectTypes) =>
  `CREATE TABLE chat_state (
     business_id ${big} NOT NULL,
     chat_id ${big} NOT NULL,
     waiting_since ${ts},
     last_message_id ${big} NOT NULL,
     last_sender TEXT NOT NULL,
     last_text TEXT,
     last_at ${ts} NOT NULL,
     PRIMARY KEY (business_id, chat_id))`;

const READ_MODEL: Record<Dialect, readonly string[]> = {
  sqlite: [
    chatState(DIALECT_TYPES.sqlite),
    // Which message each search row is (FTS5 rowids must be one integer; message ids are unique per business).
    `CREATE TABLE search_rows (
       row_id INTEGER PRIMARY KEY,
       business_id INTEGER NOT NULL,
       chat_id INTEGER NOT NULL,
       message_id INTEGER NOT NULL,
       UNIQUE (business_id, message_id))`,
    // Contentless: the words only; the text is read back from `messages`.
    `CREATE VIRTUAL TABLE search_words USING fts5(
       text, content = '', tokenize = 'unicode61 remove_diacritics 2')`,
    `DELETE FROM event_positions WHERE subscriber = '${INBOX_INDEXER}'`,
  ],
  postgres: [
    chatState(DIALECT_TYPES.postgres),
    `CREATE TABLE search_words (
       business_id BIGINT NOT NULL,
       chat_id BIGINT NOT NULL,
       message_id BIGINT NOT NULL,
       words TSVECTOR NOT NULL,
       PRIMARY KEY (business_id, message_id))`,
    'CREATE INDEX search_words_by_word ON search_words USING GIN (words)',
    `DELETE FROM event_positions WHERE subscriber = '${INBOX_INDEXER}'`,
  ],
};

/**
 * The event log records messages only: a status or type change is announced by a trigger on `chats` (only
 * when one of them really changed; an upsert rewrites both). SQLite has no channel: the trigger appends to
 * `chat_changes`, which readers poll (reads/changes.ts). PostgreSQL: NOTIFY on the schema's channel
 * (delivered at commit), also once per statement that grows the event log, so readers wake at once. The
 * channel keeps the name it had when the inbox owned these triggers, so processes of either version hear
 * each other during an upgrade.
 */
const CHANGES: Record<Dialect, readonly string[]> = {
  sqlite: [
    `CREATE TABLE chat_changes (
       id INTEGER PRIMARY KEY AUTOINCREMENT,
       business_id INTEGER NOT NULL,
       chat_id INTEGER NOT NULL,
       at TEXT NOT NULL)`,
    `CREATE TRIGGER chats_changed AFTER UPDATE OF status, type ON chats
       WHEN OLD.status IS NOT NEW.status OR OLD.type IS NOT NEW.type
     BEGIN
       INSERT INTO chat_changes (business_id, chat_id, at)
       VALUES (NEW.business_id, NEW.chat_id, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
     END`,
  ],
  postgres: [
    // Kept empty on PostgreSQL (the notices carry the changes); there so the feed reads the same on both.
    `CREATE TABLE chat_changes (
       id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
       business_id BIGINT NOT NULL,
       chat_id BIGINT NOT NULL,
       at TEXT NOT NULL)`,
    `CREATE FUNCTION store_notify_chat() RETURNS trigger LANGUAGE plpgsql AS $$
     BEGIN
       PERFORM pg_notify('ym_inbox_' || md5(TG_TABLE_SCHEMA),
         json_build_object('kind', 'chat', 'businessId', NEW.business_id, 'chatId', NEW.chat_id)::text);
       RETURN NULL;
     END $$`,
    `CREATE TRIGGER chats_changed AFTER UPDATE OF status, type ON chats FOR EACH ROW
       WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.type IS DISTINCT FROM NEW.type)
       EXECUTE FUNCTION store_notify_chat()`,
    `CREATE FUNCTION store_notify_log() RETURNS trigger LANGUAGE plpgsql AS $$
     BEGIN
       PERFORM pg_notify('ym_inbox_' || md5(TG_TABLE_SCHEMA), '{"kind":"log"}');
       RETURN NULL;
     END $$`,
    `CREATE TRIGGER events_logged AFTER INSERT ON events FOR EACH STATEMENT
       EXECUTE FUNCTION store_notify_log()`,
  ],
};

export const READ_MODEL_MIGRATIONS: readonly Migration[] = [
  {
    version: 3,
    name: 'read model: chat state and search index',
    statements: (_types, dialect) => READ_MODEL[dialect],
  },
  {
    version: 4,
    name: 'change notices on chats and the event log',
    statements: (_types, dialect) => CHANGES[dialect],
  },
];

/**
 * Search by word forms, ids and buyer names (reads/words.ts, reads/search.ts). The index now holds each
 * word and its Snowball stem, computed in the process, so the old index is emptied and the read model
 * indexed again from the start of the log (once; the indexer does it as it catches up). SQLite's FTS5 no
 * longer folds diacritics (`й` stays `й`): words.ts decides what a word is, the same for PostgreSQL's
 * lexemes. `search_names`: the words and stems of each chat's buyer name, kept as the chat's messages are
 * indexed. Version 10: chats found by order and return id.
 */
const REINDEX: Record<Dialect, readonly string[]> = {
  sqlite: [
    'DROP TABLE search_words',
    `CREATE VIRTUAL TABLE search_words USING fts5(
       text, content = '', tokenize = 'unicode61 remove_diacritics 0')`,
    'DELETE FROM search_rows',
    `CREATE TABLE search_names (
       business_id INTEGER NOT NULL,
       chat_id INTEGER NOT NULL,
       term TEXT NOT NULL,
       PRIMARY KEY (business_id, term, chat_id)) WITHOUT ROWID`,
    `DELETE FROM event_positions WHERE subscriber = '${READ_MODEL_SUBSCRIBER}'`,
  ],
  postgres: [
    'TRUNCATE search_words',
    // Byte order ("C"), so a prefix is the range [prefix, prefix + U+10FFFF) as on SQLite.
    `CREATE TABLE search_names (
       business_id BIGINT NOT NULL,
       chat_id BIGINT NOT NULL,
       term TEXT COLLATE "C" NOT NULL,
       PRIMARY KEY (business_id, term, chat_id))`,
    `DELETE FROM event_positions WHERE subscriber = '${READ_MODEL_SUBSCRIBER}'`,
  ],
};

export const SEARCH_MIGRATIONS: readonly Migration[] = [
  {
    version: 9,
    name: 'search: word forms and buyer names, indexed again',
    statements: (_types, dialect) => REINDEX[dialect],
  },
  {
    version: 10,
    name: 'search: chats by order id and return id',
    statements: () => [
      'CREATE INDEX chats_by_order ON chats (business_id, order_id)',
      'CREATE INDEX chats_by_return ON chats (business_id, return_id)',
    ],
  },
];

/** The channel the change notices go out on (PostgreSQL), for the store's schema. */
export const CHANGE_CHANNEL_SQL = `SELECT 'ym_inbox_' || md5(current_schema()) AS channel`;
