/**
 * The workers' own tables, beside the sync store's in the same database (SQLite file or PostgreSQL
 * schema), versioned in their own `workers_schema_migrations` so the two packages migrate independently.
 * Applied on open, each version in one transaction (PostgreSQL: under the store's write lock, so workers
 * starting together migrate once). A database newer than this package is refused.
 */
import type { Dialect, Sql } from '@ym-chats/sync';

interface Types {
  big: string;
  ts: string;
}

const TYPES: Record<Dialect, Types> = {
  sqlite: { big: 'INTEGER', ts: 'TEXT' },
  postgres: { big: 'BIGINT', ts: 'TIMESTAMPTZ' },
};

export interface WorkersMigration {
  version: number;
  statements: (t: Types) => string[];
}

export const WORKERS_MIGRATIONS: WorkersMigration[] = [
  {
    version: 1,
    statements: ({ big, ts }) => [
      `CREATE TABLE businesses (
        business_id ${big} PRIMARY KEY,
        name TEXT NOT NULL,
        credential_kind TEXT NOT NULL,
        credential_sealed TEXT NOT NULL,
        credential_hint TEXT NOT NULL,
        added_at ${ts} NOT NULL
      )`,
      `CREATE TABLE worker_nodes (
        worker_id TEXT PRIMARY KEY,
        host TEXT NOT NULL,
        pid ${big} NOT NULL,
        started_at ${big} NOT NULL,
        seen_at ${big} NOT NULL
      )`,
      `CREATE TABLE business_leases (
        business_id ${big} PRIMARY KEY,
        worker_id TEXT NOT NULL,
        acquired_at ${big} NOT NULL,
        expires_at ${big} NOT NULL
      )`,
      'CREATE INDEX business_leases_worker ON business_leases (worker_id)',
    ],
  },
];

export const WORKERS_SCHEMA_VERSION = WORKERS_MIGRATIONS.at(-1)!.version;

export async function migrateWorkers(sql: Sql): Promise<void> {
  const ts = TYPES[sql.dialect].ts;
  // In the write transaction too: PostgreSQL's IF NOT EXISTS is not safe against a concurrent CREATE.
  await sql.transaction((tx) =>
    tx.run(
      `CREATE TABLE IF NOT EXISTS workers_schema_migrations (version INTEGER PRIMARY KEY, applied_at ${ts} NOT NULL)`,
    ),
  );
  for (const migration of WORKERS_MIGRATIONS) {
    await sql.transaction(async (tx) => {
      const done = await tx.all('SELECT version FROM workers_schema_migrations WHERE version = ?', [
        migration.version,
      ]);
      if (done.length > 0) return;
      for (const statement of migration.statements(TYPES[sql.dialect])) await tx.run(statement);
      await tx.run('INSERT INTO workers_schema_migrations (version, applied_at) VALUES (?, ?)', [
        migration.version,
        new Date().toISOString(),
      ]);
    });
  }
  const newest = await sql.all<{ v: bigint | number | null }>(
    'SELECT MAX(version) AS v FROM workers_schema_migrations',
  );
  const version = Number(newest[0]?.v ?? 0);
  if (version > WORKERS_SCHEMA_VERSION) {
    throw new Error(
      `the store's worker tables are at version ${version}, newer than this @ym-chats/workers (${WORKERS_SCHEMA_VERSION}): upgrade it`,
    );
  }
}
