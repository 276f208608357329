/**
 * The registry on both engines: credentials sealed at rest (the database never holds the secret), opened
 * only with the key they were sealed with, bound to their business; the key's errors name the variable;
 * the worker tables migrate once under concurrent starts; SQLite refuses a second worker process.
 */
import { randomBytes } from 'node:crypto';
import { type OpenedStore, openPostgresStore, openSqliteStore, PG_URL } from '@ym-chats/testkit';
import {
  BusinessRegistry,
  CredentialKeyError,
  credentialKey,
  migrateWorkers,
  SecondWorkerError,
  Worker,
} from '@ym-chats/workers';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const SECRET = 'registry-test-secret-7f3e91aa';
const key = () => randomBytes(32);

const engines: [string, () => Promise<OpenedStore>][] = [['sqlite', openSqliteStore]];
if (PG_URL !== undefined) engines.push(['postgres', () => openPostgresStore(PG_URL, 'r')]);
else if (process.env.CI === 'true') {
  it('needs PostgreSQL', () => {
    throw new Error('YM_TEST_POSTGRES_URL is not set; CI must provide PostgreSQL');
  });
}

for (const [name, open] of engines) {
  describe(`business registry [${name}]`, () => {
    let opened: OpenedStore;
    beforeEach(async () => {
      opened = await open();
      await Promise.all([migrateWorkers(opened.store.database()), migrateWorkers(opened.store.database())]);
    });
    afterEach(async () => {
      await opened.dispose();
    });

    it('seals credentials at rest and opens them only with their key and business', async () => {
      const k = key();
      const registry = new BusinessRegistry(opened.store.database(), k);
      expect(await registry.add(1001n, 'Shop', { kind: 'api-key', secret: SECRET })).toBe(true);
      expect(await registry.add(1002n, 'Other', { kind: 'oauth-token', secret: `${SECRET}-2` })).toBe(true);
      // Nothing in the database holds the secret.
      const rows = await opened.store.database().all('SELECT * FROM businesses');
      expect(JSON.stringify(rows, (_k, v) => (typeof v === 'bigint' ? String(v) : v))).not.toContain(SECRET);
      expect(await registry.credential(1001n)).toEqual({ kind: 'api-key', secret: SECRET });
      const listed = await registry.list();
      expect(listed.map((e) => [e.businessId, e.name, e.masked])).toEqual([
        [1001n, 'Shop', 'api-key ••••91aa'],
        [1002n, 'Other', 'oauth-token ••••aa-2'],
      ]);
      // Another key: an error naming the variable, never garbage.
      await expect(new BusinessRegistry(opened.store.database(), key()).credential(1001n)).rejects.toThrow(
        /does not decrypt with this YM_CREDENTIALS_KEY/,
      );
      // A sealed value copied onto another business's row does not open.
      const sealed = String(rows.find((r) => BigInt(r.business_id as bigint) === 1001n)!.credential_sealed);
      await opened.store
        .database()
        .run(
          "UPDATE businesses SET credential_sealed = ?, credential_kind = 'api-key' WHERE business_id = 1002",
          [sealed],
        );
      await expect(registry.credential(1002n)).rejects.toThrow(CredentialKeyError);
      // Adding again replaces; removing forgets (and frees any lease).
      expect(await registry.add(1001n, 'Shop 2', { kind: 'api-key', secret: `${SECRET}-new` })).toBe(false);
      expect((await registry.credential(1001n))?.secret).toBe(`${SECRET}-new`);
      expect(await registry.remove(1001n)).toBe(true);
      expect(await registry.remove(1001n)).toBe(false);
      expect((await registry.list()).map((e) => e.businessId)).toEqual([1002n]);
    });
  });
}

describe('credential key', () => {
  it('names YM_CREDENTIALS_KEY and how to make one when it is missing or malformed', () => {
    expect(() => credentialKey({})).toThrow(/YM_CREDENTIALS_KEY is not set.*randomBytes\(32\)/);
    expect(() => credentialKey({ YM_CREDENTIALS_KEY: Buffer.alloc(16).toString('base64') })).toThrow(
      /YM_CREDENTIALS_KEY must be 32 bytes in base64/,
    );
    expect(() => credentialKey({ YM_CREDENTIALS_KEY: 'not base64 at all!' })).toThrow(/32 bytes in base64/);
    expect(credentialKey({ YM_CREDENTIALS_KEY: Buffer.alloc(32, 7).toString('base64') })).toHaveLength(32);
  });
});

describe('SQLite: one worker process', () => {
  it('refuses a second live worker, and takes over from one that was killed', async () => {
    const opened = await openSqliteStore();
    const common = {
      mode: 'watch' as const,
      baseUrl: 'http://127.0.0.1:9',
      key: key(),
      periodMs: 60_000,
      leaseMs: 30_000,
    };
    try {
      const first = await Worker.start({ ...common, store: opened.store });
      await expect(Worker.start({ ...common, store: opened.store })).rejects.toThrow(SecondWorkerError);
      await expect(Worker.start({ ...common, store: opened.store })).rejects.toThrow(
        /one worker process.*PostgreSQL store/,
      );
      await first.stop();
      // A worker row left by a process that no longer exists (killed -9) does not block the next one.
      await opened.store
        .database()
        .run('INSERT INTO worker_nodes (worker_id, host, pid, started_at, seen_at) VALUES (?, ?, ?, ?, ?)', [
          'w-dead',
          (await import('node:os')).hostname(),
          2 ** 22 + 12345,
          Date.now(),
          Date.now(),
        ]);
      const next = await Worker.start({ ...common, store: opened.store });
      await next.stop();
    } finally {
      await opened.dispose();
    }
  });
});
