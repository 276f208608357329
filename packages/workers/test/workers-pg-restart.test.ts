/**
 * PostgreSQL restarted under two running workers (a server of this test's own): both keep running, their
 * leases and passes resume once it is back, and messages written before, during and after the restart all
 * reach the store once.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  expectMirrorOf,
  type Fleet,
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
import { canRunOwnPostgres, type OwnPostgres, startOwnPostgres } from './support/own-postgres.js';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 60_000 });

const available = canRunOwnPostgres();
const suite = available ? describe : process.env.CI === 'true' ? describe : describe.skip;

suite(`workers across a PostgreSQL restart${available ? '' : ' — needs root and /usr/lib/postgresql/15'}`, () => {
  let pg: OwnPostgres | undefined;
  let fleet: Fleet;
  let schema: Schema;
  const workers: WorkerProcess[] = [];
  beforeAll(async () => {
    if (!available)
      throw new Error('cannot start a PostgreSQL server of its own (root and PostgreSQL 15 needed)');
    requireBuilt();
    pg = await startOwnPostgres();
    fleet = await startFleet(20, 2, 23);
    schema = await registeredSchema(pg.url, fleet.businesses);
  });
  afterAll(async () => {
    await stopAll(workers);
    await schema?.store.close();
    await fleet?.close();
    pg?.stop();
  });

  it('resumes after the restart; nothing lost, nothing doubled', async () => {
    await fleet.admin.addFaults([{ operation: 'getChatHistory', delayMs: 50 }]);
    const extra = ['--interval', '1', '--json'];
    workers.push(
      spawnRegistered('sync', schema, fleet.url, extra),
      spawnRegistered('sync', schema, fleet.url, extra),
    );
    const sql = schema.store.database();
    const doneCount = () => syncedCount(schema.store);
    expect(
      await waitFor(
        async () => {
          const holders = await sql.all('SELECT DISTINCT worker_id FROM business_leases');
          return holders.length === 2 && (await doneCount()) >= 1;
        },
        30_000,
        50,
      ),
    ).toBe(true);
    const chatOf = (b: number) =>
      (
        fleet.emulator.store.db
          .prepare('SELECT chat_id FROM chats WHERE business_id = ? ORDER BY chat_id LIMIT 1')
          .get(b) as { chat_id: number }
      ).chat_id;
    await fleet.admin.postMessage(fleet.businesses[0]!, chatOf(fleet.businesses[0]!), {
      sender: 'CUSTOMER',
      message: 'before the restart',
    });
    pg!.restart();
    // Written once the database is back: only resumed passes can bring these in.
    for (const b of fleet.businesses.slice(1, 6)) {
      await fleet.admin.postMessage(b, chatOf(b), { sender: 'CUSTOMER', message: 'after the restart' });
    }
    await fleet.admin.clearFaults();
    // On failure, what the workers said (their errors) is the first thing to read.
    await expectMirrorOf(fleet, schema.store, 20, () =>
      workers.map((w) => w.output.join('').slice(-1500)).join('\n---\n'),
    );
    // Both workers rode it out.
    expect(workers.map((w) => w.child.exitCode)).toEqual([null, null]);
    expect(fleet.statuses.get(420) ?? 0).toBe(0);
  });
});
