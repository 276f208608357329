/**
 * The one SQL surface the store is written against, so every query and rule exists once for both engines.
 * Statements use `?` placeholders; the PostgreSQL adapter numbers them. Integers come back as `bigint`
 * (64-bit ids never pass through a lossy `number`), timestamps as ISO 8601 UTC text.
 */
export type SqlValue = string | number | bigint | null;
export type Row = Record<string, SqlValue>;

export type Dialect = 'sqlite' | 'postgres';

export interface Sql {
  readonly dialect: Dialect;
  /**
   * `prepare`: a statement run again and again with the same text (PostgreSQL then parses and plans it
   * once per connection; SQLite always does).
   */
  all<T extends Row = Row>(
    sql: string,
    params?: readonly SqlValue[],
    options?: { prepare?: boolean },
  ): Promise<T[]>;
  /** Runs a statement; resolves with the number of rows it changed. */
  run(sql: string, params?: readonly SqlValue[]): Promise<number>;
  /**
   * Inserts many rows with one statement text whatever their number (chunked multi-row VALUES in SQLite,
   * typed arrays through unnest in PostgreSQL, so the server parses and plans it once). `columns` pairs
   * each column with its PostgreSQL type; `tail` is e.g. an ON CONFLICT clause and RETURNING.
   */
  insertMany(
    table: string,
    columns: [name: string, pgType: string][],
    rows: SqlValue[][],
    tail?: string,
  ): Promise<Row[]>;
  /**
   * Runs `fn` in one write transaction. Write transactions are serialized across processes (SQLite's
   * write lock, a PostgreSQL advisory lock), so the event log's positions follow commit order.
   */
  transaction<T>(fn: (tx: Sql) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** Serializes async critical sections inside one process. */
export class Mutex {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.tail.then(fn, fn);
    this.tail = result.catch(() => undefined);
    return result;
  }
}
