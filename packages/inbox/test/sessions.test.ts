/**
 * Sessions live in the database: one made by one inbox process is accepted by another on the same store,
 * survives a restart, and a logout anywhere ends it everywhere. Ids are stored hashed. Nothing is stored for
 * a visitor before a login (the login form's token is signed); the loopback user's sessions are capped.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hashPassword, type InboxOptions, MemorySessionStore, openInbox } from '@ym-chats/inbox';
import type { SyncStore } from '@ym-chats/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PageClient } from './support/http-client.js';
import { BUSINESS, type Harness, startHarness } from './support/inbox-server.js';
import { describeStores } from './support/stores.js';

interface Second {
  url: string;
  close(): Promise<void>;
}

/** Another inbox process on the same database: its own store connection, its own server. */
async function second(h: Harness, options: Partial<InboxOptions> = {}): Promise<Second> {
  const store: SyncStore = await h.store.reopen();
  const inbox = await openInbox({
    store,
    api: h.api,
    businessIds: [BUSINESS],
    host: '0.0.0.0',
    agents: h.agents,
    ...options,
  });
  const server: Server = createServer(inbox.listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await inbox.close();
      await store.close();
    },
  };
}

describeStores('sessions in the database', (engine) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      openStore: engine.open,
      host: '0.0.0.0',
      agents: [{ login: 'anna', passwordHash: await hashPassword('anna-secret'), businessIds: [BUSINESS] }],
    });
  });
  afterAll(async () => h?.close());

  it('are accepted by another process, survive its restart, and end everywhere on logout', async () => {
    const anna = new PageClient(h.url);
    await anna.login('anna', 'anna-secret');
    const chat = (await anna.json<{ chats: Array<{ chatId: number }> }>('GET', '/api/queue')).body.chats[0]!;
    let b = await second(h);
    try {
      const there = anna.at(b.url);
      expect((await there.json('GET', '/api/queue')).status).toBe(200);
      // A write there too: the CSRF token travels with the session.
      const assign = `/api/businesses/${BUSINESS}/chats/${chat.chatId}/assign`;
      expect((await there.json('POST', assign, { login: 'anna' })).status).toBe(200);
      // A restart of that process logs nobody out.
      await b.close();
      b = await second(h);
      const again = anna.at(b.url);
      expect((await again.json('GET', '/api/queue')).status).toBe(200);
      // Logging out there ends the session here.
      expect((await again.json('POST', '/api/logout', {})).status).toBe(200);
      expect((await anna.json('GET', '/api/queue')).status).toBe(401);
    } finally {
      await b.close();
    }
  });

  it('keeps only a hash of the session id', async () => {
    const anna = new PageClient(h.url);
    await anna.login('anna', 'anna-secret');
    const rows = await h.store.store.database().all('SELECT id_hash, csrf, login FROM inbox_sessions');
    expect(rows.some((r) => r.login === 'anna')).toBe(true);
    expect(anna.sessionId.length).toBeGreaterThan(20);
    expect(JSON.stringify(rows)).not.toContain(anna.sessionId);
  });

  const sessionRows = async () =>
    Number((await h.store.store.database().all('SELECT COUNT(*) AS n FROM inbox_sessions'))[0]!.n);

  it('stores nothing for a visitor before a login: a flood of visitors while an agent logs in', async () => {
    const before = await sessionRows();
    const anna = new PageClient(h.url);
    await anna.start();
    // One client as fast as it can, 8 requests in flight, for a bounded time: the page, its session.
    let requests = 0;
    let stop = false;
    const flood = Array.from({ length: 8 }, async () => {
      while (!stop) {
        for (const path of ['/api/session', '/', '/api/session']) {
          const r = await fetch(`${h.url}${path}`);
          await r.arrayBuffer();
          requests += 1;
        }
      }
    });
    const started = Date.now();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    // Mid-flood, the form anna opened before it still logs her in.
    const login = await anna.json<{ csrf: string }>('POST', '/api/login', {
      login: 'anna',
      password: 'anna-secret',
    });
    await new Promise((resolve) => setTimeout(resolve, 1000));
    stop = true;
    await Promise.all(flood);
    const seconds = (Date.now() - started) / 1000;
    console.log(`${engine.name}: ${requests} requests in ${seconds.toFixed(1)} s during the login`);
    expect(login.status).toBe(200);
    expect(requests).toBeGreaterThan(100);
    // Anna's session is the one row made.
    expect(await sessionRows()).toBe(before + 1);
  });

  it("accepts the login form's token in any process on the database, from the browser it was made for", async () => {
    const b = await second(h);
    try {
      const anna = new PageClient(h.url);
      await anna.start();
      // Another process signs with the same secret: the form served here logs in there.
      const there = anna.at(b.url);
      const ok = await there.json('POST', '/api/login', { login: 'anna', password: 'anna-secret' });
      expect(ok.status).toBe(200);
      // The token without its browser's cookie (taken to another browser) is refused.
      const thief = new PageClient(h.url);
      await thief.start();
      thief.csrf = (await new PageClient(h.url).start()).body.csrf;
      const stolen = await thief.json('POST', '/api/login', { login: 'anna', password: 'anna-secret' });
      expect(stolen.status).toBe(403);
      const bare = await fetch(`${h.url}/api/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-csrf-token': anna.csrf },
        body: JSON.stringify({ login: 'anna', password: 'anna-secret' }),
      });
      expect(bare.status).toBe(403);
    } finally {
      await b.close();
    }
  });
});

describe('the loopback user (no agents)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ inbox: { sessions: { maxLocal: 3 } } });
  });
  afterAll(async () => h?.close());

  it("makes no session for another site's request (it could push the local user's out)", async () => {
    const count = async () =>
      Number((await h.store.store.database().all('SELECT COUNT(*) AS n FROM inbox_sessions'))[0]!.n);
    const before = await count();
    for (const site of ['cross-site', 'same-site']) {
      const r = await fetch(`${h.url}/api/session`, { headers: { 'sec-fetch-site': site } });
      expect(r.status).toBe(403);
      expect(r.headers.get('set-cookie')).toBeNull();
    }
    expect(await count()).toBe(before);
    const own = await fetch(`${h.url}/api/session`, { headers: { 'sec-fetch-site': 'same-origin' } });
    expect(own.status).toBe(200);
    expect(await count()).toBe(before + 1);
  });

  it('gets sessions without a login, but only so many: the oldest go first', async () => {
    const pages = [];
    for (let i = 0; i < 4; i++) {
      const p = new PageClient(h.url);
      const r = await p.start();
      expect((r.body.agent as { login: string }).login).toBe('local');
      pages.push(p);
      await new Promise((resolve) => setTimeout(resolve, 3));
    }
    expect((await pages[0]!.json('GET', '/api/queue')).status).toBe(401);
    for (const p of pages.slice(1)) expect((await p.json('GET', '/api/queue')).status).toBe(200);
    const count = await h.store.store
      .database()
      .all("SELECT COUNT(*) AS n FROM inbox_sessions WHERE kind = 'local'");
    expect(Number(count[0]!.n)).toBe(3);
  });

  it('is capped in memory too (createInbox without a database)', async () => {
    const store = new MemorySessionStore({ maxLocal: 2 });
    const a = await store.create('local', 'local');
    await store.create('local', 'local');
    await store.create('local', 'local');
    expect(await store.get(a.id)).toBeUndefined();
  });
});
