/**
 * The stores the inbox's tests run over: a SQLite file always; PostgreSQL when YM_TEST_POSTGRES_URL is set
 * (each store in its own schema, dropped afterwards). Under CI a missing PostgreSQL is a failure, elsewhere
 * a visible skip.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, type SyncStore } from '@ym-chats/sync';
import pg from 'pg';
import { describe, it } from 'vitest';

export const PG_URL = process.env.YM_TEST_POSTGRES_URL;

export interface TestStore {
  store: SyncStore;
  /** Another connection to the same database (what a second `serve` process would open). */
  reopen(): Promise<SyncStore>;
  dispose(): Promise<void>;
}

export async function openSqliteStore(): Promise<TestStore> {
  const dir = mkdtempSync(join(tmpdir(), 'ym-inbox-'));
  const file = join(dir, 'store.sqlite');
  const store = await openStore(file);
  return {
    store,
    reopen: () => openStore(file),
    async dispose() {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function openPostgresStore(url = PG_URL!): Promise<TestStore> {
  const schema = `inbox_${randomBytes(6).toString('hex')}`;
  const store = await openStore(url, { schema });
  return {
    store,
    reopen: () => openStore(url, { schema }),
    async dispose() {
      await store.close();
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      } finally {
        await client.end();
      }
    },
  };
}

export interface Engine {
  name: 'sqlite' | 'postgres';
  open(): Promise<TestStore>;
}

/** Runs `body` once per engine as its own describe block. */
export function describeStores(title: string, body: (engine: Engine) => void): void {
  describe(`${title} (sqlite)`, () => body({ name: 'sqlite', open: openSqliteStore }));
  if (PG_URL) {
    describe(`${title} (postgres)`, () => body({ name: 'postgres', open: () => openPostgresStore() }));
  } else if (process.env.CI === 'true') {
    it(`${title} (postgres)`, () => {
      throw new Error('YM_TEST_POSTGRES_URL is not set; CI must run the PostgreSQL tests');
    });
  } else {
    describe(`${title} (postgres)`, () => {
      it.skip('skipped: set YM_TEST_POSTGRES_URL to run against PostgreSQL', () => undefined);
    });
  }
}
