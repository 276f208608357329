/**
 * The inbox's own tables, in the same database as the sync store's and versioned separately
 * (`inbox_schema_migrations`), so neither package's upgrades touch the other's. The store's tables are
 * read through `@ym-chats/sync`'s API only; what versions 1 and 2 derived from them (chat state, search
 * index, triggers on `chats` and `events`) is the store's own since its version 3 and 4, and version 12
 * drops the inbox's copies.
 */
import {
  DIALECT_TYPES,
  type Dialect,
  type DialectTypes,
  latestVersion,
  type Migration,
  type MigrationSet,
  runMigrations,
  type Sql,
} from '@ym-chats/sync';

/**
 * Written per engine (the FTS5 and tsvector tables, the triggers, differ beyond type names); the type names
 * themselves come from sync's dialect map.
 */
function perEngine(m: {
  version: number;
  name: string;
  statements: Record<Dialect, readonly string[]>;
}): Migration {
  return { version: m.version, name: m.name, statements: (_types, dialect) => m.statements[dialect] };
}

const COMMON = ({ big, ts, serial }: DialectTypes) => [
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

/**
 * One row per reply the page made (its draft id), written before anything reaches the API: `checking`
 * (the chat's history is being read; nothing sent), `pending` (the request may be at the platform), then
 * `sent`, `maybe` or `failed`. At most one row per chat is `checking` or `pending`: that unique index is
 * the per-chat lock every process on the database takes before sending. Times in epoch milliseconds.
 */
const SENDS = (big: string) => [
  `CREATE TABLE inbox_sends (
     draft_id TEXT PRIMARY KEY,
     business_id ${big} NOT NULL,
     chat_id ${big} NOT NULL,
     login TEXT NOT NULL,
     page TEXT NOT NULL,
     kind TEXT NOT NULL,
     content TEXT NOT NULL,
     content_sha256 TEXT NOT NULL,
     file_size ${big},
     mark ${big},
     state TEXT NOT NULL,
     owner TEXT,
     heartbeat_ms ${big} NOT NULL,
     created_ms ${big} NOT NULL,
     settled_ms ${big},
     error_code TEXT,
     error_message TEXT,
     message_id ${big})`,
  `CREATE UNIQUE INDEX inbox_sends_one_per_chat ON inbox_sends (business_id, chat_id)
     WHERE state IN ('checking', 'pending')`,
  'CREATE INDEX inbox_sends_by_chat ON inbox_sends (business_id, chat_id, created_ms)',
];

/**
 * The secret the server signs the login form's CSRF tokens and device tokens with (auth/signing.ts), one
 * per database so every process accepts the others' tokens; one-time login links (`ym-chats agents link`),
 * kept as SHA-256 hashes of their tokens. Anonymous sessions are no longer made (the login form's token
 * is signed, not stored): those left go. Times in epoch milliseconds.
 */
const LINKS = (big: string) => [
  'CREATE TABLE inbox_secrets (name TEXT PRIMARY KEY, value TEXT NOT NULL)',
  `CREATE TABLE inbox_login_links (
     token_hash TEXT PRIMARY KEY,
     login TEXT NOT NULL,
     created_ms ${big} NOT NULL,
     expires_ms ${big} NOT NULL,
     used_ms ${big})`,
  'CREATE INDEX inbox_login_links_by_expiry ON inbox_login_links (expires_ms)',
  "DELETE FROM inbox_sessions WHERE kind = 'anonymous'",
];

/**
 * Replies an assistant drafted (`ym-chats mcp` with a client that cannot ask the person) that wait for a
 * person: `waiting`, then `approved` (its send is then the ledger's row under the same draft id) or
 * `discarded`. `seen_message_id`: the chat's newest message the assistant could read when drafting, the
 * mark the approval's "replied meanwhile" check starts from. Times in epoch milliseconds.
 */
const ASSISTANT_DRAFTS = (big: string) => [
  `CREATE TABLE inbox_assistant_drafts (
     draft_id TEXT PRIMARY KEY,
     business_id ${big} NOT NULL,
     chat_id ${big} NOT NULL,
     text TEXT NOT NULL,
     seen_message_id ${big} NOT NULL,
     state TEXT NOT NULL,
     created_ms ${big} NOT NULL,
     decided_by TEXT,
     decided_ms ${big})`,
  'CREATE INDEX inbox_assistant_drafts_by_state ON inbox_assistant_drafts (business_id, state, created_ms)',
];

/**
 * The inbox's agents (`ym-chats agents add`), shared by every `serve` on the database: a password only as
 * `hashPassword`'s scrypt hash, the businesses as a comma-separated list. Sessions are looked up by login
 * when an agent's password changes or the agent goes (all its sessions end at once). Times in epoch ms.
 */
const AGENTS = (big: string) => [
  `CREATE TABLE inbox_agents (
     login TEXT PRIMARY KEY,
     name TEXT,
     password_hash TEXT NOT NULL,
     business_ids TEXT NOT NULL,
     created_ms ${big} NOT NULL,
     changed_ms ${big} NOT NULL)`,
  'CREATE INDEX inbox_sessions_by_login ON inbox_sessions (login)',
];

/**
 * Quick replies per business, edited in the page. A business's first read seeds the built-ins
 * (team/templates.ts) once and notes it in `inbox_template_seeds`, so templates the team deleted stay
 * deleted. Names are unique per business: `/name` in the reply box picks by name. Times in epoch ms.
 */
const TEMPLATES = ({ big, serial }: DialectTypes) => [
  `CREATE TABLE inbox_templates (
     template_id ${serial},
     business_id ${big} NOT NULL,
     name TEXT NOT NULL,
     text TEXT NOT NULL,
     changed_by TEXT,
     changed_ms ${big} NOT NULL)`,
  'CREATE UNIQUE INDEX inbox_templates_by_name ON inbox_templates (business_id, name)',
  `CREATE TABLE inbox_template_seeds (business_id ${big} PRIMARY KEY, seeded_ms ${big} NOT NULL)`,
];

/**
 * Files a template carries (inserted with it into a reply's file preview), oldest first. The bytes are in
 * the row, base64 text: the store's SQL layer moves text and numbers only, a template holds at most a few
 * files of at most 5 MB, and every `serve` on the database reads them with the template. Deleting a
 * template deletes its files in the same transaction (store/sql-templates.ts).
 */
const TEMPLATE_FILES = ({ big, serial }: DialectTypes) => [
  `CREATE TABLE inbox_template_files (
     file_id ${serial},
     business_id ${big} NOT NULL,
     template_id ${big} NOT NULL,
     name TEXT NOT NULL,
     type TEXT NOT NULL,
     size ${big} NOT NULL,
     content TEXT NOT NULL)`,
  'CREATE INDEX inbox_template_files_by_template ON inbox_template_files (business_id, template_id, file_id)',
];

const MIGRATIONS: Migration[] = [
  perEngine({
    version: 1,
    name: 'chat state, assignments, audit, message search',
    statements: {
      sqlite: [
        ...COMMON(DIALECT_TYPES.sqlite),
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
        ...COMMON(DIALECT_TYPES.postgres),
        `CREATE TABLE inbox_search (
           business_id BIGINT NOT NULL,
           chat_id BIGINT NOT NULL,
           message_id BIGINT NOT NULL,
           words TSVECTOR NOT NULL,
           PRIMARY KEY (business_id, message_id))`,
        'CREATE INDEX inbox_search_words ON inbox_search USING GIN (words)',
      ],
    },
  }),
  perEngine({
    version: 2,
    name: 'live changes across processes',
    statements: {
      // The store's event log records messages only: a status or type change is announced by a trigger on
      // `chats` (only when one of them really changed; an upsert rewrites both). SQLite has no channel, so
      // the trigger writes a row every process reads (see table-relay.ts); so do the processes themselves.
      sqlite: [
        `CREATE TABLE inbox_live (
           id INTEGER PRIMARY KEY AUTOINCREMENT,
           payload TEXT NOT NULL,
           at TEXT NOT NULL)`,
        `CREATE TRIGGER inbox_chat_changed AFTER UPDATE OF status, type ON chats
           WHEN OLD.status IS NOT NEW.status OR OLD.type IS NOT NEW.type
         BEGIN
           INSERT INTO inbox_live (payload, at) VALUES (
             json_object('kind', 'chat', 'businessId', NEW.business_id, 'chatId', NEW.chat_id),
             strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
         END`,
      ],
      // PostgreSQL: NOTIFY on the schema's channel (delivered at commit), also when the event log grows,
      // so indexers wake at once instead of at their next poll. One notice per statement on `events`.
      postgres: [
        `CREATE FUNCTION inbox_notify_chat() RETURNS trigger LANGUAGE plpgsql AS $$
         BEGIN
           PERFORM pg_notify('ym_inbox_' || md5(TG_TABLE_SCHEMA),
             json_build_object('kind', 'chat', 'businessId', NEW.business_id, 'chatId', NEW.chat_id)::text);
           RETURN NULL;
         END $$`,
        `CREATE TRIGGER inbox_chat_changed AFTER UPDATE OF status, type ON chats FOR EACH ROW
           WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.type IS DISTINCT FROM NEW.type)
           EXECUTE FUNCTION inbox_notify_chat()`,
        `CREATE FUNCTION inbox_notify_log() RETURNS trigger LANGUAGE plpgsql AS $$
         BEGIN
           PERFORM pg_notify('ym_inbox_' || md5(TG_TABLE_SCHEMA), '{"kind":"log"}');
           RETURN NULL;
         END $$`,
        `CREATE TRIGGER inbox_log_grew AFTER INSERT ON events FOR EACH STATEMENT
           EXECUTE FUNCTION inbox_notify_log()`,
      ],
    },
  }),
  {
    version: 3,
    name: 'sessions',
    // Ids hashed (a copy of the table opens no session); times in epoch milliseconds on both engines.
    statements: ({ big }) => [
      `CREATE TABLE inbox_sessions (
           id_hash TEXT PRIMARY KEY,
           csrf TEXT NOT NULL,
           login TEXT,
           kind TEXT NOT NULL,
           created_ms ${big} NOT NULL,
           seen_ms ${big} NOT NULL)`,
      'CREATE INDEX inbox_sessions_by_kind ON inbox_sessions (kind, created_ms)',
      'CREATE INDEX inbox_sessions_by_seen ON inbox_sessions (seen_ms)',
    ],
  },
  perEngine({
    version: 4,
    name: 'the table relay on PostgreSQL too',
    statements: {
      sqlite: [],
      // When no listening connection can be made, PostgreSQL processes share changes through the table.
      postgres: [
        `CREATE TABLE inbox_live (
           id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
           payload TEXT NOT NULL,
           at TEXT NOT NULL)`,
      ],
    },
  }),
  {
    version: 5,
    name: 'login failures shared by every process',
    statements: ({ big }) => [
      `CREATE TABLE inbox_login_failures (key TEXT NOT NULL, at_ms ${big} NOT NULL)`,
      'CREATE INDEX inbox_login_failures_by_key ON inbox_login_failures (key, at_ms)',
      'CREATE INDEX inbox_login_failures_by_time ON inbox_login_failures (at_ms)',
      `CREATE TABLE inbox_login_known (address TEXT PRIMARY KEY, at_ms ${big} NOT NULL)`,
    ],
  },
  {
    version: 6,
    name: 'login attempts counted before the password check',
    // Each attempt's rows carry its id, so a refused or right attempt takes back exactly its own.
    statements: () => [
      'ALTER TABLE inbox_login_failures ADD COLUMN attempt TEXT',
      'CREATE INDEX inbox_login_failures_by_attempt ON inbox_login_failures (attempt)',
    ],
  },
  { version: 7, name: 'send ledger', statements: ({ big }) => SENDS(big) },
  {
    version: 8,
    name: 'signing secret and login links; no anonymous sessions',
    statements: ({ big }) => LINKS(big),
  },
  {
    version: 9,
    name: 'assistant drafts waiting for a person',
    statements: ({ big }) => ASSISTANT_DRAFTS(big),
  },
  { version: 10, name: 'agents in the store', statements: ({ big }) => AGENTS(big) },
  { version: 11, name: 'templates edited in the page', statements: (types) => TEMPLATES(types) },
  perEngine({
    version: 12,
    name: 'chat state, search index and triggers handed to the store',
    statements: {
      sqlite: [
        'DROP TRIGGER IF EXISTS inbox_chat_changed',
        'DROP TABLE IF EXISTS inbox_search',
        'DROP TABLE IF EXISTS inbox_search_rows',
        'DROP TABLE IF EXISTS inbox_chat_state',
      ],
      // CASCADE takes the functions' triggers along.
      postgres: [
        'DROP FUNCTION IF EXISTS inbox_notify_chat() CASCADE',
        'DROP FUNCTION IF EXISTS inbox_notify_log() CASCADE',
        'DROP TABLE IF EXISTS inbox_search',
        'DROP TABLE IF EXISTS inbox_chat_state',
      ],
    },
  }),
  { version: 13, name: 'files carried by templates', statements: (types) => TEMPLATE_FILES(types) },
];

export const INBOX_MIGRATIONS: MigrationSet = {
  owner: '@ym-chats/inbox',
  table: 'inbox_schema_migrations',
  migrations: MIGRATIONS,
};

export const INBOX_SCHEMA_VERSION = latestVersion(INBOX_MIGRATIONS);

/** Applies the inbox's migrations the database has not seen yet (sync's runner); resolves with their versions. */
export function migrateInbox(sql: Sql): Promise<number[]> {
  return runMigrations(sql, INBOX_MIGRATIONS);
}
