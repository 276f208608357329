/**
 * The one migration runner for every component that keeps tables in the store's database (the store
 * itself, the inbox, the workers). Each component has its own numbered migrations and its own version
 * table, so each upgrades on its own; the behaviour is the same for all:
 *
 * - a database at a version newer than the component's code is refused before anything is applied;
 * - each migration runs in a transaction of its own: a failure rolls back that migration only, leaves the
 *   ones before it applied, and names the one that failed;
 * - the transactions are the store's write transactions (SQLite's write lock, PostgreSQL's advisory lock
 *   per schema), and each re-reads what is applied under that lock, so processes opening one store at once
 *   apply every migration once;
 * - it resolves with the versions it applied (empty when the database was current).
 */
import type { Dialect, Sql } from '../db/sql.js';
import { DIALECT_TYPES, type DialectTypes } from './dialect.js';

export interface Migration {
  version: number;
  name: string;
  /** Its statements for one engine (`types`: that engine's names for the types that differ). */
  statements(types: DialectTypes, dialect: Dialect): readonly string[];
}

export interface MigrationSet {
  /** Who owns these tables, as errors name it (`@ym-chats/inbox`). */
  owner: string;
  /** The table recording the applied versions: one per component, never shared. */
  table: string;
  /** In increasing version order. A migration, once released, is never edited. */
  migrations: readonly Migration[];
}

export class MigrationError extends Error {
  override readonly name = 'MigrationError';
}

const TABLE_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export function latestVersion(set: MigrationSet): number {
  return set.migrations.at(-1)?.version ?? 0;
}

/** Applies the migrations of `set` the database has not seen yet; resolves with their versions. */
export async function runMigrations(sql: Sql, set: MigrationSet): Promise<number[]> {
  checkSet(set);
  const known = latestVersion(set);
  const done = await sql.transaction(async (tx) => {
    await ensureVersionTable(tx, set.table);
    return appliedVersions(tx, set, known);
  });
  const applied: number[] = [];
  for (const migration of set.migrations) {
    if (done.has(migration.version)) continue;
    const ran = await sql.transaction(async (tx) => {
      // Another process may have applied it since the first look, under the same lock.
      if ((await appliedVersions(tx, set, known)).has(migration.version)) return false;
      try {
        for (const statement of migration.statements(DIALECT_TYPES[tx.dialect], tx.dialect)) {
          await tx.run(statement);
        }
      } catch (error) {
        throw new MigrationError(
          `${set.owner}: migration ${migration.version} (${migration.name}) failed and was rolled back` +
            `${applied.length > 0 ? ` (${applied.join(', ')} applied before it stay)` : ''}: ${(error as Error).message}`,
          { cause: error },
        );
      }
      await tx.run(`INSERT INTO ${set.table} (version, name, applied_at) VALUES (?, ?, ?)`, [
        migration.version,
        migration.name,
        new Date().toISOString(),
      ]);
      return true;
    });
    if (ran) applied.push(migration.version);
  }
  return applied;
}

function checkSet(set: MigrationSet): void {
  if (!TABLE_NAME.test(set.table))
    throw new TypeError(`${set.owner}: "${set.table}" is not a plain table name`);
  let previous = 0;
  for (const m of set.migrations) {
    if (!Number.isInteger(m.version) || m.version <= previous) {
      throw new TypeError(`${set.owner}: migration versions must increase (${m.version} after ${previous})`);
    }
    previous = m.version;
  }
}

/** The applied versions; a version beyond what this code knows is refused here, before anything runs. */
async function appliedVersions(tx: Sql, set: MigrationSet, known: number): Promise<Set<number>> {
  const done = new Set(
    (await tx.all<{ version: bigint | number }>(`SELECT version FROM ${set.table}`)).map((r) =>
      Number(r.version),
    ),
  );
  const newest = Math.max(0, ...done);
  if (newest > known) {
    throw new MigrationError(
      `${set.owner}: the database's tables are at schema version ${newest}, newer than this ${set.owner} knows (${known}); upgrade the package`,
    );
  }
  return done;
}

/**
 * In the write transaction: PostgreSQL's IF NOT EXISTS is not safe against a concurrent CREATE. A table
 * made before this runner may lack `name` (the workers' did): it gets the column, nullable.
 */
async function ensureVersionTable(tx: Sql, table: string): Promise<void> {
  const ts = DIALECT_TYPES[tx.dialect].ts;
  await tx.run(
    `CREATE TABLE IF NOT EXISTS ${table} (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at ${ts} NOT NULL)`,
  );
  const columns =
    tx.dialect === 'sqlite'
      ? await tx.all<{ name: string }>('SELECT name FROM pragma_table_info(?)', [table])
      : await tx.all<{ name: string }>(
          `SELECT column_name AS name FROM information_schema.columns
            WHERE table_schema = current_schema() AND table_name = ?`,
          [table],
        );
  if (!columns.some((c) => c.name === 'name')) await tx.run(`ALTER TABLE ${table} ADD COLUMN name TEXT`);
}
