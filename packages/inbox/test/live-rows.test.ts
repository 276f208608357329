/**
 * What a page's event stream carries about a chat that changed: its queue row, as `GET /api/queue`
 * returns it — also when the change was made by another process on the same store (PostgreSQL's
 * LISTEN/NOTIFY, SQLite's table) — and only to agents of its business. Plus the filter bar's counts.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hashPassword, openInbox } from '@ym-chats/inbox';
import type { SyncStore } from '@ym-chats/sync';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { QueueCountsCache } from '../src/live/queue-counts.js';
import { PageClient } from './support/http-client.js';
import { BUSINESS, type Harness, startHarness, teamAgent } from './support/inbox-server.js';
import { EventReader } from './support/sse.js';
import { describeStores } from './support/stores.js';
import { syncPass } from './support/sync-pass.js';

const OTHER_BUSINESS = 990_001;

interface Row {
  businessId: number;
  chatId: number;
  status: string;
  waitingSince?: string;
  assignee?: string;
  lastMessage?: { sender: string; text: string };
}

describeStores('live rows between two inbox processes', (engine) => {
  let h: Harness;
  let store2: SyncStore;
  let server2: Server;
  let close2: () => Promise<void>;
  let anna: PageClient;
  let boris: PageClient;
  let stranger: PageClient;
  let annaEvents: EventReader;
  let strangerEvents: EventReader;
  /** Another process's connection: its sync writes to the shared store. */
  let other: SyncStore;

  const queue = async (client: PageClient, query = '') =>
    (await client.json<{ chats: Row[] }>('GET', `/api/queue?limit=200${query}`)).body.chats;

  beforeAll(async () => {
    const agents = [
      { login: 'anna', name: 'Анна', passwordHash: await hashPassword('anna-pass'), businessIds: [BUSINESS] },
      await teamAgent('boris', 'Борис'),
      {
        login: 'stranger',
        name: 'Чужой',
        passwordHash: await hashPassword('stranger-pass'),
        businessIds: [OTHER_BUSINESS],
      },
    ];
    h = await startHarness({
      host: '0.0.0.0',
      seed: 41,
      openStore: engine.open,
      businessIds: [BUSINESS, OTHER_BUSINESS],
      inbox: { pageRefreshMs: 3_600_000 },
      agents,
    });
    store2 = await h.store.reopen();
    const inbox2 = await openInbox({
      store: store2,
      api: h.api,
      businessIds: [BUSINESS, OTHER_BUSINESS],
      host: '0.0.0.0',
      agents,
      // Server A polls the log once a minute: only the live path can tell it in time.
      pollMs: 60_000,
      pageRefreshMs: 3_600_000,
    });
    server2 = createServer(inbox2.listener);
    await new Promise<void>((resolve) => server2.listen(0, '127.0.0.1', resolve));
    close2 = async () => {
      server2.closeAllConnections();
      await new Promise<void>((resolve) => server2.close(() => resolve()));
      await inbox2.close();
      await store2.close();
    };
    other = await h.store.reopen();
    const serverA = `http://127.0.0.1:${(server2.address() as AddressInfo).port}`;
    anna = new PageClient(serverA);
    await anna.login('anna', 'anna-pass');
    boris = new PageClient(h.url);
    await boris.login('boris', 'boris-pass');
    stranger = new PageClient(serverA);
    await stranger.login('stranger', 'stranger-pass');
    annaEvents = await EventReader.open(anna, 'anna-page-0001');
    strangerEvents = await EventReader.open(stranger, 'stranger-page-01');
  }, 60_000);

  afterAll(async () => {
    annaEvents?.close();
    strangerEvents?.close();
    await close2?.();
    await other?.close();
    await h?.close();
  });

  it("carries the row of a chat another process synced a buyer's message into", async () => {
    const chat = (await queue(anna)).find((c) => !c.waitingSince)!;
    const from = annaEvents.events.length;
    await h.admin.postMessage(BUSINESS, chat.chatId, { sender: 'CUSTOMER', message: 'Так где же заказ?' });
    await syncPass(other, h.api, BUSINESS);
    const event = await annaEvents.waitFor(
      (e) =>
        e.type === 'chat' &&
        e.data.chatId === chat.chatId &&
        (e.data.row as Row | undefined)?.lastMessage?.text === 'Так где же заказ?',
      8000,
      from,
    );
    const row = event.data.row as Row;
    expect(row.waitingSince).toBeDefined();
    // The same row the queue answers, in the same shape.
    expect((await queue(anna)).find((c) => c.chatId === chat.chatId)).toEqual(row);
  });

  it('carries the assignee of an assignment made on the other process', async () => {
    const chat = (await queue(anna))[1]!;
    const from = annaEvents.events.length;
    const path = `/api/businesses/${BUSINESS}/chats/${chat.chatId}/assign`;
    expect((await boris.json('POST', path, { login: 'boris' })).status).toBe(200);
    const event = await annaEvents.waitFor(
      (e) => e.type === 'assigned' && e.data.chatId === chat.chatId,
      8000,
      from,
    );
    expect(event.data.row).toEqual({ ...chat, assignee: 'boris' });
  });

  it('never tells an agent of another business about the chat or its row', async () => {
    expect(strangerEvents.events.filter((e) => e.data.businessId === BUSINESS)).toEqual([]);
    expect(JSON.stringify(strangerEvents.events)).not.toContain('Так где же заказ?');
  });

  it('counts the queue per status, type, context and assignee in one request', async () => {
    const all = await queue(anna);
    const { status, body } = await anna.json<{
      total: number;
      statuses: Record<string, number>;
      types: Record<string, number>;
      contexts: Record<string, number>;
      assignees: Record<string, number>;
      unassigned: number;
    }>('GET', '/api/queue/counts');
    expect(status).toBe(200);
    const tally = (key: (c: Row & { type?: string; context?: { type: string } }) => string) => {
      const out: Record<string, number> = {};
      for (const c of all) out[key(c)] = (out[key(c)] ?? 0) + 1;
      return out;
    };
    expect(body.total).toBe(all.length);
    expect(body.statuses).toEqual(tally((c) => c.status));
    expect(body.types).toEqual(tally((c) => c.type ?? ''));
    expect(body.contexts).toEqual(tally((c) => c.context?.type ?? ''));
    expect(body.assignees).toEqual({ boris: 1 });
    expect(body.unassigned).toBe(all.length - 1);
    // Another seller's business is not this agent's to count.
    const foreign = await anna.json('GET', `/api/queue/counts?business=${OTHER_BUSINESS}`);
    expect(foreign.status).toBe(403);
  });

  it('counts once per interval for every page of the process: statuses each second, kinds each minute', async () => {
    let clock = 0;
    const reads = { statuses: 0, kinds: 0 };
    const cache = new QueueCountsCache(
      {
        statusCounts: (ids) => {
          reads.statuses += 1;
          return h.source.statusCounts(ids);
        },
        kindCounts: (ids) => {
          reads.kinds += 1;
          return h.source.kindCounts(ids);
        },
      },
      { statusesMs: 1000, kindsMs: 60_000 },
      () => clock,
    );
    const pages = await Promise.all([1, 2, 3].map(() => cache.counts([BUSINESS])));
    expect(reads).toEqual({ statuses: 1, kinds: 1 });
    expect(pages[0]!.total).toBe((await queue(anna)).length);
    clock = 1000;
    await cache.counts([BUSINESS]);
    expect(reads).toEqual({ statuses: 2, kinds: 1 });
    clock = 60_000;
    await cache.counts([BUSINESS]);
    expect(reads).toEqual({ statuses: 3, kinds: 2 });
  });
});
