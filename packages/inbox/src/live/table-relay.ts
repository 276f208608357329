/**
 * The relay through a table (`inbox_live`), for SQLite (and PostgreSQL without a listening connection), where several processes on one file have no
 * notification channel: messages are rows, read by every process with one indexed query per tick. The
 * trigger on `chats` writes its rows here too, so a status change made by a sync in any process (this
 * one included) is read back the same way. Rows older than a few minutes are pruned. The store's event
 * log is watched by its newest position (SQLite has no statement triggers, and one row per message here
 * would double a cold sync's writes).
 */
import type { Sql } from '@ym-chats/sync';
import { encode, newOrigin, type Relay, RelayListeners, type RelayMessage } from './relay.js';

const KEEP_MS = 5 * 60_000;
const BATCH = 500;

export class TableRelay implements Relay {
  private readonly origin = newOrigin();
  private readonly listeners = new RelayListeners(this.origin);
  private mark = 0n;
  private logPosition = 0n;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private closed = false;
  private ticks = 0;

  private constructor(
    private readonly sql: Sql,
    private readonly intervalMs: number,
    private readonly onError: (error: unknown) => void,
  ) {}

  static async open(
    sql: Sql,
    options: { intervalMs?: number; onError?: (error: unknown) => void } = {},
  ): Promise<TableRelay> {
    const relay = new TableRelay(
      sql,
      options.intervalMs ?? 250,
      options.onError ?? ((e) => console.error('inbox live:', e)),
    );
    // Only what is written from now on: older rows were meant for pages that are gone.
    const rows = await sql.all(
      'SELECT (SELECT COALESCE(MAX(id), 0) FROM inbox_live) AS id, (SELECT COALESCE(MAX(position), 0) FROM events) AS log',
    );
    relay.mark = BigInt(rows[0]!.id!);
    relay.logPosition = BigInt(rows[0]!.log!);
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
    const log = BigInt((await this.sql.all('SELECT COALESCE(MAX(position), 0) AS p FROM events'))[0]!.p!);
    if (log > this.logPosition) {
      this.logPosition = log;
      this.listeners.deliver({ kind: 'log' });
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
      await this.sql.run('DELETE FROM inbox_live WHERE at < ?', [
        new Date(Date.now() - KEEP_MS).toISOString(),
      ]);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
    this.listeners.clear();
  }
}
