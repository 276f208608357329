/**
 * Workers as real processes of the built CLI over one PostgreSQL schema and the real emulator: four of
 * them share 200 businesses (one killed with SIGKILL mid-sync: its businesses are taken over, nothing lost
 * or doubled), and a push received by one `serve --registered` reaches the worker holding its business.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  duplicatedEvents,
  emulatorLines,
  type Fleet,
  PG_URL,
  redisArgs,
  registeredSchema,
  requireBuilt,
  type Schema,
  spawnWorker,
  startFleet,
  stopAll,
  storeLines,
  type WorkerProcess,
  waitFor,
} from './support/fleet.js';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 60_000 });

const describePg = PG_URL === undefined ? (process.env.CI === 'true' ? describe : describe.skip) : describe;

describePg(
  `workers over PostgreSQL${PG_URL === undefined ? ' — YM_TEST_POSTGRES_URL is not set' : ''}`,
  () => {
    it('needs PostgreSQL', () => {
      if (PG_URL === undefined)
        throw new Error('YM_TEST_POSTGRES_URL is not set; CI must provide PostgreSQL');
    });
    if (PG_URL === undefined) return;

    beforeAll(() => requireBuilt());

    describe('4 sync workers, 200 businesses', () => {
      let fleet: Fleet;
      let schema: Schema;
      const workers: WorkerProcess[] = [];
      beforeAll(async () => {
        fleet = await startFleet(200, 2);
        schema = await registeredSchema(PG_URL!, fleet.businesses);
      });
      afterAll(async () => {
        await stopAll(workers);
        await schema?.drop();
        await fleet?.close();
      });

      it('syncs every business exactly once across the workers; a worker killed mid-sync loses nothing', async () => {
        // History reads take a while, so the kill lands while passes are running.
        await fleet.admin.addFaults([{ operation: 'getChatHistory', delayMs: 30 }]);
        const args = [
          'sync',
          '--watch',
          '--registered',
          '--store',
          schema.url,
          '--schema',
          schema.schema,
          '--base-url',
          fleet.url,
          '--interval',
          '2',
          '--lease',
          '3',
          '--json',
          ...redisArgs(schema.schema),
        ];
        for (let i = 0; i < 4; i++) workers.push(spawnWorker(args));
        const sql = schema.store.sql;
        const leasesOf = async () =>
          new Map(
            (await sql.all('SELECT worker_id, COUNT(*) AS n FROM business_leases GROUP BY worker_id')).map(
              (r) => [String(r.worker_id), Number(r.n)],
            ),
          );
        const synced = async () =>
          Number(
            (await sql.all("SELECT COUNT(DISTINCT business_id) AS n FROM sync_runs WHERE state = 'done'"))[0]!
              .n,
          );
        // All four joined and hold leases, and some businesses are done but not all: kill the busiest worker.
        expect(
          await waitFor(
            async () => {
              const n = await synced();
              return (await leasesOf()).size === 4 && n >= 10 && n < 200;
            },
            60_000,
            50,
          ),
        ).toBe(true);
        const pids = await sql.all('SELECT worker_id, pid FROM worker_nodes');
        const held = await leasesOf();
        const victim = [...held.entries()].sort((a, b) => b[1] - a[1])[0]![0];
        const victimPid = Number(pids.find((r) => r.worker_id === victim)!.pid);
        const victimProcess = workers.find((w) => w.child.pid === victimPid)!;
        const victimBusinesses = (
          await sql.all('SELECT business_id FROM business_leases WHERE worker_id = ?', [victim])
        ).map((r) => BigInt(r.business_id as bigint));
        expect(victimBusinesses.length).toBeGreaterThan(0);
        victimProcess.child.kill('SIGKILL');
        await victimProcess.exited;
        await fleet.admin.clearFaults();

        // Its leases expire and the three others take them over; every business ends up complete.
        const truth = emulatorLines(fleet);
        const done = await waitFor(async () => {
          const mirror = await storeLines(schema.store);
          return JSON.stringify(mirror) === JSON.stringify(truth) && (await synced()) === 200;
        }, 60_000);
        const mirror = await storeLines(schema.store);
        expect(done).toBe(true);
        expect(mirror.messages).toEqual(truth.messages);
        expect(mirror.chats).toEqual(truth.chats);
        expect(await duplicatedEvents(schema.store)).toBe(0);
        expect(Number((await sql.all('SELECT COUNT(*) AS n FROM events'))[0]!.n)).toBe(truth.messages.length);
        expect(await schema.store.integrityProblems()).toEqual([]);
        const takenBy = await sql.all(
          `SELECT DISTINCT worker_id FROM business_leases WHERE business_id IN (${victimBusinesses.map(() => '?').join(',')})`,
          victimBusinesses,
        );
        expect(takenBy.map((r) => r.worker_id)).not.toContain(victim);
        expect(takenBy.length).toBeGreaterThan(0);
        // The platform's parallel cap was never hit.
        expect(fleet.statuses.get(420) ?? 0).toBe(0);
        // The three survivors settle on fair shares: at most ⌈200 / 3⌉ each, all 200 held.
        const fair = await waitFor(async () => {
          const shares = [...(await leasesOf()).values()];
          return (
            shares.length === 3 && shares.reduce((a, b) => a + b, 0) === 200 && Math.max(...shares) <= 67
          );
        }, 20_000);
        expect(fair, JSON.stringify([...(await leasesOf()).entries()])).toBe(true);
      });
    });

    describe('2 serve workers, pushes to one of them', () => {
      let fleet: Fleet;
      let schema: Schema;
      const workers: WorkerProcess[] = [];
      beforeAll(async () => {
        fleet = await startFleet(6, 2, 11);
        schema = await registeredSchema(PG_URL!, fleet.businesses);
      });
      afterAll(async () => {
        await stopAll(workers);
        await schema?.drop();
        await fleet?.close();
      });

      it('a push received by either worker reaches the worker holding its business', async () => {
        const args = [
          'serve',
          '--registered',
          '--port',
          '0',
          '--reconcile',
          '0',
          '--store',
          schema.url,
          '--schema',
          schema.schema,
          '--base-url',
          fleet.url,
          '--lease',
          '3',
          '--json',
        ];
        workers.push(spawnWorker(args), spawnWorker(args));
        const endpointOf = (w: WorkerProcess) => /"endpoint":"([^"]+)"/.exec(w.output.join(''))?.[1];
        const sql = schema.store.sql;
        // Both listening, and the six businesses split three and three.
        expect(
          await waitFor(async () => {
            if (workers.some((w) => endpointOf(w) === undefined)) return false;
            const rows = await sql.all(
              'SELECT worker_id, COUNT(*) AS n FROM business_leases GROUP BY worker_id',
            );
            return rows.length === 2 && rows.every((r) => Number(r.n) === 3);
          }, 30_000),
        ).toBe(true);
        // The platform pushes everything to the first worker only.
        await fleet.admin.configureNotifications({
          url: endpointOf(workers[0]!)!,
          retryScheduleMs: [200, 500],
        });
        const posted: string[] = [];
        for (const b of fleet.businesses) {
          const chat = fleet.emulator.store.db
            .prepare('SELECT chat_id FROM chats WHERE business_id = ? ORDER BY chat_id LIMIT 1')
            .get(b) as { chat_id: number };
          const m = await fleet.admin.postMessage(b, chat.chat_id, {
            sender: 'CUSTOMER',
            message: `hello ${b}`,
          });
          posted.push(`${b}|${m.messageId}`);
        }
        // Nothing else brings them in (no reconciling passes): each arrives through the queue.
        const stored = async () =>
          (await sql.all(`SELECT business_id, message_id FROM messages WHERE text LIKE 'hello %'`)).map(
            (r) => `${r.business_id}|${r.message_id}`,
          );
        expect(await waitFor(async () => (await stored()).length === posted.length, 30_000)).toBe(true);
        expect((await stored()).sort()).toEqual([...posted].sort());
        // Three of them belong to the second worker, which never received a push itself.
        const second = await sql.all(
          'SELECT l.business_id FROM business_leases l JOIN worker_nodes n ON n.worker_id = l.worker_id WHERE n.pid = ?',
          [workers[1]!.child.pid!],
        );
        expect(second.length).toBe(3);
        expect(await duplicatedEvents(schema.store)).toBe(0);
      });
    });
  },
);
