/**
 * Sessions live in the database: one made by one inbox process is accepted by another on the same store,
 * survives a restart, and a logout anywhere ends it everywhere. Ids are stored hashed. Sessions anyone can
 * get (anonymous, and the loopback user's) are capped.
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
    const rows = await h.store.store.sql.all('SELECT id_hash, csrf, login FROM inbox_sessions');
    expect(rows.some((r) => r.login === 'anna')).toBe(true);
    expect(anna.sessionId.length).toBeGreaterThan(20);
    expect(JSON.stringify(rows)).not.toContain(anna.sessionId);
  });

  it('caps anonymous sessions, oldest first', async () => {
    const b = await second(h, { sessions: { maxAnonymous: 3 } });
    try {
      const pages = [];
      for (let i = 0; i < 4; i++) {
        const p = new PageClient(b.url);
        await p.start();
        pages.push(p);
        await new Promise((resolve) => setTimeout(resolve, 3));
      }
      // The oldest anonymous session is gone, so its login's CSRF check fails; the newest still works.
      const old = await pages[0]!.json('POST', '/api/login', { login: 'anna', password: 'anna-secret' });
      expect(old.status).toBe(403);
      const fresh = await pages[3]!.json('POST', '/api/login', { login: 'anna', password: 'anna-secret' });
      expect(fresh.status).toBe(200);
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
      Number((await h.store.store.sql.all('SELECT COUNT(*) AS n FROM inbox_sessions'))[0]!.n);
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
    const count = await h.store.store.sql.all(
      "SELECT COUNT(*) AS n FROM inbox_sessions WHERE kind = 'local'",
    );
    expect(Number(count[0]!.n)).toBe(3);
  });

  it('is capped in memory too (createInbox without a database)', async () => {
    const store = new MemorySessionStore({ maxLocal: 2, maxAnonymous: 2 });
    const a = await store.create('local', 'local');
    await store.create('local', 'local');
    await store.create('local', 'local');
    expect(await store.get(a.id)).toBeUndefined();
    const anon = await store.create('anonymous');
    expect((await store.get(anon.id))?.login).toBeUndefined();
  });
});
