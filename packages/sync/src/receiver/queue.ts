/**
 * One business's share of the inbound queue. The queue is shared by every business whose pushes reach
 * the store (one receiver can serve many, and workers share a store), so a processor, which acts with one
 * business's credential, takes only its own business's notifications.
 */
import type { Sql } from '../db/sql.js';
import type { ChatNotificationType, QueuedNotification } from '../store/inbound.js';

export async function unprocessedFor(
  sql: Sql,
  businessId: bigint,
  limit: number,
): Promise<QueuedNotification[]> {
  const rows = await sql.all(
    `SELECT inbound_id, business_id, chat_id, notification_type, message_id, event_time
       FROM inbound_notifications
      WHERE processed_at IS NULL AND business_id = ? ORDER BY inbound_id LIMIT ?`,
    [businessId, limit],
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

/** Businesses with notifications waiting, for workers that poll the queue of the businesses they hold. */
export async function businessesWithPending(sql: Sql): Promise<bigint[]> {
  const rows = await sql.all(
    'SELECT DISTINCT business_id FROM inbound_notifications WHERE processed_at IS NULL',
  );
  return rows.map((r) => BigInt(r.business_id as bigint));
}
