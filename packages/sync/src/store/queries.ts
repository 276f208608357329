/** The read side for applications (an inbox, an agent, reports): chats by state, a chat's messages in order. */
import type { Sql } from '../db/sql.js';
import {
  type ChatRecord,
  chatFromRow,
  type FileRecord,
  fileFromRow,
  type MessageRecord,
  messageFromRow,
} from './records.js';
import { WAITING_STATUS, waitingSinceSql } from './waiting.js';

export interface WaitingChat extends ChatRecord {
  /** The buyer's first message not yet answered by the seller (or the chat's updatedAt when unknown). */
  waitingSince: string;
}

export async function listChats(
  sql: Sql,
  businessId: bigint,
  filter: { statuses?: string[]; limit?: number } = {},
): Promise<ChatRecord[]> {
  const where = ['business_id = ?'];
  const params: (bigint | string | number)[] = [businessId];
  if (filter.statuses && filter.statuses.length > 0) {
    where.push(`status IN (${filter.statuses.map(() => '?').join(', ')})`);
    params.push(...filter.statuses);
  }
  params.push(filter.limit ?? 1_000_000);
  const rows = await sql.all(
    `SELECT * FROM chats WHERE ${where.join(' AND ')} ORDER BY updated_at DESC, chat_id DESC LIMIT ?`,
    params,
  );
  return rows.map(chatFromRow);
}

export async function getChat(sql: Sql, businessId: bigint, chatId: bigint): Promise<ChatRecord | undefined> {
  const rows = await sql.all('SELECT * FROM chats WHERE business_id = ? AND chat_id = ?', [
    businessId,
    chatId,
  ]);
  return rows[0] === undefined ? undefined : chatFromRow(rows[0]);
}

/** Chats where the buyer waits for the seller, longest wait first (the rule: waiting.ts). */
export async function waitingForSeller(sql: Sql, businessId: bigint): Promise<WaitingChat[]> {
  const rows = await sql.all(
    `SELECT c.*, COALESCE(${waitingSinceSql('c.business_id', 'c.chat_id')}, c.updated_at) AS waiting_since
       FROM chats c
      WHERE c.business_id = ? AND c.status = ?
      ORDER BY waiting_since, c.chat_id`,
    [businessId, WAITING_STATUS],
  );
  return rows.map((r) => ({ ...chatFromRow(r), waitingSince: String(r.waiting_since) }));
}

/** A chat's messages, oldest first, with their files; `afterMessageId` pages forward. */
export async function listMessages(
  sql: Sql,
  businessId: bigint,
  chatId: bigint,
  options: { afterMessageId?: bigint; limit?: number } = {},
): Promise<MessageRecord[]> {
  const rows = await sql.all(
    `SELECT * FROM messages WHERE business_id = ? AND chat_id = ? AND message_id > ?
      ORDER BY message_id LIMIT ?`,
    [businessId, chatId, options.afterMessageId ?? 0n, options.limit ?? 1_000_000],
  );
  if (rows.length === 0) return [];
  const files = await sql.all(
    // Driven by the chat's messages (messages_by_chat), then each one's files by key: a join from the
    // files' side scanned every file of the business above the first id, once per chat read.
    `SELECT f.* FROM message_files f
      WHERE f.business_id = ? AND f.message_id IN (SELECT m.message_id FROM messages m
        WHERE m.business_id = ? AND m.chat_id = ? AND m.message_id > ? AND m.message_id <= ?)
      ORDER BY f.message_id, f.position`,
    [businessId, businessId, chatId, options.afterMessageId ?? 0n, rows[rows.length - 1]!.message_id ?? 0n],
  );
  const byMessage = new Map<string, FileRecord[]>();
  for (const f of files) {
    const list = byMessage.get(String(f.message_id)) ?? [];
    list.push(fileFromRow(f));
    byMessage.set(String(f.message_id), list);
  }
  return rows.map((r) => messageFromRow(r, byMessage.get(String(r.message_id)) ?? []));
}

export interface StoreCounts {
  chats: number;
  messages: number;
  files: number;
  events: number;
  pendingChats: number;
  unprocessedNotifications: number;
}

export async function counts(sql: Sql): Promise<StoreCounts> {
  const one = async (q: string) => Number((await sql.all(q))[0]?.n ?? 0);
  return {
    chats: await one('SELECT COUNT(*) AS n FROM chats'),
    messages: await one('SELECT COUNT(*) AS n FROM messages'),
    files: await one('SELECT COUNT(*) AS n FROM message_files'),
    events: await one('SELECT COUNT(*) AS n FROM events'),
    pendingChats: await one('SELECT COUNT(*) AS n FROM chats WHERE history_pending = 1'),
    unprocessedNotifications: await one(
      'SELECT COUNT(*) AS n FROM inbound_notifications WHERE processed_at IS NULL',
    ),
  };
}

/**
 * Consistency of the mirror beyond what keys enforce: one event per message, every chat's
 * last_message_id equal to its newest stored message, and (SQLite) the file's own integrity check.
 * Returns the problems found; empty means consistent.
 */
export async function integrityProblems(sql: Sql): Promise<string[]> {
  const problems: string[] = [];
  if (sql.dialect === 'sqlite') {
    const rows = await sql.all('PRAGMA integrity_check');
    const verdict = rows.map((r) => String(Object.values(r)[0])).join('; ');
    if (verdict !== 'ok') problems.push(`sqlite integrity_check: ${verdict}`);
  }
  const unpublished = await sql.all(
    // A join, not NOT EXISTS: events has no index by message, and SQLite ran NOT EXISTS as a scan of the
    // whole event log per message (minutes at 80 000 messages); for the join it builds an index once.
    `SELECT COUNT(*) AS n FROM messages m
       LEFT JOIN events e ON e.business_id = m.business_id AND e.message_id = m.message_id
      WHERE e.position IS NULL`,
  );
  if (Number(unpublished[0]?.n) > 0) problems.push(`${unpublished[0]?.n} messages without an event`);
  const doubled = await sql.all(
    'SELECT COUNT(*) AS n FROM (SELECT business_id, message_id FROM events GROUP BY business_id, message_id HAVING COUNT(*) > 1) d',
  );
  if (Number(doubled[0]?.n) > 0) problems.push(`${doubled[0]?.n} messages published more than once`);
  const stale = await sql.all(
    `SELECT COUNT(*) AS n FROM chats c WHERE c.history_pending = 0 AND c.last_message_id IS DISTINCT FROM
       (SELECT MAX(m.message_id) FROM messages m WHERE m.business_id = c.business_id AND m.chat_id = c.chat_id)`,
  );
  if (Number(stale[0]?.n) > 0)
    problems.push(`${stale[0]?.n} chats whose last_message_id is not their newest message`);
  return problems;
}
