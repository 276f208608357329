/**
 * The store engines every parametrised suite runs over. SQLite always; PostgreSQL when
 * YM_TEST_POSTGRES_URL is set — under CI its absence is a failure, elsewhere a visible skip.
 * Each opened store gets its own file or its own randomly named schema, dropped at the end.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, type SyncStore } from '@ym-chats/sync';
import pg from 'pg';
import { describe, it } from 'vitest';

export const PG_URL = process.env.YM_TEST_POSTGRES_URL;

export interface OpenedStore {
  store: SyncStore;
  /** What to pass to openStore / --store to reach the same data from another process. */
  target: string;
  schema: string | undefined;
  /** Closes the store and deletes its file or schema. */
  dispose(): Promise<void>;
}

export interface Engine {
  name: 'sqlite' | 'postgres';
  open(): Promise<OpenedStore>;
}

async function openSqlite(): Promise<OpenedStore> {
  const dir = mkdtempSync(join(tmpdir(), 'ym-sync-'));
  const target = join(dir, 'store.sqlite');
  const store = await openStore(target);
  return {
    store,
    target,
    schema: undefined,
    async dispose() {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function openPostgres(): Promise<OpenedStore> {
  const url = PG_URL!;
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const store = await openStore(url, { schema });
  return {
    store,
    target: url,
    schema,
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

export const ENGINES: Engine[] = [
  { name: 'sqlite', open: openSqlite },
  { name: 'postgres', open: openPostgres },
];

/**
 * `describe` once per engine (or only `only`); PostgreSQL is skipped with its reason shown, or failed under
 * CI.
 */
export function describeEngines(title: string, body: (engine: Engine) => void, only?: Engine['name']): void {
  for (const engine of ENGINES) {
    if (only !== undefined && engine.name !== only) continue;
    if (engine.name === 'postgres' && PG_URL === undefined) {
      if (process.env.CI === 'true') {
        describe(`${title} [postgres]`, () => {
          it('needs PostgreSQL', () => {
            throw new Error('YM_TEST_POSTGRES_URL is not set; CI must provide PostgreSQL (see .ci/run)');
          });
        });
      } else {
        describe.skip(`${title} [postgres] — skipped: YM_TEST_POSTGRES_URL is not set`, () => {
          it('needs PostgreSQL', () => undefined);
        });
      }
      continue;
    }
    describe(`${title} [${engine.name}]`, () => body(engine));
  }
}
