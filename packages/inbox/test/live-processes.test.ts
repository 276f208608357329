/**
 * Several `serve` processes on one database: two inbox servers, each with its own connections to the same
 * store (and a third connection syncing, as another process would), must show each other's changes live —
 * a buyer message synced elsewhere, a status change written by another process's sync, an assignment and
 * presence made on the other server. The first server polls the log only once a minute and never refreshes
 * its pages, so only the live path (LISTEN/NOTIFY, or the SQLite table) can deliver in time.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AdminClient, createEmulator, DEFAULT_BUSINESS_ID, DEFAULT_CREDENTIALS } from '@ym-chats/emulator';
import { hashPassword, type Inbox, openInbox, type StoreSource } from '@ym-chats/inbox';
import { ChatsApi } from '@ym-chats/sdk';
import type { SyncStore } from '@ym-chats/sync';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_MISSING, HAVE_CHROMIUM, openBrowser } from './support/browser.js';
import { ensureClientBuilt } from './support/client-build.js';
import { PageClient } from './support/http-client.js';
import { EventReader } from './support/sse.js';
import { describeStores, PG_URL, type TestStore } from './support/stores.js';
import { syncPass } from './support/sync-pass.js';

const BUSINESS = DEFAULT_BUSINESS_ID;
const API_KEY = DEFAULT_CREDENTIALS[0]?.apiKey ?? 'emulator-api-key';

interface Server2 {
  url: string;
  store: SyncStore;
  source: StoreSource;
  inbox: Inbox;
  /** Drops every connection and refuses event streams (by dropping them) while true: a flaky network or proxy. */
  cutStreams(cut: boolean): void;
  close(): Promise<void>;
}

interface World {
  emulator: ReturnType<typeof createEmulator>;
  admin: AdminClient;
  api: ChatsApi;
  db: TestStore;
  /** Another process's connection: its sync writes to the shared store. */
  other: SyncStore;
  a: Server2;
  b: Server2;
  close(): Promise<void>;
}

async function startWorld(open: () => Promise<TestStore>): Promise<World> {
  ensureClientBuilt();
  const emulator = createEmulator({ seed: 5, platformTimeoutMs: 1000 });
  const emulatorUrl = await emulator.listen();
  const admin = new AdminClient(emulatorUrl);
  const api = new ChatsApi({ apiKey: API_KEY, baseUrl: emulatorUrl, pathPrefix: '/v2', maxRetries: 0 });
  const db = await open();
  await syncPass(db.store, api, BUSINESS);
  const agents = [
    { login: 'anna', name: 'Анна', passwordHash: await hashPassword('anna-pass'), businessIds: [BUSINESS] },
    {
      login: 'boris',
      name: 'Борис',
      passwordHash: await hashPassword('boris-pass'),
      businessIds: [BUSINESS],
    },
  ];
  const serve = async (pollMs: number): Promise<Server2> => {
    const store = await db.reopen();
    const inbox = await openInbox({
      store,
      api,
      businessIds: [BUSINESS],
      host: '0.0.0.0',
      agents,
      pollMs,
      pageRefreshMs: 3_600_000,
    });
    await inbox.source.indexer.catchUp();
    let cut = false;
    const server: Server = createServer((req, res) => {
      if (cut && req.url?.startsWith('/api/events')) req.socket.destroy();
      else inbox.listener(req, res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return {
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      store,
      source: inbox.source,
      inbox,
      cutStreams(value) {
        cut = value;
        if (value) server.closeAllConnections();
      },
      async close() {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await inbox.close();
        await store.close();
      },
    };
  };
  const a = await serve(60_000);
  const b = await serve(100);
  const other = await db.reopen();
  return {
    emulator,
    admin,
    api,
    db,
    other,
    a,
    b,
    async close() {
      await a.close();
      await b.close();
      await other.close();
      await db.dispose();
      await emulator.close();
    },
  };
}

async function chatIds(client: PageClient, query = ''): Promise<Array<{ chatId: number; status: string }>> {
  const r = await client.json<{ chats: Array<{ chatId: number; status: string }> }>(
    'GET',
    `/api/queue?limit=200${query}`,
  );
  return r.body.chats;
}

describeStores('live changes between two inbox servers on one store', (engine) => {
  let w: World;
  let anna: PageClient;
  let boris: PageClient;
  let events: EventReader;
  beforeAll(async () => {
    w = await startWorld(engine.open);
    anna = new PageClient(w.a.url);
    await anna.login('anna', 'anna-pass');
    boris = new PageClient(w.b.url);
    await boris.login('boris', 'boris-pass');
    events = await EventReader.open(anna);
  }, 60_000);
  afterAll(async () => {
    events?.close();
    await w?.close();
  });

  it('tells server A of a buyer message synced by another process', async () => {
    const chat = (await chatIds(anna))[0]!;
    const from = events.events.length;
    await w.admin.postMessage(BUSINESS, chat.chatId, { sender: 'CUSTOMER', message: 'Где мой заказ?' });
    await syncPass(w.other, w.api, BUSINESS);
    await events.waitFor((e) => e.type === 'chat' && e.data.chatId === chat.chatId, 8000, from);
  });

  it('tells server A of a status change another process synced (no new message)', async () => {
    const chat = (await chatIds(anna, '&status=WAITING_FOR_CUSTOMER'))[0]!;
    const from = events.events.length;
    await w.admin.updateChat(BUSINESS, chat.chatId, { status: 'FINISHED' });
    await syncPass(w.other, w.api, BUSINESS);
    await events.waitFor((e) => e.type === 'chat' && e.data.chatId === chat.chatId, 8000, from);
    const after = await anna.json<{ chat: { status: string } }>(
      'GET',
      `/api/businesses/${BUSINESS}/chats/${chat.chatId}`,
    );
    expect(after.body.chat.status).toBe('FINISHED');
  });

  it('tells server A of an assignment, presence, typing and a reply made on server B', async () => {
    const chat = (await chatIds(anna))[1]!;
    const path = `/api/businesses/${BUSINESS}/chats/${chat.chatId}`;
    const from = events.events.length;
    expect((await boris.json('POST', `${path}/assign`, { login: 'boris' })).status).toBe(200);
    await events.waitFor(
      (e) => e.type === 'assigned' && e.data.chatId === chat.chatId && e.data.assignee === 'boris',
      8000,
      from,
    );
    await boris.json('POST', `${path}/presence`, { page: 'boris-page-01', typing: true });
    const seen = await events.waitFor(
      (e) =>
        e.type === 'presence' && e.data.chatId === chat.chatId && JSON.stringify(e.data).includes('boris'),
      8000,
      from,
    );
    expect(seen.data.viewers).toEqual([{ login: 'boris', name: 'Борис', typing: true }]);
    // Server A answers with B's viewer too (what a page opening the chat there reads first).
    const info = await anna.json<{ viewers: unknown[] }>('GET', path);
    expect(info.body.viewers).toEqual([{ login: 'boris', name: 'Борис', typing: true }]);
    // A reply sent through B: A's pages hear who sent it (and re-read the chat).
    const shown = await boris.json<{ messages: Array<{ messageId: number }> }>('GET', `${path}/messages`);
    const sent = await boris.json<{ state: string }>('POST', `${path}/messages`, {
      text: 'Ответ с сервера B',
      clientId: 'boris-send-0001',
      page: 'boris-page-01',
      seenMessageId: shown.body.messages.at(-1)?.messageId ?? 0,
    });
    expect(sent.body.state).toBe('sent');
    await events.waitFor(
      (e) => e.type === 'sent' && e.data.chatId === chat.chatId && e.data.by === 'boris',
      8000,
      from,
    );
    // B's page leaves: A's pages hear it.
    const left = events.events.length;
    await boris.json('POST', '/api/presence/leave', { page: 'boris-page-01' });
    await events.waitFor(
      (e) =>
        e.type === 'presence' && e.data.chatId === chat.chatId && (e.data.viewers as unknown[]).length === 0,
      8000,
      left,
    );
  });

  it('never puts a session id into what crosses between processes', async () => {
    // PostgreSQL's notices are not kept; SQLite's table is, so it is where to look.
    if (engine.name !== 'sqlite') return;
    const chat = (await chatIds(anna))[2]!;
    await boris.json('POST', `/api/businesses/${BUSINESS}/chats/${chat.chatId}/presence`, {
      page: 'boris-page-03',
      typing: false,
    });
    const payloads = (await w.other.database().all('SELECT payload FROM inbox_live')).map((r) =>
      String(r.payload),
    );
    expect(payloads.some((p) => p.includes('boris-page') || p.includes('"presence"'))).toBe(true);
    expect(boris.sessionId.length).toBeGreaterThan(20);
    expect(payloads.join('\n')).not.toContain(boris.sessionId);
    expect(payloads.join('\n')).not.toContain('boris-page-03');
  });
});

describe.runIf(PG_URL)('the PostgreSQL listener', () => {
  let w: World;
  let anna: PageClient;
  let events: EventReader;
  beforeAll(async () => {
    const { openPostgresStore } = await import('./support/stores.js');
    w = await startWorld(() => openPostgresStore());
    anna = new PageClient(w.a.url);
    await anna.login('anna', 'anna-pass');
    events = await EventReader.open(anna);
  }, 60_000);
  afterAll(async () => {
    events?.close();
    await w?.close();
  });

  it('comes back after its connection is killed, tells pages to re-read, and hears again', async () => {
    const channel = String(
      (await w.a.store.database().all("SELECT 'ym_inbox_' || md5(current_schema()) AS c"))[0]!.c,
    );
    const killer = new pg.Client({ connectionString: PG_URL });
    await killer.connect();
    try {
      const killed = await killer.query(
        'SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE query = $1 AND pid <> pg_backend_pid()',
        [`LISTEN "${channel}"`],
      );
      // One listener per inbox server (A and B).
      expect(killed.rowCount).toBe(2);
    } finally {
      await killer.end();
    }
    await events.waitFor((e) => e.type === 'resync' && e.data.businessId === BUSINESS, 10_000);
    const chat = (await chatIds(anna, '&status=WAITING_FOR_CUSTOMER'))[0]!;
    const from = events.events.length;
    await w.admin.updateChat(BUSINESS, chat.chatId, { type: 'ARBITRAGE' });
    await syncPass(w.other, w.api, BUSINESS);
    await events.waitFor((e) => e.type === 'chat' && e.data.chatId === chat.chatId, 8000, from);
  });
});

if (!HAVE_CHROMIUM && process.env.CI === 'true') {
  it('has Chromium', () => {
    throw new Error(`${CHROMIUM_MISSING}; CI must run the browser tests`);
  });
} else {
  describe.runIf(PG_URL && HAVE_CHROMIUM)('a page on server A in Chromium, PostgreSQL shared with B', () => {
    let w: World;
    let browser: Awaited<ReturnType<typeof openBrowser>>;
    beforeAll(async () => {
      const { openPostgresStore } = await import('./support/stores.js');
      w = await startWorld(() => openPostgresStore());
      browser = await openBrowser();
    }, 60_000);
    afterAll(async () => {
      await browser?.close();
      await w?.close();
    });

    it("shows B's side's buyer message, another process's status change, and B's agent, without reload", async () => {
      const context = await browser.context({ viewport: { width: 1280, height: 800 } });
      const page = await context.newPage();
      page.setDefaultTimeout(8000);
      await page.goto(w.a.url);
      await page.getByLabel('Логин').fill('anna');
      await page.getByLabel('Пароль').fill('anna-pass');
      await page.getByRole('button', { name: 'Войти' }).click();
      await page.getByRole('list', { name: 'Чаты' }).waitFor();
      await page.evaluate(() => {
        (window as unknown as { marker: number }).marker = 7;
      });
      const client = new PageClient(w.a.url);
      await client.login('anna', 'anna-pass');
      const chats = await chatIds(client, '&status=WAITING_FOR_CUSTOMER');
      const chat = chats[0]!;
      await page.locator(`.chat-item[data-chat-id="${chat.chatId}"] a`).click();
      const log = page.getByRole('log', { name: 'Сообщения' });
      await log.waitFor();

      // A buyer message, synced on B's side (B's own store connection).
      await w.admin.postMessage(BUSINESS, chat.chatId, {
        sender: 'CUSTOMER',
        message: 'Вопрос через сервер B',
      });
      await syncPass(w.b.store, w.api, BUSINESS);
      await expect.poll(() => log.textContent(), { timeout: 8000 }).toContain('Вопрос через сервер B');

      // A status change alone, written by another process's sync.
      const second = chats[1]!;
      await w.admin.updateChat(BUSINESS, second.chatId, { status: 'FINISHED' });
      await syncPass(w.other, w.api, BUSINESS);
      await expect
        .poll(() => page.locator(`.chat-item[data-chat-id="${second.chatId}"] .status`).textContent(), {
          timeout: 8000,
        })
        .toBe('Завершён');

      // Boris, logged in on server B, takes the chat and opens it.
      const boris = new PageClient(w.b.url);
      await boris.login('boris', 'boris-pass');
      const path = `/api/businesses/${BUSINESS}/chats/${chat.chatId}`;
      await boris.json('POST', `${path}/assign`, { login: 'boris' });
      await expect
        .poll(() => page.locator('.chat-head select').inputValue(), { timeout: 8000 })
        .toBe('boris');
      await boris.json('POST', `${path}/presence`, { page: 'boris-page-02', typing: false });
      await expect
        .poll(() => page.locator('.presence').textContent(), { timeout: 8000 })
        .toBe('Здесь же: Борис');
      expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(7);
      await context.close();
    });

    it('re-reads what it shows after its event stream came back (changes made while it was down)', async () => {
      const context = await browser.context({ viewport: { width: 1280, height: 800 } });
      const page = await context.newPage();
      page.setDefaultTimeout(8000);
      await page.goto(w.a.url);
      await page.getByLabel('Логин').fill('anna');
      await page.getByLabel('Пароль').fill('anna-pass');
      await page.getByRole('button', { name: 'Войти' }).click();
      await page.getByRole('list', { name: 'Чаты' }).waitFor();
      const client = new PageClient(w.a.url);
      await client.login('anna', 'anna-pass');
      const chat = (await chatIds(client, '&status=WAITING_FOR_CUSTOMER'))[0]!;
      const item = page.locator(`.chat-item[data-chat-id="${chat.chatId}"] .status`);
      await item.waitFor();
      expect(await item.textContent()).not.toBe('Завершён');

      // The page's stream drops and stays down while another process syncs a status change …
      w.a.cutStreams(true);
      const told = new Promise<void>((resolve) => {
        const stop = w.a.inbox.bus.subscribe((e) => {
          if (e.type === 'chat' && e.chatId === chat.chatId) {
            stop();
            resolve();
          }
        });
      });
      await w.admin.updateChat(BUSINESS, chat.chatId, { status: 'FINISHED' });
      await syncPass(w.other, w.api, BUSINESS);
      await told; // server A heard it, and told no page
      // … then comes back: the page must re-read (its own refresh is an hour away).
      w.a.cutStreams(false);
      await expect.poll(() => item.textContent(), { timeout: 10_000 }).toBe('Завершён');
      await context.close();
    });
  });
}
