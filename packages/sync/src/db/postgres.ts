/** node-postgres behind the `Sql` surface: a small pool, one schema, int8 as bigint, timestamptz as ISO. */
import { createHash } from 'node:crypto';
import pg from 'pg';
import type { Row, Sql, SqlValue } from './sql.js';

const INT8_OID = 20;
const TIMESTAMPTZ_OID = 1184;
/** With the schema, the key of the advisory lock that serializes this store's write transactions. */
export const WRITE_LOCK_KEY = 7_303_001;
/**
 * The store's write lock, taken inside a statement that is a transaction of its own (autocommit): held
 * until that statement commits, like the lock `transaction` takes.
 */
export const WRITE_LOCK_CALL = `pg_advisory_xact_lock(${WRITE_LOCK_KEY}, hashtext(current_schema()))`;

/** `2026-11-25 10:00:00.123+00` (the session runs in UTC) → `2026-11-25T10:00:00.123Z`. */
function isoFromPg(text: string): string {
  return new Date(`${text.replace(' ', 'T').replace(/([+-]\d\d)$/, '$1:00')}`).toISOString();
}

const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8_OID) return (value: string) => BigInt(value);
    if (oid === TIMESTAMPTZ_OID) return isoFromPg;
    return pg.types.getTypeParser(oid, format);
  },
} as pg.CustomTypesConfig;

function numbered(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

/** A schema name used as an identifier, so only plain names are accepted. */
export function checkSchemaName(schema: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
    throw new TypeError(`schema: "${schema}" must be a lower-case SQL identifier (a-z, 0-9, _)`);
  }
  return schema;
}

const names = new Map<string, string>();
/** A named statement is parsed and planned once per connection; the name follows from the text. */
function statementName(text: string): string {
  let name = names.get(text);
  if (name === undefined) {
    name = `ym_${createHash('sha1').update(text).digest('hex').slice(0, 16)}`;
    names.set(text, name);
  }
  return name;
}

type Queryable = pg.Pool | pg.PoolClient;
type Begin = <T>(fn: (tx: Sql) => Promise<T>) => Promise<T>;

/** Queries on the pool, or on the one client of an open transaction (then `begin` is absent). */
class Session implements Sql {
  readonly dialect = 'postgres' as const;
  constructor(
    private readonly target: Queryable,
    private readonly begin: Begin | undefined,
  ) {}

  async all<T extends Row = Row>(
    sql: string,
    params: readonly SqlValue[] = [],
    options: { prepare?: boolean } = {},
  ): Promise<T[]> {
    const text = numbered(sql);
    const result = options.prepare
      ? await this.target.query({ name: statementName(text), text, values: params as SqlValue[] })
      : await this.target.query(text, params as SqlValue[]);
    return result.rows as T[];
  }

  async run(sql: string, params: readonly SqlValue[] = []): Promise<number> {
    const result = await this.target.query(numbered(sql), params as SqlValue[]);
    return result.rowCount ?? 0;
  }

  async insertMany(
    table: string,
    columns: [string, string][],
    rows: SqlValue[][],
    tail = '',
  ): Promise<Row[]> {
    if (rows.length === 0) return [];
    const text =
      `INSERT INTO ${table} (${columns.map((c) => c[0]).join(', ')}) ` +
      `SELECT * FROM unnest(${columns.map((c, i) => `$${i + 1}::${c[1]}[]`).join(', ')}) ${tail}`;
    const values = columns.map((_, i) => rows.map((r) => r[i] ?? null));
    const result = await this.target.query({ name: statementName(text), text, values });
    return result.rows as Row[];
  }

  transaction<T>(fn: (tx: Sql) => Promise<T>): Promise<T> {
    return this.begin ? this.begin(fn) : fn(this);
  }

  async close(): Promise<void> {}
}

export class PostgresSql extends Session {
  private constructor(private readonly pool: pg.Pool) {
    super(pool, (fn) => this.withTransaction(fn));
  }

  static open(
    url: string,
    schema = 'public',
    options: { connectionLifetimeSeconds?: number } = {},
  ): PostgresSql {
    checkSchemaName(schema);
    const pool = new pg.Pool({
      connectionString: url,
      max: 4,
      types,
      // Each connection plans the prepared writes once (generic plans), with the table sizes of that moment:
      // one opened on a near-empty store (the first pass of a long-running serve) keeps a plan that scans every
      // chat per history group. A connection lives ten minutes, so plans follow the tables as they grow.
      maxLifetimeSeconds: options.connectionLifetimeSeconds ?? 600,
      // synchronous_commit off: a commit is final once the server has it (a killed client loses nothing);
      // only a crash of the server itself within its WAL writer delay (200 ms) could drop the last pages,
      // which the next pass then reads again. On, every page would wait for a disk flush.
      // plan_cache_mode: the named statements (bulk writes over unnest) are planned once per connection,
      // not again for each of their first executions.
      options: `-c search_path=${schema} -c TimeZone=UTC -c synchronous_commit=off -c plan_cache_mode=force_generic_plan`,
    });
    // A client that loses its connection (a server restart, a failover) must not crash the process: pg
    // emits 'error' on the client, and pg-pool listens only while the client is idle. The failed query still
    // rejects, so the transaction fails and its caller retries; the next query reconnects.
    pool.on('error', () => undefined);
    pool.on('connect', (client) => client.on('error', () => undefined));
    return new PostgresSql(pool);
  }

  private async withTransaction<T>(fn: (tx: Sql) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      // One round trip (a parameterless query may hold several statements). Keyed by schema: stores in
      // other schemas of the same database write independently.
      await client.query(`BEGIN; SELECT ${WRITE_LOCK_CALL}`);
      const result = await fn(new Session(client, undefined));
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  override async close(): Promise<void> {
    await this.pool.end();
  }
}
