/**
 * A worker started with the wrong YM_CREDENTIALS_KEY (real processes of the built CLI over PostgreSQL and
 * the real emulator): it must not hold a share of the businesses it cannot open. It exits naming the
 * variable (never printing the key), and the worker with the right key syncs every business — whether
 * the wrong key is found at start or only once businesses are registered while it runs.
 */
import { randomBytes } from 'node:crypto';
import { BusinessRegistry, sealCredential } from '@ym-chats/workers';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import {
  apiKeyOf,
  describePg,
  type Fleet,
  KEY,
  registeredSchema,
  requireBuilt,
  type Schema,
  spawnRegistered,
  startFleet,
  stopAll,
  syncedCount,
  type WorkerProcess,
  waitFor,
} from './support/fleet.js';

vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

const WRONG = randomBytes(32).toString('base64');

describePg('a worker with the wrong key', (PG_URL) => {
  let fleet: Fleet;
  const schemas: Schema[] = [];
  const workers: WorkerProcess[] = [];
  beforeAll(async () => {
    requireBuilt();
    fleet = await startFleet(8, 1);
  });
  afterAll(async () => {
    await stopAll(workers);
    for (const s of schemas) await s.drop();
    await fleet?.close();
  });

  const spawn = (schema: Schema, extra: string[] = [], env: Record<string, string> = {}) =>
    spawnRegistered('sync', schema, fleet.url, ['--interval', '1', ...extra], env);
  const synced = (schema: Schema) => syncedCount(schema.store);
  const expectExitNamingTheVariable = async (bad: WorkerProcess) => {
    const code = await Promise.race([
      bad.exited,
      new Promise((r) => setTimeout(() => r('still running'), 20_000)),
    ]);
    const text = bad.output.join('');
    expect(code, text).toBe(2);
    expect(text).toContain('YM_CREDENTIALS_KEY opens none of the registered credentials');
    expect(text).not.toContain(WRONG);
  };

  it('found at start: it exits, and the other worker syncs every business', async () => {
    const schema = await registeredSchema(PG_URL, fleet.businesses);
    schemas.push(schema);
    const good = spawn(schema);
    const bad = spawn(schema, [], { YM_CREDENTIALS_KEY: WRONG });
    workers.push(good, bad);
    await expectExitNamingTheVariable(bad);
    expect(await waitFor(async () => (await synced(schema)) === fleet.businesses.length, 30_000)).toBe(true);
  });

  it('found while running (registered after it started): it exits, and the other worker syncs every business', async () => {
    const schema = await registeredSchema(PG_URL, []);
    schemas.push(schema);
    const bad = spawn(schema, [], { YM_CREDENTIALS_KEY: WRONG });
    workers.push(bad);
    // It has joined (heartbeat) with nothing to open yet.
    expect(
      await waitFor(
        async () => (await schema.store.database().all('SELECT 1 FROM worker_nodes')).length === 1,
        20_000,
      ),
    ).toBe(true);
    const registry = new BusinessRegistry(schema.store.database(), Buffer.from(KEY, 'base64'));
    for (const b of fleet.businesses)
      await registry.add(BigInt(b), `shop ${b}`, { kind: 'api-key', secret: apiKeyOf(b) });
    const good = spawn(schema);
    workers.push(good);
    await expectExitNamingTheVariable(bad);
    expect(await waitFor(async () => (await synced(schema)) === fleet.businesses.length, 30_000)).toBe(true);
    expect(good.output.join('')).not.toContain('opens none');
  });

  it('one corrupt row: the worker keeps running, skips that business (never "acquired") and syncs the rest', async () => {
    const schema = await registeredSchema(PG_URL, fleet.businesses);
    schemas.push(schema);
    const corrupt = fleet.businesses[0]!;
    // Sealed with another key: this row alone does not open with the workers' key.
    const sealed = sealCredential(Buffer.from(WRONG, 'base64'), BigInt(corrupt), {
      kind: 'api-key',
      secret: apiKeyOf(corrupt),
    });
    await schema.store
      .database()
      .run('UPDATE businesses SET credential_sealed = ? WHERE business_id = ?', [sealed, corrupt]);
    const good = spawn(schema, ['--json']);
    workers.push(good);
    expect(await waitFor(async () => (await synced(schema)) === fleet.businesses.length - 1, 30_000)).toBe(
      true,
    );
    // Long enough for the first lease period of the skip to end and the business to be tried again.
    await new Promise((r) => setTimeout(r, 4000));
    expect(good.child.exitCode).toBe(null);
    const events = good.output
      .join('')
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { event?: string; businessId?: string | null; where?: string });
    const ofCorrupt = events.filter((e) => e.businessId === String(corrupt));
    expect(ofCorrupt.filter((e) => e.event === 'acquired')).toEqual([]);
    expect(ofCorrupt.filter((e) => e.where === 'credential').length).toBeGreaterThan(0);
    // Said once per lease period (3 s), not on every tick (1 s).
    expect(ofCorrupt.filter((e) => e.where === 'credential').length).toBeLessThanOrEqual(4);
    expect(events.filter((e) => e.event === 'acquired')).toHaveLength(fleet.businesses.length - 1);
  });
});
