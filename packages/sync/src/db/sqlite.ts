/** better-sqlite3 behind the `Sql` surface: one file, WAL, integers as bigint. */
import { chmodSync, closeSync, constants, fchmodSync, mkdirSync, openSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { Mutex, type Row, type Sql, type SqlValue } from './sql.js';
import { SqliteCheckpointer } from './sqlite-checkpointer.js';

/** Rows per multi-row INSERT: well inside SQLite's 32 766 parameters, few distinct statements. */
const BULK_ROWS = 100;

export class SqliteSql implements Sql {
  readonly dialect = 'sqlite' as const;
  private readonly statements = new Map<string, Database.Statement>();
  private readonly bulk = new Map<string, Database.Statement>();
  private readonly writes = new Mutex();

  private checkpointer: SqliteCheckpointer | undefined;

  constructor(
    readonly db: Database.Database,
    private readonly file = ':memory:',
  ) {}

  /**
   * A stream of writes is coming (a pass's history pages): from now on WAL checkpoints run on a thread of
   * their own (see SqliteCheckpointer). Started on first need, so a store that is only read, or written
   * now and then, costs no thread.
   */
  checkpointInBackground(): void {
    if (this.checkpointer !== undefined || this.file === ':memory:' || !this.db.open) return;
    this.checkpointer = SqliteCheckpointer.start(this.db, this.file);
  }

  /** `warn`: says once that an existing store is open to other users (see `createPrivately`). */
  static open(file: string, warn: (message: string) => void = defaultWarn): SqliteSql {
    if (file !== ':memory:' && file !== '') createPrivately(file, warn);
    const db = new Database(file);
    db.defaultSafeIntegers(true);
    if (file !== ':memory:') db.pragma('journal_mode = WAL');
    // WAL with NORMAL: every commit survives the process being killed (the write is in the OS before
    // COMMIT returns); only an OS crash or power loss can drop the last commits. FULL would fsync every
    // acknowledged push, tens of milliseconds each on ordinary disks.
    db.pragma(`synchronous = ${file === ':memory:' ? 'OFF' : 'NORMAL'}`);
    db.pragma('busy_timeout = 10000');
    return new SqliteSql(db, file);
  }

  private prepare(sql: string): Database.Statement {
    let stmt = this.statements.get(sql);
    if (!stmt) {
      stmt = this.db.prepare(sql);
      this.statements.set(sql, stmt);
    }
    return stmt;
  }

  async all<T extends Row = Row>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
    const stmt = this.prepare(sql);
    // A statement without result columns (an INSERT without RETURNING) has no rows to give.
    if (!stmt.reader) {
      stmt.run(...params);
      return [];
    }
    return stmt.all(...params) as T[];
  }

  async insertMany(
    table: string,
    columns: [string, string][],
    rows: SqlValue[][],
    tail = '',
  ): Promise<Row[]> {
    const out: Row[] = [];
    const width = columns.length;
    for (let i = 0; i < rows.length; i += BULK_ROWS) {
      const n = Math.min(BULK_ROWS, rows.length - i);
      const stmt = this.bulkStatement(table, columns, tail, n);
      const params: SqlValue[] = new Array(n * width);
      for (let r = 0; r < n; r++) {
        const row = rows[i + r]!;
        for (let c = 0; c < width; c++) params[r * width + c] = row[c] ?? null;
      }
      if (stmt.reader) for (const row of stmt.all(params) as Row[]) out.push(row);
      else stmt.run(params);
    }
    return out;
  }

  /** One statement per table, tail and row count, built and prepared once. */
  private bulkStatement(
    table: string,
    columns: [string, string][],
    tail: string,
    n: number,
  ): Database.Statement {
    const key = `${table}\n${tail}\n${n}\n${columns.map((c) => c[0]).join(',')}`;
    let stmt = this.bulk.get(key);
    if (!stmt) {
      const row = `(${columns.map(() => '?').join(', ')})`;
      stmt = this.db.prepare(
        `INSERT INTO ${table} (${columns.map((c) => c[0]).join(', ')}) VALUES ${Array.from({ length: n }, () => row).join(', ')} ${tail}`,
      );
      this.bulk.set(key, stmt);
    }
    return stmt;
  }

  async run(sql: string, params: readonly SqlValue[] = []): Promise<number> {
    return this.prepare(sql).run(...params).changes;
  }

  transaction<T>(fn: (tx: Sql) => Promise<T>): Promise<T> {
    // Awaiting inside a better-sqlite3 transaction is not allowed, so BEGIN/COMMIT are issued by hand; the
    // mutex keeps other async work of this process out until the commit.
    return this.writes.run(async () => {
      this.db.exec('BEGIN IMMEDIATE');
      try {
        const result = await fn(this);
        this.db.exec('COMMIT');
        return result;
      } catch (error) {
        if (this.db.inTransaction) this.db.exec('ROLLBACK');
        throw error;
      }
    });
  }

  async close(): Promise<void> {
    await this.writes.run(async () => {
      // The thread's connection closes first, so this one is the last and checkpoints the rest on closing.
      await this.checkpointer?.close();
      if (this.db.open) this.db.close();
    });
  }
}

/** Without a caller's channel, Node's own: printed on stderr, and `process.on('warning')` sees it. */
function defaultWarn(message: string): void {
  process.emitWarning(message, { code: 'YM_CHATS_STORE_SHARED' });
}

const PRIVATE_FILE = 0o600;
const PRIVATE_DIR = 0o700;

/**
 * A store holds buyers' names and messages and, with workers, sealed credentials: a new store file is
 * created here 0600 before SQLite opens it (SQLite gives its -wal and -shm files the database file's mode),
 * in directories created 0700, whatever the umask. An existing store others can read is not changed behind
 * its owner's back: one warning names the chmod that makes it private.
 */
function createPrivately(file: string, warn: (message: string) => void): void {
  const dir = dirname(file);
  const first = mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR });
  // mkdir's mode passes through the umask; the directories made here are set exactly.
  if (first !== undefined) {
    for (let d = dir; ; d = dirname(d)) {
      chmodSync(d, PRIVATE_DIR);
      if (d === first || d === dirname(d)) break;
    }
  }
  try {
    const fd = openSync(file, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY, PRIVATE_FILE);
    try {
      fchmodSync(fd, PRIVATE_FILE);
    } finally {
      closeSync(fd);
    }
    return;
  } catch (error) {
    if ((error as { code?: string }).code !== 'EEXIST') throw error;
  }
  if (process.platform === 'win32') return; // no such mode bits to check
  const shared: { path: string; mode: number }[] = [];
  for (const path of [file, `${file}-wal`, `${file}-shm`]) {
    try {
      const mode = statSync(path).mode & 0o777;
      if ((mode & 0o077) !== 0) shared.push({ path, mode });
    } catch {
      // Absent (no WAL yet), or a path SQLite itself reports on opening.
    }
  }
  if (shared.length === 0) return;
  warn(
    `the store ${file} holds buyers' names and messages, and other users of this machine can open ` +
      `${shared.map((s) => `${s.path} (mode ${s.mode.toString(8).padStart(3, '0')})`).join(', ')}. ` +
      `Make it private: chmod 600 ${shared.map((s) => s.path).join(' ')}`,
  );
}
