/**
 * Writes of the mirror proper. Each page the engine reads becomes one transaction together with the
 * position it leads to, so a process killed at any instant resumes at the page it was reading.
 */
import type { Chat, ChatMessage } from '@ym-chats/sdk';
import type { Sql, SqlValue } from '../db/sql.js';
import { needsHistory, type StoredChatState } from '../engine/changes.js';
import { isoUtc } from '../time.js';
import { CHAT_COLUMNS, chatValues, messageValues, toId } from './records.js';

const placeholders = (columns: number, rows: number) =>
  Array.from({ length: rows }, () => `(${Array.from({ length: columns }, () => '?').join(', ')})`).join(', ');

export interface ChatPageWrite {
  businessId: bigint;
  /** The pass this page belongs to; null for a chat read outside a pass (a push), which moves no cursor. */
  runId: bigint | null;
  chats: Chat[];
  /** The token of the next chats page, or null when this was the last one. */
  nextPageToken: string | null;
  settleMs: number;
}

export interface HistoryPageWrite {
  businessId: bigint;
  chatId: bigint;
  runId: bigint | null;
  messages: ChatMessage[];
  /** Set on the chat's last page: the local time the page was requested, which settles the chat. */
  completedAt: string | null;
  now: string;
}

export interface PendingChat {
  chatId: bigint;
  lastMessageId: bigint | null;
}

export async function storedStates(
  tx: Sql,
  businessId: bigint,
  chatIds: bigint[],
): Promise<Map<bigint, StoredChatState>> {
  const states = new Map<bigint, StoredChatState>();
  if (chatIds.length === 0) return states;
  const rows = await tx.all(
    `SELECT chat_id, updated_at, status, synced_at, history_pending FROM chats
      WHERE business_id = ? AND chat_id IN (${chatIds.map(() => '?').join(', ')})`,
    [businessId, ...chatIds],
  );
  for (const row of rows) {
    states.set(BigInt(row.chat_id as bigint), {
      updatedAt: String(row.updated_at),
      status: String(row.status),
      syncedAt: row.synced_at === null ? null : String(row.synced_at),
      pending: Number(row.history_pending) === 1,
    });
  }
  return states;
}

/**
 * Upserts a page of listed chats (a row only moves forward in time), marks those whose history must be
 * read, and saves the listing cursor — one transaction. Returns the chats marked.
 */
export async function writeChatPage(sql: Sql, page: ChatPageWrite): Promise<bigint[]> {
  return sql.transaction(async (tx) => {
    const ids = page.chats.map((c) => toId(c.chatId));
    const states = await storedStates(tx, page.businessId, ids);
    const marked: bigint[] = [];
    const values: SqlValue[] = [];
    for (const chat of page.chats) {
      const id = toId(chat.chatId);
      const pending = needsHistory(isoUtc(chat.updatedAt), states.get(id), page.settleMs);
      if (pending) marked.push(id);
      values.push(...chatValues(page.businessId, chat), pending ? 1 : 0);
    }
    if (page.chats.length > 0) {
      const columns = [...CHAT_COLUMNS, 'history_pending'];
      const updates = CHAT_COLUMNS.filter((c) => c !== 'business_id' && c !== 'chat_id')
        .map((c) => `${c} = excluded.${c}`)
        .join(', ');
      await tx.run(
        `INSERT INTO chats (${columns.join(', ')}) VALUES ${placeholders(columns.length, page.chats.length)}
         ON CONFLICT (business_id, chat_id) DO UPDATE SET ${updates}
         WHERE excluded.updated_at >= chats.updated_at`,
        values,
      );
    }
    if (marked.length > 0) {
      await tx.run(
        `UPDATE chats SET history_pending = 1 WHERE business_id = ? AND chat_id IN (${marked.map(() => '?').join(', ')})`,
        [page.businessId, ...marked],
      );
    }
    if (page.runId !== null) {
      const done = page.nextPageToken === null ? 1 : 0;
      await tx.run(
        'UPDATE sync_cursors SET chats_page_token = ?, listing_done = ?, updated_at = ? WHERE business_id = ?',
        [page.nextPageToken, done, new Date().toISOString(), page.businessId],
      );
      await tx.run(
        'UPDATE sync_runs SET chat_pages = chat_pages + 1, chats_seen = chats_seen + ?, chats_changed = chats_changed + ? WHERE run_id = ?',
        [page.chats.length, marked.length, page.runId],
      );
    }
    return marked;
  });
}

/**
 * Stores a page of history: new messages (a message already stored is left alone), their files, one event
 * per new message, the chat's last message id and, on its last page, that the chat is in sync.
 * Returns the ids of the messages that were new.
 */
export async function writeHistoryPage(sql: Sql, page: HistoryPageWrite): Promise<bigint[]> {
  return sql.transaction(async (tx) => {
    const { businessId, chatId } = page;
    const sorted = [...page.messages].sort((a, b) => (toId(a.messageId) < toId(b.messageId) ? -1 : 1));
    let added: bigint[] = [];
    if (sorted.length > 0) {
      const rows = await tx.all<{ message_id: bigint }>(
        `INSERT INTO messages (business_id, chat_id, message_id, sender, text, created_at)
         VALUES ${placeholders(6, sorted.length)}
         ON CONFLICT (business_id, message_id) DO NOTHING RETURNING message_id`,
        sorted.flatMap((m) => messageValues(businessId, chatId, m)),
      );
      added = rows.map((r) => BigInt(r.message_id)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    }
    if (added.length > 0) {
      const isNew = new Set(added);
      const files: SqlValue[] = [];
      let fileRows = 0;
      for (const m of sorted) {
        if (!isNew.has(toId(m.messageId))) continue;
        for (const [position, f] of (m.payload ?? []).entries()) {
          files.push(businessId, toId(m.messageId), position, f.name, f.url, f.size);
          fileRows += 1;
        }
      }
      if (fileRows > 0) {
        await tx.run(
          `INSERT INTO message_files (business_id, message_id, position, name, url, size)
           VALUES ${placeholders(6, fileRows)} ON CONFLICT DO NOTHING`,
          files,
        );
      }
      await tx.run(
        `INSERT INTO events (business_id, chat_id, message_id, kind, recorded_at) VALUES ${placeholders(5, added.length)}`,
        added.flatMap((id) => [businessId, chatId, id, 'message', page.now]),
      );
    }
    const last = sorted[sorted.length - 1];
    if (last !== undefined) {
      // A chat first heard of through a push has no row yet; the next listing fills in the rest.
      await tx.run(
        `UPDATE chats SET
           last_message_id = CASE WHEN last_message_id IS NULL OR last_message_id < ? THEN ? ELSE last_message_id END,
           updated_at = CASE WHEN updated_at < ? THEN ? ELSE updated_at END
         WHERE business_id = ? AND chat_id = ?`,
        [
          toId(last.messageId),
          toId(last.messageId),
          isoUtc(last.createdAt),
          isoUtc(last.createdAt),
          businessId,
          chatId,
        ],
      );
    }
    if (page.completedAt !== null) {
      await tx.run(
        'UPDATE chats SET history_pending = 0, synced_at = ? WHERE business_id = ? AND chat_id = ?',
        [page.completedAt, businessId, chatId],
      );
    }
    if (page.runId !== null) {
      await tx.run(
        'UPDATE sync_runs SET history_pages = history_pages + 1, messages_added = messages_added + ? WHERE run_id = ?',
        [added.length, page.runId],
      );
    }
    return added;
  });
}

/** Chats whose history read is still owed (listed as changed, not yet read to the end). */
export async function pendingChats(sql: Sql, businessId: bigint): Promise<PendingChat[]> {
  const rows = await sql.all(
    'SELECT chat_id, last_message_id FROM chats WHERE business_id = ? AND history_pending = 1 ORDER BY chat_id DESC',
    [businessId],
  );
  return rows.map((r) => ({
    chatId: BigInt(r.chat_id as bigint),
    lastMessageId: r.last_message_id === null ? null : BigInt(r.last_message_id as bigint),
  }));
}

export async function lastMessageId(sql: Sql, businessId: bigint, chatId: bigint): Promise<bigint | null> {
  const rows = await sql.all(
    'SELECT MAX(message_id) AS m FROM messages WHERE business_id = ? AND chat_id = ?',
    [businessId, chatId],
  );
  const m = rows[0]?.m ?? null;
  return m === null ? null : BigInt(m);
}

/** Whether every one of these messages is already stored. */
export async function hasMessages(sql: Sql, businessId: bigint, messageIds: bigint[]): Promise<boolean> {
  const unique = [...new Set(messageIds)];
  for (let i = 0; i < unique.length; i += 500) {
    const chunk = unique.slice(i, i + 500);
    const rows = await sql.all(
      `SELECT COUNT(*) AS n FROM messages WHERE business_id = ? AND message_id IN (${chunk.map(() => '?').join(', ')})`,
      [businessId, ...chunk],
    );
    if (Number(rows[0]?.n ?? 0) < chunk.length) return false;
  }
  return true;
}
