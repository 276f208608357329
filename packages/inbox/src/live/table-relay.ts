/**
 * The relay through a table (`inbox_live`), for SQLite (and PostgreSQL without a listening connection),
 * where several processes on one file have no notification channel: messages are rows, read by every
 * process with one indexed query per tick. The store's change feed (`store.reads`) is read on the same
 * tick: a status change made by a sync in any process (this one included) is a row there, and the event
 * log is watched by its newest position (SQLite has no statement triggers, and one row per message would
 * double a cold sync's writes). Rows older than a few minutes are pruned from both.
 */
import type { Sql, StoreReads, SyncStore } from '@ym-chats/sync';
import { encode, newOrigin, type Relay, RelayListeners, type RelayMessage } from './relay.js';

const KEEP_MS = 5 * 60_000;
const BATCH = 500;

export class TableRelay implements Relay {
  private readonly origin = newOrigin();
  private readonly listeners = new RelayListeners(this.origin);
  private mark = 0n;
  private chatMark = 0n;
  private logPosition = 0n;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private closed = false;
  private ticks = 0;

  private constructor(
    private readonly sql: Sql,
    private readonly reads: StoreReads,
    private readonly intervalMs: number,
    private readonly onError: (error: unknown) => void,
  ) {}

  static async open(
    store: SyncStore,
    options: { intervalMs?: number; onError?: (error: unknown) => void } = {},
  ): Promise<TableRelay> {
    const sql = store.database();
    const relay = new TableRelay(
      sql,
      store.reads,
      options.intervalMs ?? 250,
      options.onError ?? ((e) => console.error('inbox live:', e)),
    );
    // Only what is written from now on: older rows were meant for pages that are gone.
    const rows = await sql.all('SELECT COALESCE(MAX(id), 0) AS id FROM inbox_live');
    const marks = await store.reads.changeMarks();
    relay.mark = BigInt(rows[0]!.id!);
    relay.chatMark = marks.chat;
    relay.logPosition = marks.log;
    relay.schedule();
    return relay;
  }

  publish(message: RelayMessage): void {
    if (this.closed) return;
    this.sql
      .run('INSERT INTO inbox_live (payload, at) VALUES (?, ?)', [
        encode(this.origin, message),
        new Date().toISOString(),
      ])
      .catch((error: unknown) => this.onError(error));
  }

  subscribe(listener: (message: RelayMessage) => void): () => void {
    return this.listeners.subscribe(listener);
  }

  /** Rows are never lost while the process runs, so there are no gaps to report. */
  onGap(listener: () => void): () => void {
    return this.listeners.onGap(listener);
  }

  private schedule(): void {
    if (this.closed) return;
    this.timer = setTimeout(() => {
      this.running = this.poll()
        .catch((error: unknown) => this.onError(error))
        .finally(() => this.schedule());
    }, this.intervalMs);
    this.timer.unref();
  }

  private async poll(): Promise<void> {
    const log = await this.reads.logPosition();
    if (log > this.logPosition) {
      this.logPosition = log;
      this.listeners.deliver({ kind: 'log' });
    }
    for (;;) {
      const changes = await this.reads.chatChangesAfter(this.chatMark, BATCH);
      for (const change of changes) {
        this.chatMark = change.id;
        if (!this.closed)
          this.listeners.deliver({ kind: 'chat', businessId: change.businessId, chatId: change.chatId });
      }
      if (changes.length < BATCH) break;
    }
    for (;;) {
      const rows = await this.sql.all('SELECT id, payload FROM inbox_live WHERE id > ? ORDER BY id LIMIT ?', [
        this.mark,
        BATCH,
      ]);
      for (const row of rows) {
        this.mark = BigInt(row.id!);
        if (!this.closed) this.listeners.receive(String(row.payload));
      }
      if (rows.length < BATCH) break;
    }
    this.ticks += 1;
    if (this.ticks % 240 === 0) {
      const before = new Date(Date.now() - KEEP_MS).toISOString();
      await this.sql.run('DELETE FROM inbox_live WHERE at < ?', [before]);
      await this.reads.pruneChatChanges(before);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
    this.listeners.clear();
  }
}
