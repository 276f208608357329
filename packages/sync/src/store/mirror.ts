/**
 * Writes of the mirror proper. Each page the engine reads becomes one transaction together with the
 * position it leads to, so a process killed at any instant resumes at the page it was reading.
 */
import type { Chat, ChatMessage } from '@ym-chats/sdk';
import type { Sql, SqlValue } from '../db/sql.js';
import {
  DEFAULT_SETTLE_MS,
  needsHistory,
  type StoredChatState,
  settledAfterRead,
} from '../engine/changes.js';
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
  /** Set on the chat's last page: the local time the page was requested. */
  completedAt: string | null;
  /** On the last page: settle the chat with this rule (see `settledAfterRead`); absent = by the clock only. */
  settleMs?: number;
  /** When the chat's history was last read to the end before this read (null: never). */
  previousSyncedAt?: string | null;
  /** New messages the earlier pages of this read added. */
  addedBefore?: number;
  now: string;
}

export interface PendingChat {
  chatId: bigint;
  /** The newest stored message of the chat: its read starts there. */
  lastMessageId: bigint | null;
  /** When the chat's history was last read to the end (null: never). */
  syncedAt: string | null;
}

export async function storedStates(
  tx: Sql,
  businessId: bigint,
  chatIds: bigint[],
): Promise<Map<bigint, StoredChatState>> {
  const states = new Map<bigint, StoredChatState>();
  if (chatIds.length === 0) return states;
  const rows = await tx.all(
    `SELECT chat_id, updated_at, status, synced_at, history_pending, history_settled FROM chats
      WHERE business_id = ? AND chat_id IN (${chatIds.map(() => '?').join(', ')})`,
    [businessId, ...chatIds],
  );
  for (const row of rows) {
    states.set(BigInt(row.chat_id as bigint), {
      updatedAt: String(row.updated_at),
      status: String(row.status),
      syncedAt: row.synced_at === null ? null : String(row.synced_at),
      pending: Number(row.history_pending) === 1,
      settled: Number(row.history_settled) === 1,
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
         ON CONFLICT (business_id, chat_id) DO UPDATE SET ${updates},
           history_settled = CASE WHEN excluded.updated_at > chats.updated_at THEN 0 ELSE chats.history_settled END
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
  return (await writeHistoryPages(sql, [page]))[0]!;
}

const byId = (a: bigint, b: bigint) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Stores history pages (of different chats) in one transaction: new messages (a message already stored
 * is left alone), their files, one event per new message, each chat's last message id and, on a chat's
 * last page, that the chat is in sync. Each page stays atomic with its chat's position; several pages
 * share one commit when readers finish together (group commit). Returns, per page, the new message ids.
 */
export async function writeHistoryPages(sql: Sql, pages: HistoryPageWrite[]): Promise<bigint[][]> {
  return sql.transaction(async (tx) => {
    const sorted = pages.map((page) =>
      [...page.messages].sort((a, b) => byId(toId(a.messageId), toId(b.messageId))),
    );
    const inserted = await tx.insertMany(
      'messages',
      [
        ['business_id', 'bigint'],
        ['chat_id', 'bigint'],
        ['message_id', 'bigint'],
        ['sender', 'text'],
        ['text', 'text'],
        ['created_at', 'timestamptz'],
      ],
      pages.flatMap((page, i) => sorted[i]!.map((m) => messageValues(page.businessId, page.chatId, m))),
      'ON CONFLICT (business_id, message_id) DO NOTHING RETURNING business_id, message_id',
    );
    const isNew = new Set(inserted.map((r) => `${r.business_id}:${r.message_id}`));
    const added = pages.map((page, i) =>
      sorted[i]!.map((m) => toId(m.messageId)).filter((id) => isNew.has(`${page.businessId}:${id}`)),
    );
    const files: SqlValue[][] = [];
    const events: SqlValue[][] = [];
    pages.forEach((page, i) => {
      for (const m of sorted[i]!) {
        if (!isNew.has(`${page.businessId}:${toId(m.messageId)}`)) continue;
        for (const [position, f] of (m.payload ?? []).entries()) {
          files.push([page.businessId, toId(m.messageId), position, f.name, f.url, f.size]);
        }
      }
      // In message order per chat, chat after chat: positions follow.
      for (const id of added[i]!) events.push([page.businessId, page.chatId, id, 'message', page.now]);
    });
    await tx.insertMany(
      'message_files',
      [
        ['business_id', 'bigint'],
        ['message_id', 'bigint'],
        ['position', 'integer'],
        ['name', 'text'],
        ['url', 'text'],
        ['size', 'bigint'],
      ],
      files,
      'ON CONFLICT DO NOTHING',
    );
    await tx.insertMany(
      'events',
      [
        ['business_id', 'bigint'],
        ['chat_id', 'bigint'],
        ['message_id', 'bigint'],
        ['kind', 'text'],
        ['recorded_at', 'timestamptz'],
      ],
      events,
    );

    // The stored updated_at of the chats whose read ends here, before this transaction moves it.
    const stored = new Map<string, string>();
    const businesses = [...new Set(pages.map((p) => p.businessId))];
    for (const businessId of businesses) {
      const ids = [
        ...new Set(
          pages.filter((p) => p.completedAt !== null && p.businessId === businessId).map((p) => p.chatId),
        ),
      ];
      for (let i = 0; i < ids.length; i += 500) {
        const chunk = ids.slice(i, i + 500);
        const rows = await tx.all(
          `SELECT chat_id, updated_at FROM chats WHERE business_id = ? AND chat_id IN (${chunk.map(() => '?').join(', ')})`,
          [businessId, ...chunk],
        );
        for (const row of rows) stored.set(`${businessId}:${row.chat_id}`, String(row.updated_at));
      }
    }
    // Per chat, what its pages in this transaction move: the newest message, and on the last page, the
    // read's end. Several pages of one chat in one group merge into one row change.
    interface ChatChange {
      chatId: bigint;
      lastId: bigint | null;
      lastAt: string | null;
      completedAt: string | null;
      settled: boolean;
    }
    const changes = new Map<string, ChatChange & { businessId: bigint }>();
    for (const [i, page] of pages.entries()) {
      const last = sorted[i]![sorted[i]!.length - 1];
      const lastId = last === undefined ? null : toId(last.messageId);
      const lastAt = last === undefined ? null : isoUtc(last.createdAt);
      const key = `${page.businessId}:${page.chatId}`;
      let change = changes.get(key);
      if (change === undefined) {
        change = {
          businessId: page.businessId,
          chatId: page.chatId,
          lastId: null,
          lastAt: null,
          completedAt: null,
          settled: false,
        };
        changes.set(key, change);
      }
      if (lastId !== null && (change.lastId === null || lastId > change.lastId)) change.lastId = lastId;
      if (lastAt !== null && (change.lastAt === null || lastAt > change.lastAt)) change.lastAt = lastAt;
      if (page.completedAt !== null) {
        const before = stored.get(key);
        const updatedAt =
          before === undefined ? undefined : lastAt !== null && lastAt > before ? lastAt : before;
        change.settled =
          updatedAt !== undefined &&
          settledAfterRead(
            page.completedAt,
            updatedAt,
            page.settleMs ?? DEFAULT_SETTLE_MS,
            page.previousSyncedAt ?? null,
            (page.addedBefore ?? 0) + added[i]!.length,
          );
        change.completedAt = page.completedAt;
      }
    }
    for (const businessId of businesses) {
      await updateChats(
        tx,
        businessId,
        [...changes.values()].filter((c) => c.businessId === businessId),
      );
    }
    const runs = new Map<bigint, { pages: number; added: number }>();
    pages.forEach((page, i) => {
      if (page.runId === null) return;
      const r = runs.get(page.runId) ?? { pages: 0, added: 0 };
      r.pages += 1;
      r.added += added[i]!.length;
      runs.set(page.runId, r);
    });
    for (const [runId, r] of runs) {
      await tx.run(
        'UPDATE sync_runs SET history_pages = history_pages + ?, messages_added = messages_added + ? WHERE run_id = ?',
        [r.pages, r.added, runId],
      );
    }
    return added;
  });
}

/**
 * A chat's row changes after history pages: `last_message_id` and `updated_at` only move forward; a read's
 * end clears `history_pending` and records `synced_at` and `history_settled`. A chat first heard of through
 * a push has no row yet; the next listing fills in the rest.
 */
async function updateChats(
  tx: Sql,
  businessId: bigint,
  changes: {
    chatId: bigint;
    lastId: bigint | null;
    lastAt: string | null;
    completedAt: string | null;
    settled: boolean;
  }[],
): Promise<void> {
  const moving = changes.filter((c) => c.lastId !== null || c.completedAt !== null);
  if (moving.length === 0) return;
  if (tx.dialect === 'postgres') {
    // One statement for the whole group: a round trip to the server per chat would dominate the commit.
    const columns = [
      moving.map((c) => c.chatId),
      moving.map((c) => c.lastId),
      moving.map((c) => c.lastAt),
      moving.map((c) => c.completedAt),
      moving.map((c) => (c.settled ? 1 : 0)),
    ];
    await tx.run(
      `UPDATE chats AS c SET
         last_message_id = CASE WHEN v.last_id IS NOT NULL AND (c.last_message_id IS NULL OR c.last_message_id < v.last_id)
           THEN v.last_id ELSE c.last_message_id END,
         updated_at = CASE WHEN v.last_at IS NOT NULL AND c.updated_at < v.last_at THEN v.last_at ELSE c.updated_at END,
         history_pending = CASE WHEN v.completed_at IS NOT NULL THEN 0 ELSE c.history_pending END,
         synced_at = CASE WHEN v.completed_at IS NOT NULL THEN v.completed_at ELSE c.synced_at END,
         history_settled = CASE WHEN v.completed_at IS NOT NULL THEN v.settled ELSE c.history_settled END
       FROM (SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::timestamptz[], $4::timestamptz[], $5::integer[])
             AS u(chat_id, last_id, last_at, completed_at, settled)) AS v
       WHERE c.business_id = $6 AND c.chat_id = v.chat_id`,
      // node-postgres sends JS arrays as PostgreSQL arrays (the `?`-free text is passed through as is).
      [...columns, businessId] as unknown as SqlValue[],
    );
    return;
  }
  for (const c of moving) {
    const sets: string[] = [];
    const params: SqlValue[] = [];
    if (c.lastId !== null && c.lastAt !== null) {
      sets.push(
        'last_message_id = CASE WHEN last_message_id IS NULL OR last_message_id < ? THEN ? ELSE last_message_id END',
        'updated_at = CASE WHEN updated_at < ? THEN ? ELSE updated_at END',
      );
      params.push(c.lastId, c.lastId, c.lastAt, c.lastAt);
    }
    if (c.completedAt !== null) {
      sets.push('history_pending = 0', 'synced_at = ?', 'history_settled = ?');
      params.push(c.completedAt, c.settled ? 1 : 0);
    }
    await tx.run(`UPDATE chats SET ${sets.join(', ')} WHERE business_id = ? AND chat_id = ?`, [
      ...params,
      businessId,
      c.chatId,
    ]);
  }
}

/**
 * Chats whose history read is still owed (listed as changed, not yet read to the end), each with where its
 * read starts: the newest stored message, and when it was last read to the end.
 */
export async function pendingChats(sql: Sql, businessId: bigint): Promise<PendingChat[]> {
  const rows = await sql.all(
    `SELECT c.chat_id, c.synced_at,
            (SELECT MAX(m.message_id) FROM messages m WHERE m.business_id = c.business_id AND m.chat_id = c.chat_id) AS last_id
       FROM chats c WHERE c.business_id = ? AND c.history_pending = 1 ORDER BY c.chat_id DESC`,
    [businessId],
  );
  return rows.map((r) => ({
    chatId: BigInt(r.chat_id as bigint),
    lastMessageId: r.last_id == null ? null : BigInt(r.last_id),
    syncedAt: r.synced_at == null ? null : String(r.synced_at),
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

/** Where a chat's history read starts: its newest stored message, and when it was last read to the end. */
export async function historyStart(
  sql: Sql,
  businessId: bigint,
  chatId: bigint,
): Promise<{ lastMessageId: bigint | null; syncedAt: string | null }> {
  const rows = await sql.all(
    `SELECT (SELECT MAX(message_id) FROM messages WHERE business_id = ? AND chat_id = ?) AS last_id,
            (SELECT synced_at FROM chats WHERE business_id = ? AND chat_id = ?) AS synced_at`,
    [businessId, chatId, businessId, chatId],
  );
  const row = rows[0];
  return {
    lastMessageId: row?.last_id == null ? null : BigInt(row.last_id),
    syncedAt: row?.synced_at == null ? null : String(row.synced_at),
  };
}
