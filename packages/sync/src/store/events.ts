/**
 * The outbound event log: one row per message the mirror stored for the first time, written in the same
 * transaction as the message, so each is published exactly once. `position` only grows, in commit order
 * (write transactions are serialized), and a subscriber keeps its own position in `event_positions`.
 */
import type { Sql } from '../db/sql.js';
import { fileFromRow, type MessageRecord, messageFromRow } from './records.js';

export interface MessageEvent {
  position: bigint;
  kind: 'message';
  recordedAt: string;
  message: MessageRecord;
}

export async function eventsAfter(sql: Sql, position: bigint, limit: number): Promise<MessageEvent[]> {
  const rows = await sql.all(
    `SELECT e.position, e.recorded_at, m.business_id, m.chat_id, m.message_id, m.sender, m.text, m.created_at
       FROM events e JOIN messages m ON m.business_id = e.business_id AND m.message_id = e.message_id
      WHERE e.position > ? ORDER BY e.position LIMIT ?`,
    [position, limit],
  );
  if (rows.length === 0) return [];
  const files = await sql.all(
    `SELECT f.* FROM message_files f JOIN events e ON e.business_id = f.business_id AND e.message_id = f.message_id
      WHERE e.position > ? AND e.position <= ? ORDER BY f.message_id, f.position`,
    [position, rows[rows.length - 1]!.position ?? position],
  );
  const byMessage = new Map<string, ReturnType<typeof fileFromRow>[]>();
  for (const f of files) {
    const key = String(f.message_id);
    const list = byMessage.get(key) ?? [];
    list.push(fileFromRow(f));
    byMessage.set(key, list);
  }
  return rows.map((r) => ({
    position: BigInt(r.position as bigint),
    kind: 'message' as const,
    recordedAt: String(r.recorded_at),
    message: messageFromRow(r, byMessage.get(String(r.message_id)) ?? []),
  }));
}

export async function savedPosition(sql: Sql, subscriber: string): Promise<bigint> {
  const rows = await sql.all('SELECT position FROM event_positions WHERE subscriber = ?', [subscriber]);
  return rows[0] === undefined ? 0n : BigInt(rows[0].position as bigint);
}

export async function savePosition(
  sql: Sql,
  subscriber: string,
  position: bigint,
  now: string,
): Promise<void> {
  await sql.run(
    `INSERT INTO event_positions (subscriber, position, updated_at) VALUES (?, ?, ?)
     ON CONFLICT (subscriber) DO UPDATE SET position = excluded.position, updated_at = excluded.updated_at`,
    [subscriber, position, now],
  );
}

export async function lastPosition(sql: Sql): Promise<bigint> {
  const rows = await sql.all('SELECT MAX(position) AS p FROM events');
  const p = rows[0]?.p ?? null;
  return p === null ? 0n : BigInt(p);
}
