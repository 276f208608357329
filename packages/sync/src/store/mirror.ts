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
import { type Renamed, renameInIndex } from '../reads/name-index.js';
import { keepWaits } from '../reports/keep-waits.js';
import { isoUtc } from '../time.js';
import { CHAT_COLUMNS, chatValues, messageFiles, messageValues, toId } from './records.js';

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
  /** The buyer's name as stored (a rename re-indexes it, `renameInIndex`). */
  customerName: string | null;
}

/** A listed chat's stored row and newest stored message; `?` is the business, the chat ids follow. */
const STORED_ROWS = `SELECT c.chat_id, c.updated_at, c.status, c.synced_at, c.history_pending, c.history_settled, c.customer_name,
       (SELECT MAX(m.message_id) FROM messages m WHERE m.business_id = c.business_id AND m.chat_id = c.chat_id) AS last_id
  FROM chats c WHERE c.business_id = ? AND c.chat_id`;

async function storedRows(tx: Sql, businessId: bigint, chatIds: bigint[]): Promise<Map<bigint, StoredRow>> {
  const states = new Map<bigint, StoredRow>();
  if (chatIds.length === 0) return states;
  // PostgreSQL: one statement text whatever the number of chats, prepared (SQLite prepares any text).
  const rows =
    tx.dialect === 'postgres'
      ? await tx.all(`${STORED_ROWS} = ANY(?::bigint[])`, [businessId, chatIds as unknown as SqlValue], {
          prepare: true,
        })
      : await tx.all(`${STORED_ROWS} IN (${chatIds.map(() => '?').join(', ')})`, [businessId, ...chatIds]);
  for (const row of rows) {
    states.set(BigInt(row.chat_id as bigint), {
      updatedAt: String(row.updated_at),
      status: String(row.status),
      syncedAt: row.synced_at === null ? null : String(row.synced_at),
      pending: Number(row.history_pending) === 1,
      settled: Number(row.history_settled) === 1,
      lastMessageId: row.last_id == null ? null : BigInt(row.last_id),
      customerName: row.customer_name == null ? null : String(row.customer_name),
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

const CHAT_UPSERT_COLUMNS = [...CHAT_COLUMNS, 'history_pending'] as const;
const NAME_AT = CHAT_COLUMNS.indexOf('customer_name');

/** The PostgreSQL type of each upserted column, for its array parameter. */
const CHAT_PG_TYPES: Record<(typeof CHAT_UPSERT_COLUMNS)[number], string> = {
  business_id: 'bigint',
  chat_id: 'bigint',
  type: 'text',
  status: 'text',
  context_type: 'text',
  context_id: 'bigint',
  order_id: 'bigint',
  return_id: 'bigint',
  campaign_id: 'bigint',
  customer_name: 'text',
  customer_public_id: 'text',
  created_at: 'timestamptz',
  updated_at: 'timestamptz',
  history_pending: 'integer',
};

/** A listed chat's row only moves forward in time; a newer listing unsettles it, a marked one stays owed. */
const CHAT_UPSERT_TAIL = `ON CONFLICT (business_id, chat_id) DO UPDATE SET ${CHAT_COLUMNS.filter(
  (c) => c !== 'business_id' && c !== 'chat_id',
)
  .map((c) => `${c} = excluded.${c}`)
  .join(', ')},
  history_settled = CASE WHEN excluded.updated_at > chats.updated_at THEN 0 ELSE chats.history_settled END,
  history_pending = CASE WHEN excluded.history_pending = 1 THEN 1 ELSE chats.history_pending END
 WHERE excluded.updated_at >= chats.updated_at`;

const CURSOR =
  'UPDATE sync_cursors SET chats_page_token = ?, listing_done = ?, updated_at = ? WHERE business_id = ?';
const RUN =
  'UPDATE sync_runs SET chat_pages = chat_pages + 1, chats_seen = chats_seen + ?, chats_changed = chats_changed + ? WHERE run_id = ?';
const PG_CHAT_UPSERT = `INSERT INTO chats (${CHAT_UPSERT_COLUMNS.join(', ')})
SELECT * FROM unnest(${CHAT_UPSERT_COLUMNS.map((c) => `?::${CHAT_PG_TYPES[c]}[]`).join(', ')})
${CHAT_UPSERT_TAIL}`;
/** With a pass's page: its cursor and run move in the same statement (two round trips less). */
const PG_CHAT_UPSERT_MOVING = `WITH cur AS (${CURSOR}), run AS (${RUN}) ${PG_CHAT_UPSERT}`;

/**
 * Upserts a page of listed chats (a row only moves forward in time), marks those whose history must be
 * read, and saves the listing cursor — one transaction. Returns the chats marked.
 */
export async function writeChatPage(sql: Sql, page: ChatPageWrite): Promise<bigint[]> {
  return (await writeChatPageOwing(sql, page)).map((c) => c.chatId);
}

/**
 * One row per chat: a page that lists a chat twice (a server anomaly) keeps its newest state. PostgreSQL
 * refuses to upsert one row twice in a statement, which would fail the pass at that page every time.
 */
function newestPerChat(chats: Chat[]): Chat[] {
  const byChat = new Map<bigint, Chat>();
  for (const chat of chats) {
    const id = toId(chat.chatId);
    const seen = byChat.get(id);
    if (seen === undefined || isoUtc(chat.updatedAt) > isoUtc(seen.updatedAt)) byChat.set(id, chat);
  }
  return byChat.size === chats.length ? chats : [...byChat.values()];
}

/** `writeChatPage`, returning each marked chat with where its read starts (saves `pendingChats`). */
export async function writeChatPageOwing(sql: Sql, listed: ChatPageWrite): Promise<PendingChat[]> {
  const page = { ...listed, chats: newestPerChat(listed.chats) };
  return sql.transaction(async (tx) => {
    const ids = page.chats.map((c) => toId(c.chatId));
    const states = await storedRows(tx, page.businessId, ids);
    const marked: PendingChat[] = [];
    // Marked chats the upsert leaves alone (listed older than stored): marked by a separate update.
    const behind: bigint[] = [];
    const renamed: Renamed[] = [];
    const rows: SqlValue[][] = [];
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
      const values = chatValues(page.businessId, chat);
      rows.push([...values, pending ? 1 : 0]);
      // A stored chat whose row this upsert moves (never back in time) to a new buyer name.
      const name = values[NAME_AT] == null ? null : String(values[NAME_AT]);
      if (state !== undefined && updatedAt >= state.updatedAt && name !== state.customerName)
        renamed.push({ chatId: id, before: state.customerName, after: name });
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
    const withCursor = cursor !== undefined && tx.dialect === 'postgres' && page.chats.length > 0;
    if (page.chats.length > 0 && tx.dialect === 'postgres') {
      // One statement text whatever the number of chats (a column of values per array), prepared.
      const arrays = CHAT_UPSERT_COLUMNS.map((_, i) => rows.map((r) => r[i] ?? null));
      await tx.all(
        withCursor ? PG_CHAT_UPSERT_MOVING : PG_CHAT_UPSERT,
        [...(withCursor ? [...cursor.cursor, ...cursor.run] : []), ...(arrays as unknown as SqlValue[])],
        { prepare: true },
      );
    } else if (page.chats.length > 0) {
      await tx.run(
        `INSERT INTO chats (${CHAT_UPSERT_COLUMNS.join(', ')}) VALUES ${placeholders(CHAT_UPSERT_COLUMNS.length, page.chats.length)} ${CHAT_UPSERT_TAIL}`,
        rows.flat(),
      );
    }
    if (renamed.length > 0) await renameInIndex(tx, page.businessId, renamed);
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
 * Per page, the ids it added, given each page's ids and the rows the insert skipped (stored already, here
 * or under another chat): each new message is credited to the first page holding it, so a message two
 * pages of a group hold gets one event.
 */
function addedPerPage(pages: HistoryPageWrite[], ids: bigint[][], skipped: Row[]): bigint[][] {
  // Per business, the ids not to credit (again): skipped ones now, credited ones as they are.
  const seen = new Map<bigint, Set<bigint>>();
  const seenOf = (b: bigint) => {
    let set = seen.get(b);
    if (set === undefined) {
      set = new Set<bigint>();
      seen.set(b, set);
    }
    return set;
  };
  for (const r of skipped) seenOf(BigInt(r.business_id as bigint)).add(BigInt(r.message_id as bigint));
  return pages.map((page, i) => {
    const set = seenOf(page.businessId);
    const out: bigint[] = [];
    for (const id of ids[i]!) {
      if (set.has(id)) continue;
      set.add(id);
      out.push(id);
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
    ? sql.transaction(async (tx) => keepWaits(tx, pages, await writeGroupPostgres(tx, pages, group)))
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
        const stored = messageFiles(m);
        if (stored.length === 0 || !fresh.has(toId(m.messageId))) continue;
        for (const f of stored) {
          files.push([page.businessId, toId(m.messageId), f.position, f.name, f.url, f.size]);
        }
      }
      for (const id of ids) events.push([page.businessId, page.chatId, id, 'message', group.now]);
    });
    // Positions in message order across the group, as in PostgreSQL: two pages of one chat (a pass's read
    // and a push's) may hold interleaved ids, and a chat's events must still come in order.
    events.sort((a, b) => byId(a[2] as bigint, b[2] as bigint));
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
    return keepWaits(tx, pages, added);
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
 * every other write transaction. Messages and files come as typed arrays, one element per message or
 * file, each parsed once by the server: one JSON document was parsed three times (validated, taken apart,
 * each page's nested array copied out as text and parsed again), about a quarter of the statement's CPU.
 * It returns the messages it did not insert (stored already; usually none) rather than every inserted one.
 * The snapshot is taken before the lock is granted: ON CONFLICT still sees messages committed meanwhile, but
 * a chat row another writer creates while this one waits is not updated here; it stays owed
 * (history_pending) and the next pass reads that chat once more, so nothing is lost.
 */
const PG_WRITE_GROUP = `WITH lk AS (SELECT ${WRITE_LOCK_CALL} IS NOT NULL AS locked
), src AS (
  SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::text[], $5::text[], $6::timestamptz[], $7::bigint[])
    WITH ORDINALITY AS s(business_id, chat_id, message_id, sender, text, created_at, run_id, ord)
), ins AS (
  INSERT INTO messages (business_id, chat_id, message_id, sender, text, created_at)
  SELECT business_id, chat_id, message_id, sender, text, date_trunc('milliseconds', created_at)
    FROM src WHERE (SELECT locked FROM lk)
  ON CONFLICT (business_id, message_id) DO NOTHING
  RETURNING business_id, chat_id, message_id
), ev AS (
  INSERT INTO events (business_id, chat_id, message_id, kind, recorded_at)
  SELECT business_id, chat_id, message_id, 'message', $8::timestamptz FROM ins ORDER BY message_id
), fl AS (
  INSERT INTO message_files (business_id, message_id, position, name, url, size)
  SELECT f.business_id, f.message_id, f.position, f.name, f.url, f.size
    FROM unnest($9::bigint[], $10::bigint[], $11::bigint[], $12::integer[], $13::text[], $14::text[], $15::bigint[])
      AS f(business_id, chat_id, message_id, position, name, url, size)
   WHERE (SELECT locked FROM lk)
     AND EXISTS (SELECT 1 FROM ins WHERE ins.business_id = f.business_id AND ins.message_id = f.message_id
                 AND ins.chat_id = f.chat_id)
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
  FROM unnest($16::bigint[], $17::bigint[], $18::bigint[], $19::timestamptz[], $20::timestamptz[], $21::timestamptz[], $22::integer[])
    AS v(business_id, chat_id, last_id, last_at, completed_at, threshold, confirm)
  WHERE (SELECT locked FROM lk) AND c.business_id = v.business_id AND c.chat_id = v.chat_id
), rn AS (
  INSERT INTO sync_run_pages (run_id, history_pages, messages_added)
  SELECT v.run_id, v.pages, CASE WHEN $25::boolean THEN (SELECT count(*) FROM ins)
      ELSE (SELECT count(*) FROM (
        SELECT DISTINCT ON (src.business_id, src.message_id) src.run_id FROM ins JOIN src
            ON src.business_id = ins.business_id AND src.message_id = ins.message_id
         ORDER BY src.business_id, src.message_id, src.ord) AS first WHERE first.run_id = v.run_id) END
    FROM unnest($23::bigint[], $24::bigint[]) AS v(run_id, pages) WHERE (SELECT locked FROM lk)
)
SELECT s.business_id, s.message_id FROM src s
 WHERE NOT EXISTS (SELECT 1 FROM ins WHERE ins.business_id = s.business_id AND ins.message_id = s.message_id)`;

async function writeGroupPostgres(
  sql: Sql,
  pages: HistoryPageWrite[],
  group: HistoryGroup,
): Promise<bigint[][]> {
  // One element per message and one per file, the values both engines store (messageValues,
  // messageFiles); node-postgres sends JS arrays as PostgreSQL arrays.
  const m: SqlValue[][] = [[], [], [], [], [], [], []];
  const f: SqlValue[][] = [[], [], [], [], [], [], []];
  const ids = pages.map((page, i) =>
    group.sorted[i]!.map((message) => {
      const values = messageValues(page.businessId, page.chatId, message);
      for (const [k, v] of values.entries()) m[k]!.push(v);
      m[6]!.push(page.runId);
      const id = values[2] as bigint;
      for (const file of messageFiles(message)) {
        for (const [k, v] of [
          page.businessId,
          page.chatId,
          id,
          file.position,
          file.name,
          file.url,
          file.size,
        ].entries())
          f[k]!.push(v);
      }
      return id;
    }),
  );
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
  // Every page of one pass and one business: the pass added exactly the rows inserted.
  const onePass =
    group.runs.size === 1 && pages.every((p) => p.runId !== null && p.businessId === pages[0]!.businessId);
  const params = [...m, group.now, ...f, ...c, ...runs, onePass] as unknown as SqlValue[];
  const skipped = await sql.all(PG_WRITE_GROUP, params, { prepare: true });
  return addedPerPage(pages, ids, skipped);
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
