/**
 * The store: a SQLite file or a PostgreSQL schema with the documented tables (see README), migrated on
 * open. One object for the engine's writes and the application's reads; every method is one statement or
 * one transaction.
 */
import { PostgresSql } from '../db/postgres.js';
import type { Dialect, Sql } from '../db/sql.js';
import { SqliteSql } from '../db/sqlite.js';
import { StoreReads } from '../reads/reads.js';
import { migrate } from '../schema/migrations.js';
import { eventsAfter, lastPosition, type MessageEvent, savedPosition, savePosition } from './events.js';
import { enqueue, type InboundNotification, markProcessed, pruneProcessed, unprocessed } from './inbound.js';
import {
  type ChatPageWrite,
  type HistoryPageWrite,
  hasMessages,
  historyStart,
  lastMessageId,
  type PendingChat,
  pendingChats,
  writeChatPage,
  writeChatPageOwing,
  writeHistoryPage,
  writeHistoryPages,
} from './mirror.js';
import {
  counts,
  getChat,
  integrityProblems,
  listChats,
  listMessages,
  type StoreCounts,
  waitingForSeller,
} from './queries.js';
import type { ChatRecord, MessageRecord } from './records.js';
import {
  beginPass,
  businessesPassed,
  failPass,
  finishPass,
  listRuns,
  type RunTrigger,
  restartListing,
} from './runs.js';

export const DEFAULT_SQLITE_PATH = '.ym-chats/store.sqlite';

export interface OpenStoreOptions {
  /** PostgreSQL only: the schema holding the tables (created if missing). Default `public`. */
  schema?: string;
  /**
   * SQLite only: told once when an existing store file is open to other users of the machine (a new one
   * is created private). Default `process.emitWarning`.
   */
  onWarning?: (message: string) => void;
}

export function isPostgresUrl(target: string): boolean {
  return /^postgres(ql)?:\/\//i.test(target);
}

/**
 * The database at `target` without the store's migrations: for tools that must see it as it is (an
 * upgrade test building a store of an older version). Applications open the store with `openStore`.
 */
export async function openDatabase(target: string, options: OpenStoreOptions = {}): Promise<Sql> {
  if (!isPostgresUrl(target)) return SqliteSql.open(target, options.onWarning);
  const pgSql = PostgresSql.open(target, options.schema ?? 'public');
  try {
    if (options.schema !== undefined && options.schema !== 'public') {
      await pgSql.run(`CREATE SCHEMA IF NOT EXISTS ${options.schema}`);
    }
  } catch (error) {
    await pgSql.close();
    throw error;
  }
  return pgSql;
}

/** Opens (and migrates) the store at `target`: a SQLite file path, `:memory:`, or a `postgres://` URL. */
export async function openStore(
  target: string = DEFAULT_SQLITE_PATH,
  options: OpenStoreOptions = {},
): Promise<SyncStore> {
  const sql = await openDatabase(target, options);
  try {
    await migrate(sql);
  } catch (error) {
    await sql.close();
    throw error;
  }
  return new SyncStore(sql);
}

export class SyncStore {
  /** Only this package queries the store's tables (a test holds every other package to it). */
  readonly #sql: Sql;
  /** The read model: queue, chats, history, search and the change feed (reads/reads.ts). */
  readonly reads: StoreReads;

  constructor(sql: Sql) {
    this.#sql = sql;
    this.reads = new StoreReads(sql);
  }

  get dialect(): Dialect {
    return this.#sql.dialect;
  }

  /**
   * The store's database, for a component's OWN tables beside the store's (the inbox's, the workers'),
   * migrated with `runMigrations` under its own version table. The store's tables (see the README) are
   * read through this class and `reads` only: `packages/sync/test/ownership.test.ts` fails when another
   * package names one of them in SQL.
   */
  database(): Sql {
    return this.#sql;
  }

  // The engine's writes

  writeChatPage(page: ChatPageWrite): Promise<bigint[]> {
    return writeChatPage(this.#sql, page);
  }

  /** `writeChatPage`, returning each marked chat with where its read starts. */
  writeChatPageOwing(page: ChatPageWrite): Promise<PendingChat[]> {
    return writeChatPageOwing(this.#sql, page);
  }

  writeHistoryPage(page: HistoryPageWrite): Promise<bigint[]> {
    return writeHistoryPage(this.#sql, page);
  }

  writeHistoryPages(pages: HistoryPageWrite[]): Promise<bigint[][]> {
    if (this.#sql instanceof SqliteSql) this.#sql.checkpointInBackground();
    return writeHistoryPages(this.#sql, pages);
  }

  pendingChats(businessId: bigint) {
    return pendingChats(this.#sql, businessId);
  }

  hasMessages(businessId: bigint, messageIds: bigint[]): Promise<boolean> {
    return hasMessages(this.#sql, businessId, messageIds);
  }

  historyStart(businessId: bigint, chatId: bigint) {
    return historyStart(this.#sql, businessId, chatId);
  }

  lastMessageId(businessId: bigint, chatId: bigint): Promise<bigint | null> {
    return lastMessageId(this.#sql, businessId, chatId);
  }

  beginPass(businessId: bigint, trigger: RunTrigger, now: string) {
    return beginPass(this.#sql, businessId, trigger, now);
  }

  restartListing(businessId: bigint): Promise<void> {
    return restartListing(this.#sql, businessId);
  }

  finishPass(businessId: bigint, runId: bigint, now: string): Promise<void> {
    return finishPass(this.#sql, businessId, runId, now);
  }

  failPass(runId: bigint, error: string, now: string): Promise<void> {
    return failPass(this.#sql, runId, error, now);
  }

  runs(businessId: bigint, limit?: number) {
    return listRuns(this.#sql, businessId, limit);
  }

  /** How many businesses have finished at least one pass. */
  businessesPassed(): Promise<number> {
    return businessesPassed(this.#sql);
  }

  // The inbound queue

  enqueue(notification: InboundNotification, now: string): Promise<boolean> {
    return enqueue(this.#sql, notification, now);
  }

  unprocessed(limit?: number) {
    return unprocessed(this.#sql, limit);
  }

  markProcessed(ids: bigint[], now: string): Promise<void> {
    return markProcessed(this.#sql, ids, now);
  }

  /**
   * Deletes the business's processed notifications received before `before` (ISO 8601); see
   * `DEFAULT_INBOUND_RETENTION_DAYS`. Passes call it after finishing (`inboundRetentionDays`).
   */
  pruneNotifications(businessId: bigint, before: string): Promise<number> {
    return pruneProcessed(this.#sql, businessId, before);
  }

  // The event log

  eventsAfter(position: bigint, limit = 500): Promise<MessageEvent[]> {
    return eventsAfter(this.#sql, position, limit);
  }

  savedPosition(subscriber: string): Promise<bigint> {
    return savedPosition(this.#sql, subscriber);
  }

  savePosition(subscriber: string, position: bigint, now = new Date().toISOString()): Promise<void> {
    return savePosition(this.#sql, subscriber, position, now);
  }

  lastPosition(): Promise<bigint> {
    return lastPosition(this.#sql);
  }

  // Reads for applications

  chats(businessId: bigint, filter?: { statuses?: string[]; limit?: number }): Promise<ChatRecord[]> {
    return listChats(this.#sql, businessId, filter);
  }

  chat(businessId: bigint, chatId: bigint): Promise<ChatRecord | undefined> {
    return getChat(this.#sql, businessId, chatId);
  }

  messages(
    businessId: bigint,
    chatId: bigint,
    options?: { afterMessageId?: bigint; limit?: number },
  ): Promise<MessageRecord[]> {
    return listMessages(this.#sql, businessId, chatId, options);
  }

  waitingForSeller(businessId: bigint) {
    return waitingForSeller(this.#sql, businessId);
  }

  counts(): Promise<StoreCounts> {
    return counts(this.#sql);
  }

  integrityProblems(): Promise<string[]> {
    return integrityProblems(this.#sql);
  }

  close(): Promise<void> {
    return this.#sql.close();
  }
}
