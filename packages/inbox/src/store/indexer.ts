/**
 * Follows the sync store's event log (one event per newly stored message, in commit order) and keeps the
 * inbox's derived tables: the words of each message for search, and each chat's waiting state and last
 * message for the queue. Then it tells the inbox which chats changed. Each batch is written in one
 * transaction and is idempotent, so a crash before the position is saved only repeats work.
 */
import type { MessageEvent, Sql, SyncStore } from '@ym-chats/sync';
import type { SourceChange } from '../types.js';

export const SUBSCRIBER = 'inbox';
const BATCH = 500;

async function indexSqlite(tx: Sql, event: MessageEvent): Promise<void> {
  const m = event.message;
  const rows = await tx.all<{ row_id: bigint }>(
    `INSERT INTO inbox_search_rows (business_id, chat_id, message_id) VALUES (?, ?, ?)
     ON CONFLICT (business_id, message_id) DO NOTHING RETURNING row_id`,
    [m.businessId, m.chatId, m.messageId],
  );
  const row = rows[0];
  if (row && m.text)
    await tx.run('INSERT INTO inbox_search (rowid, text) VALUES (?, ?)', [row.row_id, m.text]);
}

async function indexPostgres(tx: Sql, event: MessageEvent): Promise<void> {
  const m = event.message;
  await tx.run(
    `INSERT INTO inbox_search (business_id, chat_id, message_id, words)
     VALUES (?, ?, ?, to_tsvector('simple', ?)) ON CONFLICT (business_id, message_id) DO NOTHING`,
    [m.businessId, m.chatId, m.messageId, m.text ?? ''],
  );
}

/**
 * A seller message ends the wait; the first buyer message after it starts one. Only a message newer than
 * the last one seen moves the state (events of one chat can be repeated, never reordered backwards).
 */
async function updateChatState(tx: Sql, event: MessageEvent): Promise<void> {
  const m = event.message;
  const preview = m.text ?? m.files.map((f) => f.name || 'file').join(', ');
  const startsWait = m.sender === 'CUSTOMER' ? m.createdAt : null;
  const endsWait = m.sender === 'PARTNER' ? 1 : 0;
  await tx.run(
    `INSERT INTO inbox_chat_state (business_id, chat_id, waiting_since, last_message_id, last_sender, last_text, last_at)
     VALUES (?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (business_id, chat_id) DO UPDATE SET
       waiting_since = CASE WHEN ? = 1 THEN NULL
                            ELSE COALESCE(inbox_chat_state.waiting_since, excluded.waiting_since) END,
       last_message_id = excluded.last_message_id,
       last_sender = excluded.last_sender,
       last_text = excluded.last_text,
       last_at = excluded.last_at
     WHERE excluded.last_message_id > inbox_chat_state.last_message_id`,
    [m.businessId, m.chatId, startsWait, m.messageId, m.sender, preview.slice(0, 300), m.createdAt, endsWait],
  );
}

export class Indexer {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly store: SyncStore,
    private readonly onChange: (changes: SourceChange[]) => void,
    private readonly intervalMs = 500,
    private readonly onError: (error: unknown) => void = (e) => console.error('inbox indexer:', e),
  ) {}

  start(): void {
    const tick = () => {
      if (this.stopped) return;
      this.running = this.catchUp()
        .then(() => undefined, this.onError)
        .finally(() => {
          if (!this.stopped) this.timer = setTimeout(tick, this.intervalMs);
        });
    };
    tick();
  }

  /** Indexes everything the log holds now; resolves when done (tests and benches call it directly). */
  catchUp(): Promise<number> {
    // One pass at a time: the timer's and a caller's would otherwise index the same batch twice.
    const run = this.chain.then(() => this.drain());
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async drain(): Promise<number> {
    let total = 0;
    for (;;) {
      const position = await this.store.savedPosition(SUBSCRIBER);
      const events = await this.store.eventsAfter(position, BATCH);
      if (events.length === 0) return total;
      const index = this.store.dialect === 'sqlite' ? indexSqlite : indexPostgres;
      await this.store.sql.transaction(async (tx) => {
        for (const event of events) {
          await index(tx, event);
          await updateChatState(tx, event);
        }
      });
      await this.store.savePosition(SUBSCRIBER, events[events.length - 1]!.position);
      total += events.length;
      const changed = new Map<string, SourceChange>();
      for (const { message: m } of events) {
        changed.set(`${m.businessId}:${m.chatId}`, {
          kind: 'message',
          businessId: Number(m.businessId),
          chatId: Number(m.chatId),
          messageId: Number(m.messageId),
        });
      }
      this.onChange([...changed.values()]);
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }
}
