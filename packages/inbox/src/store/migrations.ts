/**
 * The inbox's own tables, in the same database as the sync store's and versioned separately
 * (`inbox_schema_migrations`), so neither package's upgrades touch the other's. The store's tables are
 * only read; everything the inbox derives from them is filled from the store's event log (see indexer.ts).
 */
import type { Dialect, Sql } from '@ym-chats/sync';

interface Migration {
  version: number;
  name: string;
  statements: Record<Dialect, string[]>;
}

const COMMON = (big: string, ts: string, serial: string) => [
  `CREATE TABLE inbox_chat_state (
     business_id ${big} NOT NULL,
     chat_id ${big} NOT NULL,
     waiting_since ${ts},
     last_message_id ${big} NOT NULL,
     last_sender TEXT NOT NULL,
     last_text TEXT,
     last_at ${ts} NOT NULL,
     PRIMARY KEY (business_id, chat_id))`,
  `CREATE TABLE inbox_assignments (
     business_id ${big} NOT NULL,
     chat_id ${big} NOT NULL,
     login TEXT NOT NULL,
     assigned_at ${ts} NOT NULL,
     PRIMARY KEY (business_id, chat_id))`,
  'CREATE INDEX inbox_assignments_by_login ON inbox_assignments (business_id, login)',
  `CREATE TABLE inbox_audit (
     audit_id ${serial},
     at ${ts} NOT NULL,
     login TEXT NOT NULL,
     action TEXT NOT NULL,
     business_id ${big},
     chat_id ${big},
     detail TEXT)`,
  'CREATE INDEX inbox_audit_by_chat ON inbox_audit (business_id, chat_id, audit_id)',
];

const MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: 'chat state, assignments, audit, message search',
    statements: {
      sqlite: [
        ...COMMON('INTEGER', 'TEXT', 'INTEGER PRIMARY KEY AUTOINCREMENT'),
        // Which message each search row is (FTS5 rowids must be one integer; message ids are unique per business).
        `CREATE TABLE inbox_search_rows (
           row_id INTEGER PRIMARY KEY,
           business_id INTEGER NOT NULL,
           chat_id INTEGER NOT NULL,
           message_id INTEGER NOT NULL,
           UNIQUE (business_id, message_id))`,
        // Contentless: the words only; the text is read back from `messages`.
        `CREATE VIRTUAL TABLE inbox_search USING fts5(
           text, content = '', tokenize = 'unicode61 remove_diacritics 2')`,
      ],
      postgres: [
        ...COMMON('BIGINT', 'TIMESTAMPTZ', 'BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY'),
        `CREATE TABLE inbox_search (
           business_id BIGINT NOT NULL,
           chat_id BIGINT NOT NULL,
           message_id BIGINT NOT NULL,
           words TSVECTOR NOT NULL,
           PRIMARY KEY (business_id, message_id))`,
        'CREATE INDEX inbox_search_words ON inbox_search USING GIN (words)',
      ],
    },
  },
];

export const INBOX_SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

export async function migrateInbox(sql: Sql): Promise<number[]> {
  return sql.transaction(async (tx) => {
    await tx.run(
      'CREATE TABLE IF NOT EXISTS inbox_schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)',
    );
    const done = new Set(
      (await tx.all('SELECT version FROM inbox_schema_migrations')).map((r) => Number(r.version)),
    );
    const newest = Math.max(0, ...done);
    if (newest > INBOX_SCHEMA_VERSION) {
      throw new Error(
        `the inbox tables have schema version ${newest}, newer than this @ym-chats/inbox knows (${INBOX_SCHEMA_VERSION}); upgrade the package`,
      );
    }
    const applied: number[] = [];
    for (const migration of MIGRATIONS) {
      if (done.has(migration.version)) continue;
      for (const statement of migration.statements[tx.dialect]) await tx.run(statement);
      await tx.run('INSERT INTO inbox_schema_migrations (version, name, applied_at) VALUES (?, ?, ?)', [
        migration.version,
        migration.name,
        new Date().toISOString(),
      ]);
      applied.push(migration.version);
    }
    return applied;
  });
}
