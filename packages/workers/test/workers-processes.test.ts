/**
 * Workers as real processes of the built CLI over one PostgreSQL schema and the real emulator: four of
 * them share 200 businesses (one killed with SIGKILL mid-sync: its businesses are taken over, nothing lost
 * or doubled), and a push received by one `serve --registered` reaches the worker holding its business.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  apiKeyOf,
  describePg,
  duplicatedEvents,
  endpointOf,
  expectMirrorOf,
  type Fleet,
  firstFileOf,
  heldBy,
  inboxOf,
  redisArgs,
  registeredSchema,
  requireBuilt,
  type Schema,
  sharesOf,
  spawnRegistered,
  startFleet,
  stopAll,
  syncedCount,
  type WorkerProcess,
  waitFor,
  waitForShares,
  waitUntilShowsNewest,
} from './support/fleet.js';
import { InboxPage } from './support/inbox-page.js';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 60_000 });

describePg('workers over PostgreSQL', (PG_URL) => {
  beforeAll(() => requireBuilt());

  describe('4 sync workers, 200 businesses', () => {
    let fleet: Fleet;
    let schema: Schema;
    const workers: WorkerProcess[] = [];
    beforeAll(async () => {
      fleet = await startFleet(200, 2);
      schema = await registeredSchema(PG_URL, fleet.businesses);
    });
    afterAll(async () => {
      await stopAll(workers);
      await schema?.drop();
      await fleet?.close();
    });

    it('syncs every business exactly once across the workers; a worker killed mid-sync loses nothing', async () => {
      // History reads take a while, so the kill lands while passes are running.
      await fleet.admin.addFaults([{ operation: 'getChatHistory', delayMs: 30 }]);
      const extra = ['--interval', '2', '--json', ...redisArgs(schema.schema)];
      for (let i = 0; i < 4; i++) workers.push(spawnRegistered('sync', schema, fleet.url, extra));
      const sql = schema.store.database();
      const leasesOf = () => sharesOf(schema.store);
      const synced = () => syncedCount(schema.store);
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
      await expectMirrorOf(fleet, schema.store, 200, () => '');
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
        return shares.length === 3 && shares.reduce((a, b) => a + b, 0) === 200 && Math.max(...shares) <= 67;
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
      schema = await registeredSchema(PG_URL, fleet.businesses);
    });
    afterAll(async () => {
      await stopAll(workers);
      await schema?.drop();
      await fleet?.close();
    });

    it('a push received by either worker reaches the worker holding its business', async () => {
      const extra = ['--reconcile', '0', '--json'];
      workers.push(
        spawnRegistered('serve', schema, fleet.url, extra),
        spawnRegistered('serve', schema, fleet.url, extra),
      );
      const sql = schema.store.database();
      // Both listening, and the six businesses split three and three.
      expect(await waitFor(async () => workers.every((w) => endpointOf(w) !== undefined), 30_000)).toBe(true);
      expect(await waitForShares(schema.store, 2, 3)).toBe(true);
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
      expect(await heldBy(schema.store, workers[1]!)).toHaveLength(3);
      expect(await duplicatedEvents(schema.store)).toBe(0);
    });
  });

  describe('2 serve workers, the inbox of one of them', () => {
    let fleet: Fleet;
    let schema: Schema;
    const workers: WorkerProcess[] = [];
    beforeAll(async () => {
      fleet = await startFleet(4, 2, 23);
      schema = await registeredSchema(PG_URL, fleet.businesses);
    });
    afterAll(async () => {
      await stopAll(workers);
      await schema?.drop();
      await fleet?.close();
    });

    it("lists every registered business's chats and sends each reply with its business's credential", async () => {
      workers.push(
        spawnRegistered('serve', schema, fleet.url, ['--json']),
        spawnRegistered('serve', schema, fleet.url, ['--json']),
      );
      const sql = schema.store.database();
      // Both hold two businesses and the reconciling pass on start has brought every chat in.
      expect(await waitForShares(schema.store, 2, 2)).toBe(true);
      expect(
        await waitFor(
          async () => (await sql.all('SELECT DISTINCT business_id FROM chats')).length === 4,
          30_000,
        ),
      ).toBe(true);
      const second = await heldBy(schema.store, workers[1]!);

      // The first worker's inbox serves every registered business, its own and the second's.
      const page = new InboxPage(inboxOf(workers[0]!)!);
      const session = await page.call<{ agent: { businessIds: number[] } }>('GET', '/api/session');
      expect(session.body.agent.businessIds.sort()).toEqual([...fleet.businesses].sort());
      type Queue = { chats: Array<{ businessId: number; chatId: number }> };
      let queue = await page.call<Queue>('GET', '/api/queue?limit=200');
      // The inbox indexes the store's event log as it grows: wait for the pushed chats to be in it.
      await waitFor(async () => {
        queue = await page.call<Queue>('GET', '/api/queue?limit=200');
        return new Set(queue.body.chats.map((c) => c.businessId)).size === fleet.businesses.length;
      }, 15_000);
      expect(new Set(queue.body.chats.map((c) => c.businessId))).toEqual(new Set(fleet.businesses));
      // A reply through it to a business the second worker holds, and to one of its own: each goes out
      // with that business's own credential.
      const heldBySecond = second[0]!;
      const heldByFirst = fleet.businesses.find((b) => !second.includes(b))!;
      for (const b of [heldBySecond, heldByFirst]) {
        const chat = queue.body.chats.find((c) => c.businessId === b)!;
        const text = `reply from the inbox to ${b}`;
        expect(await waitUntilShowsNewest(fleet, page, b, chat.chatId)).toBe(true);
        const sent = await page.reply(b, chat.chatId, text, `workers-inbox-${b}`);
        expect(sent.body).toMatchObject({ state: 'sent' });
        const sends = fleet.requests.filter(
          (r) => r.method === 'POST' && r.path.includes(`/businesses/${b}/chats/message`),
        );
        expect(sends).toEqual([
          {
            method: 'POST',
            path: expect.stringContaining(`chatId=${chat.chatId}`),
            apiKey: apiKeyOf(b),
            status: 200,
          },
        ]);
        const history = fleet.emulator.store.db
          .prepare('SELECT COUNT(*) AS n FROM messages WHERE business_id = ? AND chat_id = ? AND text = ?')
          .get(b, chat.chatId, text) as { n: number };
        expect(history.n).toBe(1);
      }
      // The credential never reaches the page.
      expect(JSON.stringify(queue.body)).not.toContain(apiKeyOf(heldBySecond));
      // An attachment of a business the second worker holds, downloaded through the first one's inbox:
      // fetched with that business's own credential.
      const file = await firstFileOf(schema.store, heldBySecond);
      const fileUrl = file.url.href;
      const before = fleet.requests.length;
      expect(await page.download(heldBySecond, file.chatId, fileUrl)).toEqual({ status: 200, body: '' });
      expect(fleet.requests.slice(before)).toEqual([
        {
          method: 'GET',
          path: new URL(fileUrl).pathname + new URL(fileUrl).search,
          apiKey: apiKeyOf(heldBySecond),
          status: 200,
        },
      ]);
    });
  });
});
