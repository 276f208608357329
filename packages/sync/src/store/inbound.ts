/**
 * The durable queue between the push endpoint and the work it triggers. A notification is written here
 * before the 200 goes out, keyed so that a redelivery is recognised and stored once.
 */
import type { Sql } from '../db/sql.js';

export type ChatNotificationType =
  | 'CHAT_CREATED'
  | 'CHAT_MESSAGE_SENT'
  | 'CHAT_ARBITRAGE_STARTED'
  | 'CHAT_ARBITRAGE_FINISHED';

export interface InboundNotification {
  type: ChatNotificationType;
  businessId: bigint;
  chatId: bigint;
  /** CHAT_MESSAGE_SENT only; the platform sends it as a string. */
  messageId: string | null;
  /** The event's own time field (createdAt, sentAt, startedAt, finishedAt) as sent. */
  eventTime: string;
}

export interface QueuedNotification extends InboundNotification {
  inboundId: bigint;
}

/** Same event, same key: a message by its id, other events by chat, type and event time. */
export function dedupeKey(n: InboundNotification): string {
  return n.type === 'CHAT_MESSAGE_SENT'
    ? `m:${n.businessId}:${n.chatId}:${n.messageId}`
    : `${n.type}:${n.businessId}:${n.chatId}:${n.eventTime}`;
}

/** Stores the notification; false when it was already there (a redelivery). */
export async function enqueue(sql: Sql, n: InboundNotification, now: string): Promise<boolean> {
  const changed = await sql.run(
    `INSERT INTO inbound_notifications
       (dedupe_key, business_id, chat_id, notification_type, message_id, event_time, received_at)
     VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (dedupe_key) DO NOTHING`,
    [dedupeKey(n), n.businessId, n.chatId, n.type, n.messageId, n.eventTime, now],
  );
  return changed > 0;
}

export async function unprocessed(sql: Sql, limit = 1000): Promise<QueuedNotification[]> {
  const rows = await sql.all(
    `SELECT inbound_id, business_id, chat_id, notification_type, message_id, event_time
       FROM inbound_notifications WHERE processed_at IS NULL ORDER BY inbound_id LIMIT ?`,
    [limit],
  );
  return rows.map((r) => ({
    inboundId: BigInt(r.inbound_id as bigint),
    businessId: BigInt(r.business_id as bigint),
    chatId: BigInt(r.chat_id as bigint),
    type: String(r.notification_type) as ChatNotificationType,
    messageId: r.message_id === null ? null : String(r.message_id),
    eventTime: String(r.event_time),
  }));
}

export async function markProcessed(sql: Sql, ids: bigint[], now: string): Promise<void> {
  for (let i = 0; i < ids.length; i += 500) {
    const chunk = ids.slice(i, i + 500);
    await sql.run(
      `UPDATE inbound_notifications SET processed_at = ? WHERE inbound_id IN (${chunk.map(() => '?').join(', ')})`,
      [now, ...chunk],
    );
  }
}

/**
 * How long a processed notification is kept so that a redelivery is still recognised: the platform
 * redelivers an unanswered push for up to 14 days (every minute for an hour, every 15 minutes for a day,
 * then hourly), so 15 days covers every redelivery of a push whose 200 got lost.
 */
export const DEFAULT_INBOUND_RETENTION_DAYS = 15;

/**
 * Deletes the business's processed notifications received before `before` (ISO), in batches so no
 * statement holds the table long. Unprocessed ones are never deleted. A redelivery arriving after its
 * row was pruned is queued and processed again, which stores nothing twice (a message already stored
 * costs no call). Returns the number deleted.
 */
export async function pruneProcessed(sql: Sql, businessId: bigint, before: string): Promise<number> {
  let deleted = 0;
  for (;;) {
    const n = await sql.run(
      `DELETE FROM inbound_notifications WHERE inbound_id IN (
         SELECT inbound_id FROM inbound_notifications
          WHERE processed_at IS NOT NULL AND received_at < ? AND business_id = ? LIMIT 5000)`,
      [before, businessId],
    );
    deleted += n;
    if (n < 5000) return deleted;
  }
}
