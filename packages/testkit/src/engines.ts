/**
 * The store engines every parametrised suite runs over: SQLite always, PostgreSQL when YM_TEST_POSTGRES_URL
 * is set (see postgres.ts for its absence). Each opened store has its own file or its own fresh schema,
 * deleted by `dispose()`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, type SyncStore } from '@ym-chats/sync';
import { describe } from 'vitest';
import { describePostgres, freshSchema, PG_URL } from './postgres.js';

export interface OpenedStore {
  store: SyncStore;
  /** What to pass to openStore / --store to reach the same data from another process. */
  target: string;
  /** The store's PostgreSQL schema (pass as --schema); undefined for SQLite. */
  schema: string | undefined;
  /** Another connection to the same data (what a second process would open); the caller closes it. */
  reopen(): Promise<SyncStore>;
  /** Closes the store and deletes its file or schema. */
  dispose(): Promise<void>;
}

export interface Engine {
  name: 'sqlite' | 'postgres';
  open(): Promise<OpenedStore>;
}

export async function openSqliteStore(): Promise<OpenedStore> {
  const dir = mkdtempSync(join(tmpdir(), 'ym-store-'));
  const target = join(dir, 'store.sqlite');
  const store = await openStore(target);
  return {
    store,
    target,
    schema: undefined,
    reopen: () => openStore(target),
    async dispose() {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A store in a fresh schema of `url` (the shared test PostgreSQL unless given), dropped by `dispose()`. */
export async function openPostgresStore(
  url: string | undefined = PG_URL,
  prefix = 't',
): Promise<OpenedStore> {
  const fresh = freshSchema(url, prefix);
  const { schema } = fresh;
  const store = await openStore(fresh.url, { schema });
  return {
    store,
    target: fresh.url,
    schema,
    reopen: () => openStore(fresh.url, { schema }),
    async dispose() {
      await store.close();
      await fresh.drop();
    },
  };
}

export const ENGINES: Engine[] = [
  { name: 'sqlite', open: openSqliteStore },
  { name: 'postgres', open: () => openPostgresStore() },
];

/** `describe` once per engine (or only `only`), titled `title [engine]`. */
export function describeEngines(title: string, body: (engine: Engine) => void, only?: Engine['name']): void {
  for (const engine of ENGINES) {
    if (only !== undefined && engine.name !== only) continue;
    const named = `${title} [${engine.name}]`;
    if (engine.name === 'postgres') describePostgres(named, () => body(engine));
    else describe(named, () => body(engine));
  }
}
