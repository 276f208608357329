/**
 * What an operator alerts on, per business, in one statement: the chats waiting for the seller and the
 * oldest of their waits (the queue's `chat_queue_order` range `(business, waiting = 1)`: its count and its
 * first `sort_at`, which for a waiting chat is the time its wait began), and the push notifications received
 * but not yet acted on with the oldest one's arrival (`inbound_unprocessed`, `processed_at IS NULL`). Each is
 * an index range of that business, so a scrape costs what is waiting, not the size of the store.
 */
import type { Sql } from '../db/sql.js';

export interface BusinessBacklog {
  businessId: bigint;
  /** Chats whose last word is the buyer's (the queue's waiting half). */
  waitingChats: number;
  /** When the longest of those waits began (ISO 8601); null when none waits. */
  oldestWaitSince: string | null;
  /** Push notifications in the store's queue not yet acted on. */
  queuedPushes: number;
  /** When the oldest of them was received (ISO 8601); null when none is queued. */
  oldestPushAt: string | null;
}

const WAITING = 'FROM chat_queue q WHERE q.business_id = b.column1 AND q.waiting = 1';
const QUEUED = 'FROM inbound_notifications n WHERE n.processed_at IS NULL AND n.business_id = b.column1';

/** One row per business asked for, in the order asked (an unknown business has zeros). */
export async function backlog(sql: Sql, businessIds: readonly bigint[]): Promise<BusinessBacklog[]> {
  const unique = [...new Set(businessIds)];
  if (unique.length === 0) return [];
  // VALUES names its column `column1` on both engines.
  const rows = await sql.all(
    `SELECT b.column1 AS business_id,
            (SELECT COUNT(*) ${WAITING}) AS waiting,
            (SELECT MIN(q.sort_at) ${WAITING}) AS oldest_wait,
            (SELECT COUNT(*) ${QUEUED}) AS queued,
            (SELECT MIN(n.received_at) ${QUEUED}) AS oldest_push
       FROM (VALUES ${unique.map(() => '(CAST(? AS BIGINT))').join(', ')}) AS b`,
    unique,
  );
  const byId = new Map(rows.map((r) => [String(r.business_id), r]));
  return unique.map((businessId) => {
    const r = byId.get(String(businessId));
    return {
      businessId,
      waitingChats: Number(r?.waiting ?? 0),
      oldestWaitSince: r?.oldest_wait == null ? null : String(r.oldest_wait),
      queuedPushes: Number(r?.queued ?? 0),
      oldestPushAt: r?.oldest_push == null ? null : String(r.oldest_push),
    };
  });
}
