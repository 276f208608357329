/**
 * Writes of the mirror proper. Each page the engine reads becomes one transaction together with the
 * position it leads to, so a process killed at any instant resumes at the page it was reading.
 */
import type { Chat, ChatMessage } from '@ym-chats/sdk';
import { WRITE_LOCK_CALL } from '../db/postgres.js';
import type { Row, Sql, SqlValue } from '../db/sql.js';
import {
  confirmsIfNothingNew,
  DEFAULT_SETTLE_MS,
  needsHistory,
  type StoredChatState,
  settleThreshold,
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

/** A listed chat's stored row, and its newest stored message (where a history read starts). */
interface StoredRow extends StoredChatState {
  lastMessageId: bigint | null;
}

async function storedRows(tx: Sql, businessId: bigint, chatIds: bigint[]): Promise<Map<bigint, StoredRow>> {
  const states = new Map<bigint, StoredRow>();
  if (chatIds.length === 0) return states;
  const rows = await tx.all(
    `SELECT c.chat_id, c.updated_at, c.status, c.synced_at, c.history_pending, c.history_settled,
            (SELECT MAX(m.message_id) FROM messages m WHERE m.business_id = c.business_id AND m.chat_id = c.chat_id) AS last_id
       FROM chats c WHERE c.business_id = ? AND c.chat_id IN (${chatIds.map(() => '?').join(', ')})`,
    [businessId, ...chatIds],
  );
  for (const row of rows) {
    states.set(BigInt(row.chat_id as bigint), {
      updatedAt: String(row.updated_at),
      status: String(row.status),
      syncedAt: row.synced_at === null ? null : String(row.synced_at),
      pending: Number(row.history_pending) === 1,
      settled: Number(row.history_settled) === 1,
      lastMessageId: row.last_id == null ? null : BigInt(row.last_id),
    });
  }
  return states;
}

export async function storedStates(
  tx: Sql,
  businessId: bigint,
  chatIds: bigint[],
): Promise<Map<bigint, StoredChatState>> {
  return storedRows(tx, businessId, chatIds);
}

/**
 * Upserts a page of listed chats (a row only moves forward in time), marks those whose history must be
 * read, and saves the listing cursor — one transaction. Returns the chats marked.
 */
export async function writeChatPage(sql: Sql, page: ChatPageWrite): Promise<bigint[]> {
  return (await writeChatPageOwing(sql, page)).map((c) => c.chatId);
}

/** `writeChatPage`, returning each marked chat with where its read starts (saves `pendingChats`). */
export async function writeChatPageOwing(sql: Sql, page: ChatPageWrite): Promise<PendingChat[]> {
  return sql.transaction(async (tx) => {
    const ids = page.chats.map((c) => toId(c.chatId));
    const states = await storedRows(tx, page.businessId, ids);
    const marked: PendingChat[] = [];
    // Marked chats the upsert leaves alone (listed older than stored): marked by a separate update.
    const behind: bigint[] = [];
    const values: SqlValue[] = [];
    for (const chat of page.chats) {
      const id = toId(chat.chatId);
      const updatedAt = isoUtc(chat.updatedAt);
      const state = states.get(id);
      const pending = needsHistory(updatedAt, state, page.settleMs);
      if (pending) {
        marked.push({
          chatId: id,
          lastMessageId: state?.lastMessageId ?? null,
          syncedAt: state?.syncedAt ?? null,
        });
        if (state !== undefined && updatedAt < state.updatedAt) behind.push(id);
      }
      values.push(...chatValues(page.businessId, chat), pending ? 1 : 0);
    }
    const cursor =
      page.runId === null
        ? undefined
        : {
            cursor: [
              page.nextPageToken,
              page.nextPageToken === null ? 1 : 0,
              new Date().toISOString(),
              page.businessId,
            ],
            run: [page.chats.length, marked.length, page.runId],
          };
    const CURSOR =
      'UPDATE sync_cursors SET chats_page_token = ?, listing_done = ?, updated_at = ? WHERE business_id = ?';
    const RUN =
      'UPDATE sync_runs SET chat_pages = chat_pages + 1, chats_seen = chats_seen + ?, chats_changed = chats_changed + ? WHERE run_id = ?';
    // PostgreSQL: the cursor and the run move in the upsert's statement (one round trip less each).
    const withCursor = cursor !== undefined && tx.dialect === 'postgres' && page.chats.length > 0;
    if (page.chats.length > 0) {
      const columns = [...CHAT_COLUMNS, 'history_pending'];
      const updates = CHAT_COLUMNS.filter((c) => c !== 'business_id' && c !== 'chat_id')
        .map((c) => `${c} = excluded.${c}`)
        .join(', ');
      await tx.run(
        `${withCursor ? `WITH cur AS (${CURSOR}), run AS (${RUN}) ` : ''}INSERT INTO chats (${columns.join(', ')}) VALUES ${placeholders(columns.length, page.chats.length)}
         ON CONFLICT (business_id, chat_id) DO UPDATE SET ${updates},
           history_settled = CASE WHEN excluded.updated_at > chats.updated_at THEN 0 ELSE chats.history_settled END,
           history_pending = CASE WHEN excluded.history_pending = 1 THEN 1 ELSE chats.history_pending END
         WHERE excluded.updated_at >= chats.updated_at`,
        withCursor ? [...cursor.cursor, ...cursor.run, ...values] : values,
      );
    }
    if (behind.length > 0) {
      await tx.run(
        `UPDATE chats SET history_pending = 1 WHERE business_id = ? AND chat_id IN (${behind.map(() => '?').join(', ')})`,
        [page.businessId, ...behind],
      );
    }
    if (cursor !== undefined && !withCursor) {
      await tx.run(CURSOR, cursor.cursor);
      await tx.run(RUN, cursor.run);
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

function inOrder(messages: ChatMessage[]): boolean {
  for (let i = 1; i < messages.length; i++) {
    if (!(messages[i - 1]!.messageId < messages[i]!.messageId)) return false;
  }
  return true;
}

/** One chat's row change from the pages of a group (several pages of one chat merge into one). */
interface ChatChange {
  businessId: bigint;
  chatId: bigint;
  /** The newest message these pages hold, and its time. */
  lastId: bigint | null;
  lastAt: string | null;
  /** Set when the chat's read ends here. */
  completedAt: string | null;
  /** `settleThreshold`: the read settles the chat if its updatedAt (after this write) is at most this. */
  threshold: string | null;
  /** `confirmsIfNothingNew`: the read settles the chat if no page of it added a message. */
  confirm: boolean;
}

/** What a group of history pages writes, gathered once for both engines. */
interface HistoryGroup {
  /** Per page, its messages in id order. */
  sorted: ChatMessage[][];
  changes: ChatChange[];
  /** Pages per pass (run). */
  runs: Map<bigint, number>;
  /** The time the events are recorded at. */
  now: string;
}

function planGroup(pages: HistoryPageWrite[]): HistoryGroup {
  // Pages come oldest first; sorting (which compares ids as bigint) is for a server that does otherwise.
  const sorted = pages.map((page) =>
    inOrder(page.messages)
      ? page.messages
      : [...page.messages].sort((a, b) => byId(toId(a.messageId), toId(b.messageId))),
  );
  const changes = new Map<string, ChatChange>();
  const runs = new Map<bigint, number>();
  let now = pages[0]?.now ?? new Date().toISOString();
  for (const [i, page] of pages.entries()) {
    if (page.now > now) now = page.now;
    if (page.runId !== null) runs.set(page.runId, (runs.get(page.runId) ?? 0) + 1);
    const last = sorted[i]![sorted[i]!.length - 1];
    const key = `${page.businessId}:${page.chatId}`;
    let change = changes.get(key);
    if (change === undefined) {
      change = {
        businessId: page.businessId,
        chatId: page.chatId,
        lastId: null,
        lastAt: null,
        completedAt: null,
        threshold: null,
        confirm: false,
      };
      changes.set(key, change);
    }
    if (last !== undefined) {
      const lastId = toId(last.messageId);
      const lastAt = isoUtc(last.createdAt);
      if (change.lastId === null || lastId > change.lastId) change.lastId = lastId;
      if (change.lastAt === null || lastAt > change.lastAt) change.lastAt = lastAt;
    }
    if (page.completedAt !== null) {
      change.completedAt = page.completedAt;
      change.threshold = settleThreshold(page.completedAt, page.settleMs ?? DEFAULT_SETTLE_MS);
      // Pages of this read committed before must not have added anything either.
      change.confirm =
        (page.addedBefore ?? 0) === 0 &&
        confirmsIfNothingNew(page.completedAt, page.previousSyncedAt ?? null);
    }
  }
  return { sorted, changes: [...changes.values()], runs, now };
}

/**
 * Per page, the ids it added (`inserted`: the rows the insert returned): each new message is credited to
 * the first page holding it, so a message two pages of a group hold gets one event.
 */
function addedPerPage(pages: HistoryPageWrite[], group: HistoryGroup, inserted: Row[]): bigint[][] {
  const isNew = new Map<bigint, Set<bigint>>();
  for (const r of inserted) {
    const b = BigInt(r.business_id as bigint);
    const set = isNew.get(b) ?? new Set<bigint>();
    isNew.set(b, set);
    set.add(BigInt(r.message_id as bigint));
  }
  return pages.map((page, i) => {
    const fresh = isNew.get(page.businessId);
    const out: bigint[] = [];
    if (fresh === undefined) return out;
    for (const m of group.sorted[i]!) {
      const id = toId(m.messageId);
      if (fresh.delete(id)) out.push(id);
    }
    return out;
  });
}

/**
 * Stores history pages (of different chats) in one transaction: new messages (a message already stored
 * is left alone), their files, one event per new message, each chat's last message id and, on a chat's
 * last page, that the chat is in sync and whether the read settled it (`settledAfterRead`). Each page
 * stays atomic with its chat's position; several pages share one commit when readers finish together
 * (group commit). Returns, per page, the new message ids.
 */
export async function writeHistoryPages(sql: Sql, pages: HistoryPageWrite[]): Promise<bigint[][]> {
  const group = planGroup(pages);
  return sql.dialect === 'postgres'
    ? writeGroupPostgres(sql, pages, group)
    : writeGroupSqlite(sql, pages, group);
}

const MESSAGE_COLUMNS: [string, string][] = [
  ['business_id', 'bigint'],
  ['chat_id', 'bigint'],
  ['message_id', 'bigint'],
  ['sender', 'text'],
  ['text', 'text'],
  ['created_at', 'timestamptz'],
];

/** Per page, the messages not stored yet (a message two pages of the group hold counts for the first). */
async function newPerPage(tx: Sql, pages: HistoryPageWrite[], group: HistoryGroup): Promise<bigint[][]> {
  const taken = new Set<string>();
  const added: bigint[][] = [];
  for (const [i, page] of pages.entries()) {
    const sorted = group.sorted[i]!;
    const out: bigint[] = [];
    added.push(out);
    if (sorted.length === 0) continue;
    // The chat's stored messages within the page's id range: one range read of messages_by_chat.
    const stored = new Set<bigint>();
    for (const r of await tx.all(SQLITE_STORED_IN_RANGE, [
      page.businessId,
      page.chatId,
      toId(sorted[0]!.messageId),
      toId(sorted[sorted.length - 1]!.messageId),
    ])) {
      stored.add(BigInt(r.message_id as bigint));
    }
    for (const m of sorted) {
      const id = toId(m.messageId);
      const key = `${page.businessId}:${id}`;
      if (stored.has(id) || taken.has(key)) continue;
      taken.add(key);
      out.push(id);
    }
  }
  return added;
}

const SQLITE_STORED_IN_RANGE =
  'SELECT message_id FROM messages WHERE business_id = ? AND chat_id = ? AND message_id BETWEEN ? AND ?';

/**
 * SQLite: which messages are new is read before the insert (the transaction holds the write lock, so
 * nothing changes in between) rather than with RETURNING, which costs a buffered result row per message;
 * about a tenth of a cold pass's time in this thread. The insert's change count checks the read.
 */
async function writeGroupSqlite(
  sql: Sql,
  pages: HistoryPageWrite[],
  group: HistoryGroup,
): Promise<bigint[][]> {
  return sql.transaction(async (tx) => {
    const added = await newPerPage(tx, pages, group);
    const rows: SqlValue[][] = [];
    pages.forEach((page, i) => {
      const fresh = new Set(added[i]);
      if (fresh.size === 0) return;
      for (const m of group.sorted[i]!) {
        if (fresh.delete(toId(m.messageId))) rows.push(messageValues(page.businessId, page.chatId, m));
      }
    });
    const before = await totalChanges(tx);
    await tx.insertMany(
      'messages',
      MESSAGE_COLUMNS,
      rows,
      'ON CONFLICT (business_id, message_id) DO NOTHING',
    );
    if ((await totalChanges(tx)) - before !== rows.length) {
      // Some id is stored under another chat (the range read sees only this chat's): not new here.
      for (const [i, page] of pages.entries()) {
        const ids = added[i]!;
        if (ids.length === 0) continue;
        const elsewhere = new Set<bigint>();
        for (let at = 0; at < ids.length; at += 500) {
          const chunk = ids.slice(at, at + 500);
          const found = await tx.all(
            `SELECT message_id FROM messages WHERE business_id = ? AND chat_id <> ? AND message_id IN (${chunk.map(() => '?').join(', ')})`,
            [page.businessId, page.chatId, ...chunk],
          );
          for (const r of found) elsewhere.add(BigInt(r.message_id as bigint));
        }
        if (elsewhere.size > 0) added[i] = ids.filter((id) => !elsewhere.has(id));
      }
    }
    const files: SqlValue[][] = [];
    const events: SqlValue[][] = [];
    const addedByChat = new Map<string, number>();
    pages.forEach((page, i) => {
      const ids = added[i]!;
      if (ids.length === 0) return;
      const key = `${page.businessId}:${page.chatId}`;
      addedByChat.set(key, (addedByChat.get(key) ?? 0) + ids.length);
      const fresh = new Set(ids);
      for (const m of group.sorted[i]!) {
        const payload = m.payload ?? [];
        if (payload.length === 0 || !fresh.has(toId(m.messageId))) continue;
        for (const [position, f] of payload.entries()) {
          files.push([page.businessId, toId(m.messageId), position, f.name, f.url, f.size]);
        }
      }
      // In message order per chat, chat after chat: positions follow.
      for (const id of ids) events.push([page.businessId, page.chatId, id, 'message', group.now]);
    });
    await tx.insertMany('message_files', FILE_COLUMNS, files, 'ON CONFLICT DO NOTHING');
    await tx.insertMany('events', EVENT_COLUMNS, events);
    for (const c of group.changes) {
      if (c.lastId === null && c.completedAt === null) continue;
      const confirm = c.confirm && (addedByChat.get(`${c.businessId}:${c.chatId}`) ?? 0) === 0 ? 1 : 0;
      await tx.run(SQLITE_CHAT_UPDATE, [
        c.lastId,
        c.lastId,
        c.lastId,
        c.lastAt,
        c.lastAt,
        c.lastAt,
        c.completedAt,
        c.completedAt,
        c.completedAt,
        confirm,
        c.threshold,
        c.lastAt,
        c.businessId,
        c.chatId,
      ]);
    }
    for (const [runId, n] of group.runs) {
      let runAdded = 0;
      pages.forEach((p, i) => {
        if (p.runId === runId) runAdded += added[i]!.length;
      });
      await tx.run(RUN_PAGES, [runId, n, runAdded]);
    }
    return added;
  });
}

/** Rows this connection has changed since it opened (SQLite's running count). */
async function totalChanges(tx: Sql): Promise<number> {
  const rows = await tx.all('SELECT total_changes() AS n');
  return Number(rows[0]!.n);
}

/** A group's history counts for its pass (see migration 2: not an update of the pass's row). */
const RUN_PAGES = 'INSERT INTO sync_run_pages (run_id, history_pages, messages_added) VALUES (?, ?, ?)';

const FILE_COLUMNS: [string, string][] = [
  ['business_id', 'bigint'],
  ['message_id', 'bigint'],
  ['position', 'integer'],
  ['name', 'text'],
  ['url', 'text'],
  ['size', 'bigint'],
];

const EVENT_COLUMNS: [string, string][] = [
  ['business_id', 'bigint'],
  ['chat_id', 'bigint'],
  ['message_id', 'bigint'],
  ['kind', 'text'],
  ['recorded_at', 'timestamptz'],
];

/**
 * A chat's row after history pages: `last_message_id` and `updated_at` only move forward; a read's end
 * clears `history_pending`, records `synced_at` and whether the read settled the chat — by the clock
 * (the threshold is at least its updatedAt, the newest message just read included) or by confirming.
 * Every SET expression sees the row as it was. A chat first heard of through a push has no row yet; the
 * next listing fills in the rest.
 */
const SQLITE_CHAT_UPDATE = `UPDATE chats SET
  last_message_id = CASE WHEN ? IS NOT NULL AND (last_message_id IS NULL OR last_message_id < ?) THEN ? ELSE last_message_id END,
  updated_at = CASE WHEN ? IS NOT NULL AND updated_at < ? THEN ? ELSE updated_at END,
  history_pending = CASE WHEN ? IS NOT NULL THEN 0 ELSE history_pending END,
  synced_at = COALESCE(?, synced_at),
  history_settled = CASE WHEN ? IS NULL THEN history_settled
    WHEN ? = 1 OR ? >= MAX(updated_at, COALESCE(?, updated_at)) THEN 1 ELSE 0 END
 WHERE business_id = ? AND chat_id = ?`;

/**
 * The whole group in one statement, which is its own transaction (one round trip): the data-modifying
 * steps share one snapshot, so the chat update sees rows as they were, and events come from the rows
 * actually inserted, in message order. Each step is gated on the store's write lock (`lk`, a one-time
 * condition evaluated before the step produces or locks any row), so positions follow commit order as in
 * every other write transaction.
 */
const PG_WRITE_GROUP = `WITH lk AS (SELECT ${WRITE_LOCK_CALL} IS NOT NULL AS locked
), src AS (
  SELECT p.b AS business_id, p.c AS chat_id, x."messageId" AS message_id, x.sender, x.message AS text,
         date_trunc('milliseconds', x."createdAt") AS created_at, p.r AS run_id, x.payload
    FROM json_to_recordset($1::json) AS p(b bigint, c bigint, r bigint, m json)
    CROSS JOIN LATERAL json_to_recordset(p.m)
      AS x("messageId" bigint, "createdAt" timestamptz, sender text, message text, payload json)
), ins AS (
  INSERT INTO messages (business_id, chat_id, message_id, sender, text, created_at)
  SELECT business_id, chat_id, message_id, sender, text, created_at FROM src WHERE (SELECT locked FROM lk)
  ON CONFLICT (business_id, message_id) DO NOTHING
  RETURNING business_id, chat_id, message_id
), ev AS (
  INSERT INTO events (business_id, chat_id, message_id, kind, recorded_at)
  SELECT business_id, chat_id, message_id, 'message', $2::timestamptz FROM ins ORDER BY message_id
), fl AS (
  INSERT INTO message_files (business_id, message_id, position, name, url, size)
  SELECT s.business_id, s.message_id, f.ord - 1, f.v->>'name', f.v->>'url', (f.v->>'size')::bigint
    FROM src s
    CROSS JOIN LATERAL json_array_elements(CASE WHEN json_typeof(s.payload) = 'array' THEN s.payload ELSE '[]'::json END)
      WITH ORDINALITY AS f(v, ord)
   WHERE (SELECT locked FROM lk)
     AND EXISTS (SELECT 1 FROM ins WHERE ins.business_id = s.business_id AND ins.message_id = s.message_id)
  ON CONFLICT DO NOTHING
), ch AS (
  UPDATE chats AS c SET
    last_message_id = CASE WHEN v.last_id IS NOT NULL AND (c.last_message_id IS NULL OR c.last_message_id < v.last_id)
      THEN v.last_id ELSE c.last_message_id END,
    updated_at = CASE WHEN v.last_at IS NOT NULL AND c.updated_at < v.last_at THEN v.last_at ELSE c.updated_at END,
    history_pending = CASE WHEN v.completed_at IS NOT NULL THEN 0 ELSE c.history_pending END,
    synced_at = COALESCE(v.completed_at, c.synced_at),
    history_settled = CASE WHEN v.completed_at IS NULL THEN c.history_settled
      WHEN (v.confirm = 1 AND NOT EXISTS (SELECT 1 FROM ins WHERE ins.business_id = c.business_id AND ins.chat_id = c.chat_id))
        OR v.threshold >= GREATEST(c.updated_at, COALESCE(v.last_at, c.updated_at)) THEN 1 ELSE 0 END
  FROM unnest($3::bigint[], $4::bigint[], $5::bigint[], $6::timestamptz[], $7::timestamptz[], $8::timestamptz[], $9::integer[])
    AS v(business_id, chat_id, last_id, last_at, completed_at, threshold, confirm)
  WHERE (SELECT locked FROM lk) AND c.business_id = v.business_id AND c.chat_id = v.chat_id
), rn AS (
  INSERT INTO sync_run_pages (run_id, history_pages, messages_added)
  SELECT v.run_id, v.pages, (SELECT count(DISTINCT ins.message_id) FROM ins JOIN src
      ON src.business_id = ins.business_id AND src.message_id = ins.message_id WHERE src.run_id = v.run_id)
    FROM unnest($10::bigint[], $11::bigint[]) AS v(run_id, pages) WHERE (SELECT locked FROM lk)
)
SELECT business_id, message_id FROM ins`;

/** Messages as JSON; ids given as bigint (beyond 2^53) go as decimal strings, which PostgreSQL reads exactly. */
function messagesJson(messages: ChatMessage[]): string {
  try {
    return JSON.stringify(messages);
  } catch (error) {
    if (!(error instanceof TypeError)) throw error;
    return JSON.stringify(messages, (_key, value: unknown) =>
      typeof value === 'bigint' ? value.toString() : value,
    );
  }
}

async function writeGroupPostgres(
  sql: Sql,
  pages: HistoryPageWrite[],
  group: HistoryGroup,
): Promise<bigint[][]> {
  // The messages go as the platform sent them, in one JSON parameter the server takes apart (its times
  // too): one native stringify instead of a dozen arrays built and escaped element by element.
  let json = '[';
  pages.forEach((page, i) => {
    const messages = group.sorted[i]!;
    for (const m of messages) toId(m.messageId); // an id a number cannot hold exactly is refused, not rounded
    json += `${i === 0 ? '' : ','}{"b":${page.businessId},"c":${page.chatId},"r":${page.runId ?? 'null'},"m":${messagesJson(messages)}}`;
  });
  json += ']';
  const moving = group.changes.filter((c) => c.lastId !== null || c.completedAt !== null);
  const c = [
    moving.map((x) => x.businessId),
    moving.map((x) => x.chatId),
    moving.map((x) => x.lastId),
    moving.map((x) => x.lastAt),
    moving.map((x) => x.completedAt),
    moving.map((x) => x.threshold),
    moving.map((x) => (x.confirm ? 1 : 0)),
  ];
  const runs = [[...group.runs.keys()], [...group.runs.values()]];
  // node-postgres sends JS arrays as PostgreSQL arrays.
  const params = [json, group.now, ...c, ...runs] as unknown as SqlValue[];
  const inserted = await sql.all(PG_WRITE_GROUP, params, { prepare: true });
  return addedPerPage(pages, group, inserted);
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
