/**
 * Follows the store's event log (one row per newly stored message, in commit order) and keeps the read
 * model's derived tables: the words of each message for search, and each touched chat's waiting state and
 * last message for the queue. A batch of events is a range of log positions, indexed with a few set-based
 * statements in one transaction; the chat state is recomputed from the chat's stored messages (not
 * patched), so a repeated or reordered batch gives the same result. A crash before the position is saved
 * only repeats work. Every process on the database may run one: whoever gets to a range first indexes it.
 */
import type { Sql } from '../db/sql.js';
import type { SyncStore } from '../store/store.js';
import { waitingSinceSql } from '../store/waiting.js';
import type { ChatKey } from './types.js';
import { indexTerms, tsVector } from './words.js';

/** The indexer's position in the event log (`event_positions`). */
export const READ_MODEL_SUBSCRIBER = 'read-model';
const ANALYZE_AFTER = 50_000;

const RANGE = 'e.position > ? AND e.position <= ?';

/** Each message's words and stems (words.ts computes them, the same for both engines). */
async function indexWords(tx: Sql, from: bigint, to: bigint): Promise<void> {
  if (tx.dialect === 'sqlite') {
    const before = BigInt((await tx.all('SELECT COALESCE(MAX(row_id), 0) AS n FROM search_rows'))[0]!.n!);
    await tx.run(
      `INSERT INTO search_rows (business_id, chat_id, message_id)
       SELECT e.business_id, e.chat_id, e.message_id FROM events e WHERE ${RANGE} ORDER BY e.position
       ON CONFLICT (business_id, message_id) DO NOTHING`,
      [from, to],
    );
    // Only rows this batch created get their words (a repeated batch adds nothing twice).
    const rows = await tx.all(
      `SELECT r.row_id, m.text FROM search_rows r
         JOIN messages m ON m.business_id = r.business_id AND m.message_id = r.message_id
        WHERE r.row_id > ? AND m.text IS NOT NULL`,
      [before],
    );
    await tx.insertMany(
      'search_words',
      [
        ['rowid', 'bigint'],
        ['text', 'text'],
      ],
      rows.map((r) => [r.row_id!, indexTerms(String(r.text)).join(' ')]),
    );
    return;
  }
  const rows = await tx.all(
    `SELECT e.business_id, e.chat_id, e.message_id, m.text
       FROM events e JOIN messages m ON m.business_id = e.business_id AND m.message_id = e.message_id
      WHERE ${RANGE}`,
    [from, to],
  );
  await tx.insertMany(
    'search_words',
    [
      ['business_id', 'bigint'],
      ['chat_id', 'bigint'],
      ['message_id', 'bigint'],
      ['words', 'tsvector'],
    ],
    rows.map((r) => [
      r.business_id!,
      r.chat_id!,
      r.message_id!,
      tsVector(indexTerms(r.text as string | null)),
    ]),
    'ON CONFLICT (business_id, message_id) DO NOTHING',
  );
}

/**
 * The buyer names of the chats this range touched, as words and stems: replaced whole (a rename between
 * messages is followed at once by `renameInIndex`).
 */
async function indexNames(tx: Sql, from: bigint, to: bigint): Promise<void> {
  const touched = `SELECT DISTINCT e.business_id, e.chat_id FROM events e WHERE ${RANGE}`;
  await tx.run(`DELETE FROM search_names WHERE (business_id, chat_id) IN (${touched})`, [from, to]);
  const chats = await tx.all(
    `SELECT c.business_id, c.chat_id, c.customer_name FROM (${touched}) t
       JOIN chats c ON c.business_id = t.business_id AND c.chat_id = t.chat_id
      WHERE c.customer_name IS NOT NULL`,
    [from, to],
  );
  const rows = chats.flatMap((c) =>
    indexTerms(String(c.customer_name)).map((term) => [c.business_id!, c.chat_id!, term]),
  );
  await tx.insertMany(
    'search_names',
    [
      ['business_id', 'bigint'],
      ['chat_id', 'bigint'],
      ['term', 'text'],
    ],
    rows,
    'ON CONFLICT DO NOTHING',
  );
}

/**
 * The waiting time by the one rule (`waitingSinceSql`: the buyer's first message after the seller's last
 * one); the preview is the last message (its text, or its first file's name).
 */
async function updateChatState(tx: Sql, from: bigint, to: bigint): Promise<void> {
  await tx.run(
    `INSERT INTO chat_state (business_id, chat_id, waiting_since, last_message_id, last_sender, last_text, last_at)
     SELECT c.business_id, c.chat_id,
       ${waitingSinceSql('c.business_id', 'c.chat_id')},
       l.message_id, l.sender,
       SUBSTR(COALESCE(l.text, (SELECT f.name FROM message_files f
         WHERE f.business_id = l.business_id AND f.message_id = l.message_id ORDER BY f.position LIMIT 1), ''), 1, 300),
       l.created_at
     FROM (SELECT DISTINCT e.business_id, e.chat_id FROM events e WHERE ${RANGE}) c
     JOIN messages l ON l.business_id = c.business_id AND l.message_id =
       (SELECT MAX(x.message_id) FROM messages x WHERE x.business_id = c.business_id AND x.chat_id = c.chat_id)
     WHERE l.chat_id = c.chat_id
     ON CONFLICT (business_id, chat_id) DO UPDATE SET
       waiting_since = excluded.waiting_since,
       last_message_id = excluded.last_message_id,
       last_sender = excluded.last_sender,
       last_text = excluded.last_text,
       last_at = excluded.last_at`,
    [from, to],
  );
}

export interface ReadModelIndexerOptions {
  /** Told which chats got new messages since the last call (by this process's indexing or another's). */
  onChange?: (chats: ChatKey[]) => void;
  /** How often the log is looked at when nothing wakes the indexer. Default 500 ms. */
  intervalMs?: number;
  /** Log rows per transaction. Default 2000. */
  batch?: number;
  onError?: (error: unknown) => void;
}

export class ReadModelIndexer {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private chain: Promise<unknown> = Promise.resolve();
  /** The index position this process's listeners have been told about. */
  private announced: bigint | undefined;
  private ticking = false;
  private wokenWhileRunning = false;
  private readonly sql: Sql;
  private readonly onChange: (chats: ChatKey[]) => void;
  private readonly intervalMs: number;
  private readonly batch: number;
  private readonly onError: (error: unknown) => void;

  constructor(
    private readonly store: SyncStore,
    options: ReadModelIndexerOptions = {},
  ) {
    this.sql = store.database();
    this.onChange = options.onChange ?? (() => {});
    this.intervalMs = options.intervalMs ?? 500;
    this.batch = options.batch ?? 2000;
    this.onError = options.onError ?? ((e) => console.error('store read model:', e));
  }

  start(): void {
    this.tick();
  }

  /**
   * The log grew (a notification said so): index now instead of at the next poll. A pass under way runs
   * once more when it ends, so nothing written during it waits for the poll.
   */
  wake(): void {
    if (this.stopped) return;
    if (this.ticking) {
      this.wokenWhileRunning = true;
      return;
    }
    if (this.timer) clearTimeout(this.timer);
    this.tick();
  }

  private tick(): void {
    if (this.stopped) return;
    this.timer = undefined;
    this.ticking = true;
    this.wokenWhileRunning = false;
    this.running = this.catchUp()
      .then(() => undefined, this.onError)
      .finally(() => {
        this.ticking = false;
        if (this.stopped) return;
        this.timer = setTimeout(() => this.tick(), this.wokenWhileRunning ? 0 : this.intervalMs);
      });
  }

  /**
   * Indexes everything the log holds now, then tells `onChange` which chats changed since it last told;
   * resolves with the number of events indexed here (tests and benches call it).
   */
  catchUp(): Promise<number> {
    // One pass at a time: the timer's and a caller's would otherwise index the same range twice.
    const run = this.chain.then(async () => {
      const indexed = await this.drain();
      await this.announce();
      return indexed;
    });
    this.chain = run.catch(() => undefined);
    return run;
  }

  /** The index position is shared by every process on the database; whoever gets there first indexes. */
  private async drain(): Promise<number> {
    const sql = this.sql;
    let total = 0;
    for (;;) {
      const from = await this.store.savedPosition(READ_MODEL_SUBSCRIBER);
      const range = await sql.all(
        `SELECT MAX(position) AS upto, COUNT(*) AS n FROM
           (SELECT position FROM events WHERE position > ? ORDER BY position LIMIT ?) p`,
        [from, this.batch],
      );
      const count = Number(range[0]?.n ?? 0);
      if (count === 0) return total;
      const to = BigInt(range[0]!.upto as bigint);
      await sql.transaction(async (tx) => {
        await indexWords(tx, from, to);
        await indexNames(tx, from, to);
        await updateChatState(tx, from, to);
      });
      await this.store.savePosition(READ_MODEL_SUBSCRIBER, to);
      total += count;
      // After a big catch-up PostgreSQL's statistics are stale, and the search plan depends on them.
      if (sql.dialect === 'postgres' && total >= ANALYZE_AFTER && total - count < ANALYZE_AFTER) {
        await sql.run('ANALYZE search_words');
        await sql.run('ANALYZE search_names');
        await sql.run('ANALYZE chat_state');
      }
    }
  }

  /**
   * What was indexed since this process last looked (by itself or by another process sharing the
   * database) becomes change notices. The first look only sets the mark.
   */
  private async announce(): Promise<void> {
    const upto = await this.store.savedPosition(READ_MODEL_SUBSCRIBER);
    const from = this.announced;
    this.announced = upto;
    if (from === undefined || upto <= from) return;
    const chats = await this.sql.all(
      `SELECT DISTINCT e.business_id, e.chat_id FROM events e WHERE ${RANGE}`,
      [from, upto],
    );
    this.onChange(chats.map((c) => ({ businessId: Number(c.business_id), chatId: Number(c.chat_id) })));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }
}
