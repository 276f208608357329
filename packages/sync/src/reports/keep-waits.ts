/**
 * Keeps the `waits` table (migrations 5 and 6) in step with `messages`, inside the transaction that
 * stored the messages. Messages can arrive out of the chat's order (history pages are read newest first; a
 * push can come before a pass reaches older pages), so a chat's waits are recomputed from the earliest
 * point a new message can change: its earliest new CUSTOMER or PARTNER message, or the start of the wait
 * that spans that point. Waits wholly before it stay as they are; that point is where no wait is open, so
 * the scan restarts there. Cost per chat: the messages from that point on (a live message: the open wait's).
 */
import { type ChatMessage, WAIT_CLOSER, WAIT_OPENER } from '@ym-chats/sdk';
import type { Sql, SqlValue } from '../db/sql.js';
import { toId } from '../store/records.js';
import { isoUtc } from '../time.js';
import { byChatOrder, type Wait, type WaitMessage, waitsOf } from './waits-of.js';

/** A point in a chat's order. */
interface Key {
  at: string;
  id: bigint;
}

/** What a stored history page holds, as far as waits go (the write's `HistoryPageWrite`). */
export interface StoredPage {
  businessId: bigint;
  chatId: bigint;
  messages: readonly ChatMessage[];
}

const before = (a: Key, b: Key) => a.at < b.at || (a.at === b.at && a.id < b.id);

export const WAIT_COLUMNS: [string, string][] = [
  ['business_id', 'bigint'],
  ['chat_id', 'bigint'],
  ['open_message_id', 'bigint'],
  ['opened_at', 'timestamptz'],
  ['close_message_id', 'bigint'],
  ['closed_at', 'timestamptz'],
  ['first_wait', 'integer'],
];

export function waitValues(w: Wait): SqlValue[] {
  return [w.businessId, w.chatId, w.openMessageId, w.openedAt, w.closeMessageId, w.closedAt, w.first ? 1 : 0];
}

/** The earliest wait that ends after `key` or has not ended: the one a new message at `key` can change. */
const SPANNING = `SELECT opened_at, open_message_id FROM waits
 WHERE business_id = ? AND chat_id = ?
   AND (closed_at IS NULL OR closed_at > ? OR (closed_at = ? AND close_message_id > ?))
 ORDER BY opened_at, open_message_id LIMIT 1`;

const EARLIER = `SELECT COUNT(*) AS n FROM (SELECT 1 FROM waits
 WHERE business_id = ? AND chat_id = ? AND (opened_at < ? OR (opened_at = ? AND open_message_id < ?)) LIMIT 1) e`;

const FROM_KEY = `SELECT message_id, sender, created_at FROM messages
 WHERE business_id = ? AND chat_id = ? AND sender IN ('${WAIT_OPENER}', '${WAIT_CLOSER}')
   AND (created_at > ? OR (created_at = ? AND message_id >= ?))
 ORDER BY created_at, message_id`;

const DROP_FROM = `DELETE FROM waits
 WHERE business_id = ? AND chat_id = ? AND (opened_at > ? OR (opened_at = ? AND open_message_id >= ?))`;

/**
 * After a group of history pages was stored in `tx`: the waits of every chat that gained a CUSTOMER or
 * PARTNER message. `added[i]`: the ids page i stored (the write's result). Resolves with `added`.
 */
export async function keepWaits(
  tx: Sql,
  pages: readonly StoredPage[],
  added: bigint[][],
): Promise<bigint[][]> {
  const earliest = new Map<string, { businessId: bigint; chatId: bigint; key: Key }>();
  pages.forEach((page, i) => {
    const fresh = new Set(added[i]);
    if (fresh.size === 0) return;
    for (const m of page.messages) {
      if (m.sender !== WAIT_OPENER && m.sender !== WAIT_CLOSER) continue;
      const id = toId(m.messageId);
      if (!fresh.has(id)) continue;
      const key = { at: isoUtc(m.createdAt), id };
      const chat = `${page.businessId}:${page.chatId}`;
      const seen = earliest.get(chat);
      if (seen === undefined) earliest.set(chat, { businessId: page.businessId, chatId: page.chatId, key });
      else if (before(key, seen.key)) seen.key = key;
    }
  });
  const rows: SqlValue[][] = [];
  for (const { businessId, chatId, key } of earliest.values()) {
    for (const w of await rescan(tx, businessId, chatId, key)) rows.push(waitValues(w));
  }
  await tx.insertMany('waits', WAIT_COLUMNS, rows);
  return added;
}

/** Drops the chat's waits from the one a message at `from` can change on, and scans them anew. */
async function rescan(tx: Sql, businessId: bigint, chatId: bigint, from: Key): Promise<Wait[]> {
  const spanning = (
    await tx.all(SPANNING, [businessId, chatId, from.at, from.at, from.id], { prepare: true })
  )[0];
  let start = from;
  if (spanning !== undefined) {
    const open = { at: String(spanning.opened_at), id: BigInt(spanning.open_message_id as bigint) };
    if (before(open, start)) start = open;
  }
  const keyParams = [businessId, chatId, start.at, start.at, start.id];
  const [earlier, messages] = await Promise.all([
    tx.all(EARLIER, keyParams, { prepare: true }),
    tx.all(FROM_KEY, keyParams, { prepare: true }),
  ]);
  await tx.run(DROP_FROM, keyParams);
  const ordered: WaitMessage[] = messages.map((r) => ({
    messageId: BigInt(r.message_id as bigint),
    sender: String(r.sender),
    createdAt: String(r.created_at),
  }));
  // The database's order of equal texts/timestamps and ids is already the chat's; sorting again is cheap
  // and keeps the scan independent of collation.
  ordered.sort(byChatOrder);
  return waitsOf(businessId, chatId, ordered, Number(earlier[0]?.n ?? 0) === 0);
}
