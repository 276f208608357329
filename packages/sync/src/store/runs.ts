/**
 * Passes you can see and resume: one `sync_runs` row per pass, and per business at most one cursor — the
 * pass in progress and the listing page it has reached. A pass that finds a cursor continues that pass.
 */
import type { Sql } from '../db/sql.js';

export type RunTrigger = 'once' | 'watch' | 'reconcile';

export interface RunRecord {
  runId: bigint;
  businessId: bigint;
  trigger: string;
  state: 'running' | 'done' | 'failed' | (string & {});
  startedAt: string;
  finishedAt: string | null;
  chatPages: number;
  historyPages: number;
  chatsSeen: number;
  chatsChanged: number;
  messagesAdded: number;
  error: string | null;
}

export interface Cursor {
  runId: bigint;
  chatsPageToken: string | null;
  listingDone: boolean;
}

/** Continues the interrupted pass of this business, or starts a new one. */
export async function beginPass(
  sql: Sql,
  businessId: bigint,
  trigger: RunTrigger,
  now: string,
): Promise<{ cursor: Cursor; resumed: boolean }> {
  return sql.transaction(async (tx) => {
    const rows = await tx.all(
      'SELECT run_id, chats_page_token, listing_done FROM sync_cursors WHERE business_id = ?',
      [businessId],
    );
    const row = rows[0];
    if (row !== undefined) {
      await tx.run("UPDATE sync_runs SET state = 'running' WHERE run_id = ?", [row.run_id ?? null]);
      return {
        cursor: {
          runId: BigInt(row.run_id as bigint),
          chatsPageToken: row.chats_page_token === null ? null : String(row.chats_page_token),
          listingDone: Number(row.listing_done) === 1,
        },
        resumed: true,
      };
    }
    const inserted = await tx.all(
      "INSERT INTO sync_runs (business_id, trigger, state, started_at) VALUES (?, ?, 'running', ?) RETURNING run_id",
      [businessId, trigger, now],
    );
    const runId = BigInt(inserted[0]!.run_id as bigint);
    await tx.run(
      'INSERT INTO sync_cursors (business_id, run_id, chats_page_token, listing_done, updated_at) VALUES (?, ?, NULL, 0, ?)',
      [businessId, runId, now],
    );
    return { cursor: { runId, chatsPageToken: null, listingDone: false }, resumed: false };
  });
}

/** The listing is starting over (e.g. the platform refused an old page token). */
export async function restartListing(sql: Sql, businessId: bigint): Promise<void> {
  await sql.run('UPDATE sync_cursors SET chats_page_token = NULL, listing_done = 0 WHERE business_id = ?', [
    businessId,
  ]);
}

export async function finishPass(sql: Sql, businessId: bigint, runId: bigint, now: string): Promise<void> {
  await sql.transaction(async (tx) => {
    await tx.run('DELETE FROM sync_cursors WHERE business_id = ? AND run_id = ?', [businessId, runId]);
    await foldPageCounts(tx, runId);
    await tx.run("UPDATE sync_runs SET state = 'done', finished_at = ? WHERE run_id = ?", [now, runId]);
  });
}

/** Records why a pass stopped; its cursor stays, so the next pass resumes it. */
export async function failPass(sql: Sql, runId: bigint, error: string, now: string): Promise<void> {
  await sql.transaction(async (tx) => {
    await foldPageCounts(tx, runId);
    await tx.run("UPDATE sync_runs SET state = 'failed', finished_at = ?, error = ? WHERE run_id = ?", [
      now,
      error.slice(0, 2000),
      runId,
    ]);
  });
}

/** Adds the history counts a pass's commits appended (`sync_run_pages`) to its row, and drops them. */
async function foldPageCounts(tx: Sql, runId: bigint): Promise<void> {
  await tx.run(
    `UPDATE sync_runs SET
       history_pages = history_pages + COALESCE((SELECT SUM(history_pages) FROM sync_run_pages WHERE run_id = ?), 0),
       messages_added = messages_added + COALESCE((SELECT SUM(messages_added) FROM sync_run_pages WHERE run_id = ?), 0)
     WHERE run_id = ?`,
    [runId, runId, runId],
  );
  await tx.run('DELETE FROM sync_run_pages WHERE run_id = ?', [runId]);
}

export async function listRuns(sql: Sql, businessId: bigint, limit = 20): Promise<RunRecord[]> {
  // A pass's counts still in sync_run_pages (it runs, or was killed) are counted in.
  const rows = await sql.all(
    `SELECT r.*,
            r.history_pages + COALESCE((SELECT SUM(p.history_pages) FROM sync_run_pages p WHERE p.run_id = r.run_id), 0) AS pages_total,
            r.messages_added + COALESCE((SELECT SUM(p.messages_added) FROM sync_run_pages p WHERE p.run_id = r.run_id), 0) AS added_total
       FROM sync_runs r WHERE r.business_id = ? ORDER BY r.run_id DESC LIMIT ?`,
    [businessId, limit],
  );
  return rows.map((r) => ({
    runId: BigInt(r.run_id as bigint),
    businessId: BigInt(r.business_id as bigint),
    trigger: String(r.trigger),
    state: String(r.state),
    startedAt: String(r.started_at),
    finishedAt: r.finished_at === null ? null : String(r.finished_at),
    chatPages: Number(r.chat_pages),
    historyPages: Number(r.pages_total),
    chatsSeen: Number(r.chats_seen),
    chatsChanged: Number(r.chats_changed),
    messagesAdded: Number(r.added_total),
    error: r.error === null ? null : String(r.error),
  }));
}

/** How many businesses have finished at least one pass (a fleet's progress at a glance). */
export async function businessesPassed(sql: Sql): Promise<number> {
  const rows = await sql.all("SELECT COUNT(DISTINCT business_id) AS n FROM sync_runs WHERE state = 'done'");
  return Number(rows[0]?.n ?? 0);
}
