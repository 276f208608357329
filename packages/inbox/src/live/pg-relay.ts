/**
 * The relay over PostgreSQL LISTEN/NOTIFY: one dedicated connection listens on the schema's channel and
 * comes back by itself when it drops (then the pages are told to re-read, since notifications sent
 * meanwhile are gone); messages go out with pg_notify through the store's own pool.
 */
import { CHANGE_CHANNEL_SQL, type Sql } from '@ym-chats/sync';
import { encode, newOrigin, type Relay, RelayListeners, type RelayMessage } from './relay.js';

/** What the listener needs of a `pg.Client` (so the inbox itself does not import `pg`). */
export interface ListenClient {
  connect(): Promise<unknown>;
  query(text: string): Promise<unknown>;
  on(event: 'notification', listener: (message: { channel: string; payload?: string }) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  on(event: 'end', listener: () => void): unknown;
  end(): Promise<void>;
}

export interface PostgresRelayOptions {
  /** A new, unconnected client for the listening connection (e.g. `() => new pg.Client(url)`). */
  connect: () => ListenClient;
  onError?: (error: unknown) => void;
  /** How often the listening connection is checked with a query (a silent network drop shows no error). Default 15 s. */
  checkMs?: number;
  /** A connect, LISTEN, check or goodbye with no answer in this long counts as a drop. Default 10 s. */
  timeoutMs?: number;
}

/**
 * The channel of the store's schema, where the store's triggers announce changes (a schema name may be too
 * long for one); the inbox's processes publish on it too.
 */
export const CHANNEL_SQL = CHANGE_CHANNEL_SQL;

/**
 * The pool the sync store's PostgreSQL adapter keeps, reached by shape: a listening connection must be a
 * connection of its own, made with the same settings (address, credentials, TLS) as the store's.
 */
export function storeClientFactory(sql: Sql): (() => ListenClient) | undefined {
  const pool = (sql as unknown as { pool?: { Client?: unknown; options?: unknown } }).pool;
  if (!pool || typeof pool.Client !== 'function' || typeof pool.options !== 'object' || !pool.options) {
    return undefined;
  }
  const Client = pool.Client as new (options: unknown) => ListenClient;
  const options = pool.options;
  return () => new Client(options);
}

function timed<T>(promise: Promise<T>, what: string, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer in ${ms / 1000} s`)), ms);
    timer.unref();
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/**
 * Ends a listening connection without waiting on it for long: `end()` waits for the server's goodbye,
 * which a silent network never delivers, so past the timeout the socket (a `pg.Client`'s, reached by
 * shape) is destroyed.
 */
async function hangUp(client: ListenClient, ms: number): Promise<void> {
  try {
    await timed(client.end(), 'closing the listener', ms);
  } catch {
    const stream = (client as unknown as { connection?: { stream?: { destroy?: () => void } } }).connection
      ?.stream;
    stream?.destroy?.();
  }
}

export class PostgresRelay implements Relay {
  private readonly origin = newOrigin();
  private readonly listeners = new RelayListeners(this.origin);
  private client: ListenClient | undefined;
  private closed = false;
  private retryMs = 250;
  private retryTimer: NodeJS.Timeout | undefined;
  private readonly checkTimer: NodeJS.Timeout;
  private connecting: Promise<void> | undefined;
  private readonly onError: (error: unknown) => void;
  private readonly timeoutMs: number;

  private constructor(
    private readonly sql: Sql,
    private readonly channel: string,
    private readonly options: PostgresRelayOptions,
  ) {
    this.onError = options.onError ?? ((e) => console.error('inbox live (postgres):', e));
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.checkTimer = setInterval(() => this.check(), options.checkMs ?? 15_000);
    this.checkTimer.unref();
  }

  /** Starts listening; resolves once the first LISTEN is in place (or has failed and will be retried). */
  static async open(sql: Sql, options: PostgresRelayOptions): Promise<PostgresRelay> {
    const rows = await sql.all(CHANNEL_SQL);
    const relay = new PostgresRelay(sql, String(rows[0]!.channel), options);
    await relay.listen(false);
    return relay;
  }

  publish(message: RelayMessage): void {
    if (this.closed) return;
    this.sql
      .run('SELECT pg_notify(?, ?)', [this.channel, encode(this.origin, message)])
      .catch((error: unknown) => this.onError(error));
  }

  subscribe(listener: (message: RelayMessage) => void): () => void {
    return this.listeners.subscribe(listener);
  }

  onGap(listener: () => void): () => void {
    return this.listeners.onGap(listener);
  }

  /** True while the listening connection is up (tests and diagnostics). */
  get listening(): boolean {
    return this.client !== undefined && this.connecting === undefined;
  }

  private listen(afterDrop: boolean): Promise<void> {
    this.connecting ??= this.connectOnce(afterDrop).finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  private async connectOnce(afterDrop: boolean): Promise<void> {
    if (this.closed) return;
    const client = this.options.connect();
    let dropped = false;
    const drop = (error?: Error) => {
      if (dropped) return;
      dropped = true;
      if (this.client === client) this.client = undefined;
      void hangUp(client, this.timeoutMs);
      if (this.closed) return;
      if (error) this.onError(error);
      this.scheduleRetry();
    };
    client.on('error', (error) => drop(error));
    client.on('end', () => drop());
    client.on('notification', (n) => {
      if (n.channel === this.channel && n.payload !== undefined) this.listeners.receive(n.payload);
    });
    try {
      await timed(client.connect(), 'connecting the listener', this.timeoutMs);
      await timed(client.query(`LISTEN "${this.channel}"`), 'LISTEN', this.timeoutMs);
    } catch (error) {
      drop(error instanceof Error ? error : new Error(String(error)));
      return;
    }
    if (this.closed) {
      await hangUp(client, this.timeoutMs);
      return;
    }
    this.client = client;
    this.retryMs = 250;
    // Whatever was notified while nobody listened is lost: the pages re-read instead.
    if (afterDrop) this.listeners.gap();
  }

  private scheduleRetry(): void {
    if (this.closed || this.retryTimer) return;
    const wait = this.retryMs;
    this.retryMs = Math.min(this.retryMs * 2, 5_000);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.listen(true);
    }, wait);
    this.retryTimer.unref();
  }

  private check(): void {
    const client = this.client;
    if (!client || this.connecting) return;
    timed(client.query('SELECT 1'), 'checking the listener', this.timeoutMs).catch((error: unknown) => {
      if (this.client !== client) return;
      this.client = undefined;
      void hangUp(client, this.timeoutMs);
      this.onError(error);
      this.scheduleRetry();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.checkTimer);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    await this.connecting;
    const client = this.client;
    this.client = undefined;
    this.listeners.clear();
    if (client) await hangUp(client, this.timeoutMs);
  }
}
