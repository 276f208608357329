/**
 * The queue's order kept beside the chats (read model version 11), so every queue view is an index range
 * scan instead of a sort of the business's chats (issue 22, item 11). `chat_queue` holds one row per chat:
 * its status, whether it waits for the seller, and the time the queue orders it by — how long it has waited
 * (`chat_state.waiting_since`, else its update time) while it waits, its update time otherwise. That time
 * mixes two tables written by different writers (the sync's chat upserts, the indexer's chat state), so
 * triggers on both keep the row in the same write; `chat_state` cannot hold it, as a chat without messages
 * has no state row. Written per engine: SQLite triggers run statements, PostgreSQL's run functions.
 */
import type { Dialect } from '../db/sql.js';
import { WAITING_STATUS } from '../store/waiting.js';
import { DIALECT_TYPES, type DialectTypes } from './dialect.js';
import type { Migration } from './runner.js';

const W = `'${WAITING_STATUS}'`;

const table = ({ big, ts }: DialectTypes) => [
  `CREATE TABLE chat_queue (
     business_id ${big} NOT NULL,
     chat_id ${big} NOT NULL,
     status TEXT NOT NULL,
     waiting INTEGER NOT NULL,
     sort_at ${ts} NOT NULL,
     PRIMARY KEY (business_id, chat_id))`,
  // The default view: waiting chats by longest wait (forwards), the rest by latest activity (backwards).
  'CREATE INDEX chat_queue_order ON chat_queue (business_id, waiting, sort_at, chat_id)',
  // A status filter: one range per status asked for, merged.
  'CREATE INDEX chat_queue_by_status ON chat_queue (business_id, status, sort_at, chat_id)',
];

/** The time chat `c` (an alias of `chats`, or NEW) is ordered by, and whether it waits. */
const sortAt = (c: string) =>
  `CASE WHEN ${c}.status = ${W} THEN COALESCE((SELECT s.waiting_since FROM chat_state s
     WHERE s.business_id = ${c}.business_id AND s.chat_id = ${c}.chat_id), ${c}.updated_at)
   ELSE ${c}.updated_at END`;
const waiting = (c: string) => `CASE WHEN ${c}.status = ${W} THEN 1 ELSE 0 END`;

const BACKFILL = `INSERT INTO chat_queue (business_id, chat_id, status, waiting, sort_at)
  SELECT c.business_id, c.chat_id, c.status, ${waiting('c')}, ${sortAt('c')} FROM chats c`;

/** A state's new wait moves its chat's place, if the chat waits. */
const stateMoved = (key: string, since: string) => `UPDATE chat_queue SET sort_at = COALESCE(${since},
     (SELECT c.updated_at FROM chats c WHERE c.business_id = ${key}.business_id AND c.chat_id = ${key}.chat_id))
   WHERE business_id = ${key}.business_id AND chat_id = ${key}.chat_id AND waiting = 1`;

/**
 * SQLite: the chat's row rewritten. Not INSERT OR REPLACE: a trigger's conflict clause gives way to the
 * outer statement's, and the sync writes chats with an upsert, under which REPLACE would fail.
 */
const SQLITE_PUT = `DELETE FROM chat_queue WHERE business_id = NEW.business_id AND chat_id = NEW.chat_id;
       INSERT INTO chat_queue (business_id, chat_id, status, waiting, sort_at)
       VALUES (NEW.business_id, NEW.chat_id, NEW.status, ${waiting('NEW')}, ${sortAt('NEW')})`;

const QUEUE: Record<Dialect, readonly string[]> = {
  sqlite: [
    ...table(DIALECT_TYPES.sqlite),
    `CREATE TRIGGER chat_queue_chat_added AFTER INSERT ON chats BEGIN
       ${SQLITE_PUT};
     END`,
    `CREATE TRIGGER chat_queue_chat_changed AFTER UPDATE OF status, updated_at ON chats
       WHEN OLD.status IS NOT NEW.status OR OLD.updated_at IS NOT NEW.updated_at
     BEGIN
       ${SQLITE_PUT};
     END`,
    `CREATE TRIGGER chat_queue_chat_removed AFTER DELETE ON chats BEGIN
       DELETE FROM chat_queue WHERE business_id = OLD.business_id AND chat_id = OLD.chat_id;
     END`,
    `CREATE TRIGGER chat_queue_state_added AFTER INSERT ON chat_state BEGIN
       ${stateMoved('NEW', 'NEW.waiting_since')};
     END`,
    `CREATE TRIGGER chat_queue_state_changed AFTER UPDATE OF waiting_since ON chat_state
       WHEN OLD.waiting_since IS NOT NEW.waiting_since
     BEGIN
       ${stateMoved('NEW', 'NEW.waiting_since')};
     END`,
    `CREATE TRIGGER chat_queue_state_removed AFTER DELETE ON chat_state BEGIN
       ${stateMoved('OLD', 'NULL')};
     END`,
    BACKFILL,
  ],
  postgres: [
    ...table(DIALECT_TYPES.postgres),
    `CREATE FUNCTION chat_queue_chat() RETURNS trigger LANGUAGE plpgsql AS $$
     BEGIN
       IF TG_OP = 'DELETE' THEN
         DELETE FROM chat_queue WHERE business_id = OLD.business_id AND chat_id = OLD.chat_id;
       ELSE
         INSERT INTO chat_queue (business_id, chat_id, status, waiting, sort_at)
         VALUES (NEW.business_id, NEW.chat_id, NEW.status, ${waiting('NEW')}, ${sortAt('NEW')})
         ON CONFLICT (business_id, chat_id) DO UPDATE SET
           status = excluded.status, waiting = excluded.waiting, sort_at = excluded.sort_at;
       END IF;
       RETURN NULL;
     END $$`,
    `CREATE TRIGGER chat_queue_chat_added AFTER INSERT OR DELETE ON chats
       FOR EACH ROW EXECUTE FUNCTION chat_queue_chat()`,
    `CREATE TRIGGER chat_queue_chat_changed AFTER UPDATE OF status, updated_at ON chats FOR EACH ROW
       WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.updated_at IS DISTINCT FROM NEW.updated_at)
       EXECUTE FUNCTION chat_queue_chat()`,
    `CREATE FUNCTION chat_queue_state() RETURNS trigger LANGUAGE plpgsql AS $$
     BEGIN
       IF TG_OP = 'DELETE' THEN
         ${stateMoved('OLD', 'NULL')};
       ELSE
         ${stateMoved('NEW', 'NEW.waiting_since')};
       END IF;
       RETURN NULL;
     END $$`,
    `CREATE TRIGGER chat_queue_state_added AFTER INSERT OR DELETE ON chat_state
       FOR EACH ROW EXECUTE FUNCTION chat_queue_state()`,
    `CREATE TRIGGER chat_queue_state_changed AFTER UPDATE OF waiting_since ON chat_state FOR EACH ROW
       WHEN (OLD.waiting_since IS DISTINCT FROM NEW.waiting_since)
       EXECUTE FUNCTION chat_queue_state()`,
    BACKFILL,
    'ANALYZE chat_queue',
  ],
};

/** Triggers and the backfill in one migration (one transaction): no write falls between them. */
export const QUEUE_MIGRATIONS: readonly Migration[] = [
  {
    version: 11,
    name: 'the queue order beside the chats (chat_queue), kept by triggers',
    statements: (_types, dialect) => QUEUE[dialect],
  },
];
