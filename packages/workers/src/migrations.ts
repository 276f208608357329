/**
 * The workers' own tables, beside the sync store's in the same database (SQLite file or PostgreSQL
 * schema), versioned in their own `workers_schema_migrations` so the two packages migrate independently.
 * Applied on open by sync's migration runner (one transaction per version under the store's write lock, so
 * workers starting together migrate once; a database newer than this package is refused before anything runs).
 */
import { latestVersion, type Migration, type MigrationSet, runMigrations, type Sql } from '@ym-chats/sync';

export const WORKERS_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'businesses, worker nodes, business leases',
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

const WORKERS_SET: MigrationSet = {
  owner: '@ym-chats/workers',
  table: 'workers_schema_migrations',
  migrations: WORKERS_MIGRATIONS,
};

export const WORKERS_SCHEMA_VERSION = latestVersion(WORKERS_SET);

/** Applies the workers' migrations the database has not seen yet (sync's runner); resolves with their versions. */
export function migrateWorkers(sql: Sql): Promise<number[]> {
  return runMigrations(sql, WORKERS_SET);
}
