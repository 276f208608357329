/** The inbox's HTTP side against the real emulator and a real SQLite store: headers, auth, CSRF, isolation, sends. */
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createInbox, credentialFetcher, hashPassword, startInbox } from '@ym-chats/inbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PageClient } from './support/http-client.js';
import { BUSINESS, type Harness, serveInbox, startHarness } from './support/inbox-server.js';

const OTHER = 2002;

/** The newest message id the page shows for a chat (what a draft started now has seen). */
async function newestShown(page: PageClient, path: string): Promise<number> {
  const r = await page.json<{ messages: Array<{ messageId: number }> }>('GET', `${path}/messages`);
  return r.body.messages.at(-1)?.messageId ?? 0;
}

interface ChatRow {
  businessId: number;
  chatId: number;
  status: string;
  waitingSince?: string;
  assignee?: string;
}

describe('the local user (127.0.0.1, no agents)', () => {
  let h: Harness;
  let page: PageClient;
  beforeAll(async () => {
    h = await startHarness();
    page = new PageClient(h.url);
    await page.start();
  });
  afterAll(async () => h?.close());

  it('serves the page shell with a strict CSP, no inline script, and its assets locally', async () => {
    const res = await fetch(`${h.url}/`);
    const html = await res.text();
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)/);
    expect(html).not.toMatch(/<style|style=/);
    expect(html).not.toMatch(/https?:\/\//);
    const js = html.match(/src="([^"]+)"/)?.[1];
    const css = html.match(/href="([^"]+)"/)?.[1];
    for (const asset of [js, css]) {
      const r = await fetch(`${h.url}${asset}`, { headers: { 'accept-encoding': 'br' } });
      expect(r.status).toBe(200);
      expect(r.headers.get('content-encoding')).toBe('br');
    }
  });

  it('starts in-process on its own port and stops', async () => {
    const running = await startInbox({ store: h.store.store, api: h.api, businessIds: [BUSINESS] });
    expect(running.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const events = await fetch(`${running.url}api/session`);
    expect(events.status).toBe(200);
    await running.close();
    await expect(fetch(running.url)).rejects.toThrow();
  });

  it('logs the local user in without a password', async () => {
    const r = await page.json<{ agent: { login: string; businessIds: number[] } }>('GET', '/api/session');
    expect(r.body.agent).toMatchObject({ login: 'local', businessIds: [BUSINESS] });
  });

  it('orders the queue: waiting for the seller first, longest wait first, then the rest newest first', async () => {
    const r = await page.json<{ chats: ChatRow[] }>('GET', '/api/queue?limit=200');
    const chats = r.body.chats;
    const waiting = chats.filter((c) => c.status === 'WAITING_FOR_PARTNER');
    expect(waiting.length).toBeGreaterThan(3);
    expect(chats.slice(0, waiting.length)).toEqual(waiting);
    const times = waiting.map((c) => Date.parse(c.waitingSince!));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    const total = Number((await h.store.store.database().all('SELECT COUNT(*) AS n FROM chats'))[0]?.n);
    expect(chats.length).toBe(total);
  });

  it('pages the queue with a cursor, without gaps or repeats', async () => {
    const all = (await page.json<{ chats: ChatRow[] }>('GET', '/api/queue?limit=200')).body.chats;
    const paged: ChatRow[] = [];
    let after = '';
    for (let i = 0; i < 50; i++) {
      const r = await page.json<{ chats: ChatRow[]; next: string | null }>(
        'GET',
        `/api/queue?limit=7${after ? `&after=${after}` : ''}`,
      );
      paged.push(...r.body.chats);
      if (!r.body.next) break;
      after = r.body.next;
    }
    expect(paged.map((c) => c.chatId)).toEqual(all.map((c) => c.chatId));
  });

  it('filters by status, type and context', async () => {
    const r = await page.json<{ chats: Array<ChatRow & { type: string; context: { type: string } }> }>(
      'GET',
      '/api/queue?status=FINISHED,WAITING_FOR_CUSTOMER&context=ORDER',
    );
    expect(r.body.chats.length).toBeGreaterThan(0);
    for (const c of r.body.chats) {
      expect(['FINISHED', 'WAITING_FOR_CUSTOMER']).toContain(c.status);
      expect(c.context.type).toBe('ORDER');
    }
    const disputes = await page.json<{ chats: Array<{ type: string }> }>('GET', '/api/queue?type=ARBITRAGE');
    expect(disputes.body.chats.length).toBeGreaterThan(0);
    expect(disputes.body.chats.every((c) => c.type === 'ARBITRAGE')).toBe(true);
  });

  it('sends a reply once, records who sent it, assigns the chat, and answers a repeat without resending', async () => {
    const chat = (await page.json<{ chats: ChatRow[] }>('GET', '/api/queue?status=WAITING_FOR_PARTNER')).body
      .chats[0]!;
    const path = `/api/businesses/${chat.businessId}/chats/${chat.chatId}`;
    const text = `Здравствуйте! Проверяем ${Date.now()}`;
    const seenMessageId = await newestShown(page, path);
    const body = { text, clientId: 'client-0001-a', page: 'page-0001-a', seenMessageId };
    const first = await page.json<{ state: string; messageId: number }>('POST', `${path}/messages`, body);
    expect(first.body).toMatchObject({ state: 'sent', messageId: expect.any(Number) });
    const again = await page.json('POST', `${path}/messages`, body);
    expect(again.body).toEqual(first.body);
    const history = [];
    for await (const m of h.api.iterateChatHistory(BUSINESS, chat.chatId)) history.push(m);
    expect(history.filter((m) => m.message === text).map((m) => m.messageId)).toEqual([first.body.messageId]);
    const info = await page.json<{
      chat: ChatRow;
      audit: Array<{ login: string; action: string; detail: string }>;
    }>('GET', path);
    expect(info.body.chat.assignee).toBe('local');
    expect(info.body.audit[0]).toMatchObject({ login: 'local', action: 'sent', detail: text });
  });

  it('answers "checking" after a 500, sends nothing by itself, and settles it from the history', async () => {
    const chat = (await page.json<{ chats: ChatRow[] }>('GET', '/api/queue?status=WAITING_FOR_PARTNER')).body
      .chats[1]!;
    const path = `/api/businesses/${chat.businessId}/chats/${chat.chatId}`;
    const before = (await h.admin.state()).totals;
    await h.admin.addFaults([{ operation: 'sendMessageToChat', status: 500, count: 1 }]);
    const r = await page.json<{ state: string }>('POST', `${path}/messages`, {
      text: 'Проверим и вернёмся',
      clientId: 'client-0002-a',
      page: 'page-0001-a',
      seenMessageId: await newestShown(page, path),
    });
    expect(r.body.state).toBe('checking');
    const info = await page.json<{ audit: Array<{ action: string }> }>('GET', path);
    expect(info.body.audit[0]?.action).toBe('maybe_sent');
    // The emulator's 500 acted on nothing: once the platform's window is over the history proves it.
    await expect
      .poll(
        async () =>
          (await page.json<{ state: string; code?: string }>('GET', `${path}/sends/client-0002-a`)).body,
        {
          timeout: 15_000,
          interval: 250,
        },
      )
      .toMatchObject({ state: 'notSent', code: 'NOT_SENT' });
    expect((await h.admin.state()).totals).toEqual(before);
  });

  it('refuses a file over 5 MB before sending, and sends one under it', async () => {
    const chat = (await page.json<{ chats: ChatRow[] }>('GET', '/api/queue?status=WAITING_FOR_PARTNER')).body
      .chats[2]!;
    const path = `/api/businesses/${chat.businessId}/chats/${chat.chatId}/files`;
    const headers = {
      'x-csrf-token': page.csrf,
      'content-type': 'application/octet-stream',
      'x-file-name': encodeURIComponent('накладная.pdf'),
      'x-client-id': 'client-0003-a',
      'x-page-id': 'page-0001-a',
      'x-seen-message-id': String(
        await newestShown(page, `/api/businesses/${chat.businessId}/chats/${chat.chatId}`),
      ),
    };
    const big = await page.request('POST', path, { body: new Uint8Array(5 * 1024 * 1024 + 1), headers });
    expect(big.status).toBe(413);
    const ok = await page.request('POST', path, { body: new TextEncoder().encode('%PDF-1.4 test'), headers });
    expect(await ok.json()).toMatchObject({ state: 'sent', messageId: expect.any(Number) });
    const history = [];
    for await (const m of h.api.iterateChatHistory(BUSINESS, chat.chatId)) history.push(m);
    expect(history.at(-1)?.payload?.[0]).toMatchObject({ name: 'накладная.pdf', size: 13 });
  });

  it('proxies an attachment of the chat with the seller credential, and nothing else', async () => {
    const rows = await h.store.store.database().all(
      `SELECT m.chat_id, f.url, f.name, f.size FROM message_files f
         JOIN messages m ON m.business_id = f.business_id AND m.message_id = f.message_id LIMIT 1`,
    );
    const file = rows[0]!;
    const base = `/api/businesses/${BUSINESS}/chats/${file.chat_id}/file?url=`;
    const direct = await fetch(String(file.url), { headers: { 'Api-Key': 'emulator-api-key' } });
    const expected = Buffer.from(await direct.arrayBuffer());
    const res = await page.request('GET', `${base}${encodeURIComponent(String(file.url))}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain('sandbox');
    expect(Buffer.from(await res.arrayBuffer())).toEqual(expected);
    const other = await page.request(
      'GET',
      `${base}${encodeURIComponent(`${h.emulatorUrl}/_emulator/state?full=1`)}`,
    );
    expect(other.status).toBe(404);
  });

  it("fetches an attachment with the credential of the chat's own business when credentials differ per business", async () => {
    const rows = await h.store.store.database().all(
      `SELECT m.chat_id, f.url FROM message_files f
         JOIN messages m ON m.business_id = f.business_id AND m.message_id = f.message_id LIMIT 1`,
    );
    const file = rows[0]!;
    const asked: number[] = [];
    const perBusiness = credentialFetcher({
      allowedOrigins: [h.emulatorUrl],
      async credentialFor(businessId) {
        asked.push(businessId);
        return { apiKey: 'emulator-api-key' };
      },
    });
    const url = String(file.url);
    const fetched = await perBusiness(url, AbortSignal.timeout(10_000), BUSINESS);
    expect(fetched.status).toBe(200);
    expect(asked).toEqual([BUSINESS]);
    // The route hands the fetcher the business of the chat the attachment belongs to.
    const seen: number[] = [];
    let fetcher = perBusiness;
    const other = await startHarness({
      inbox: {
        fetchFile: (target, signal, businessId) => {
          seen.push(businessId);
          return fetcher(target, signal, businessId);
        },
      },
    });
    fetcher = credentialFetcher({
      allowedOrigins: [other.emulatorUrl],
      credentialFor: async () => ({ apiKey: 'emulator-api-key' }),
    });
    try {
      const otherPage = new PageClient(other.url);
      await otherPage.start();
      const res = await otherPage.request(
        'GET',
        `/api/businesses/${BUSINESS}/chats/${file.chat_id}/file?url=${encodeURIComponent(
          url.replace(h.emulatorUrl, other.emulatorUrl),
        )}`,
      );
      expect(res.status).toBe(200);
      expect(seen).toEqual([BUSINESS]);
    } finally {
      await other.close();
    }
  });
});

describe('an attachment the server cannot fetch', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => h?.close());

  /** The same store and chats behind an inbox with another file fetcher; the status and JSON of a download. */
  async function downloadThrough(fetchFile: Parameters<typeof createInbox>[0]['fetchFile']) {
    const other = await serveInbox(h, { fetchFile });
    try {
      const page = new PageClient(other.url);
      await page.start();
      const file = (
        await h.store.store.database().all(
          `SELECT m.chat_id, f.url FROM message_files f
             JOIN messages m ON m.business_id = f.business_id AND m.message_id = f.message_id LIMIT 1`,
        )
      )[0]!;
      const res = await page.request(
        'GET',
        `/api/businesses/${BUSINESS}/chats/${file.chat_id}/file?url=${encodeURIComponent(String(file.url))}`,
      );
      return {
        status: res.status,
        body: (await res.json()) as unknown,
        host: new URL(String(file.url)).host,
      };
    } finally {
      await other.close();
    }
  }

  it("answers 502 naming the host when the link is not on the platform's file host", async () => {
    const got = await downloadThrough(
      credentialFetcher({ apiKey: 'emulator-api-key', allowedOrigins: ['https://files.example.invalid'] }),
    );
    expect(got.status).toBe(502);
    expect(got.body).toEqual({
      error: {
        code: 'FILE_HOST_NOT_ALLOWED',
        message: expect.stringContaining(`attachment host ${got.host} is not the platform's file host`),
      },
    });
  });

  it('answers 502 when the file host cannot be reached', async () => {
    // A port that was just free and is closed again: nothing listens there.
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const got = await downloadThrough((_url, signal) => fetch(`http://127.0.0.1:${port}/file`, { signal }));
    expect(got.status).toBe(502);
    expect(got.body).toEqual({
      error: { code: 'FILE_UNREACHABLE', message: 'the file host could not be reached (ECONNREFUSED)' },
    });
  });

  it('answers 403 NOT_SERVED when the business has no credential any more (removed since the inbox last looked)', async () => {
    const got = await downloadThrough(
      credentialFetcher({ allowedOrigins: [h.emulatorUrl], credentialFor: async () => undefined }),
    );
    expect(got.status).toBe(403);
    expect(got.body).toEqual({
      error: { code: 'NOT_SERVED', message: expect.stringContaining(`business ${BUSINESS} is not served`) },
    });
  });
});

describe('agents with logins', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      host: '0.0.0.0',
      businessIds: [BUSINESS, OTHER],
      agents: [
        { login: 'anna', passwordHash: await hashPassword('anna-secret'), businessIds: [BUSINESS] },
        { login: 'boris', passwordHash: await hashPassword('boris-secret'), businessIds: [BUSINESS] },
        { login: 'vera', passwordHash: await hashPassword('vera-secret'), businessIds: [OTHER] },
        { login: 'gleb', passwordHash: await hashPassword('gleb-secret'), businessIds: [BUSINESS] },
      ],
      inbox: { loginLimits: { perAddressAndLogin: 3 } },
    });
  });
  afterAll(async () => h?.close());

  it('refuses to start bound beyond loopback without agents', () => {
    expect(() =>
      createInbox({ source: h.source, api: h.api, businessIds: [BUSINESS], host: '0.0.0.0' }),
    ).toThrow(/logins are mandatory/);
  });

  it('needs a login, and sets a Secure, HttpOnly, SameSite=Strict session cookie', async () => {
    const page = new PageClient(h.url);
    const anonymous = await page.start();
    expect(anonymous.body.agent).toBeNull();
    expect((await page.json('GET', '/api/queue')).status).toBe(401);
    const res = await page.request('POST', '/api/login', {
      body: JSON.stringify({ login: 'anna', password: 'anna-secret' }),
      headers: { 'content-type': 'application/json', 'x-csrf-token': page.csrf },
    });
    expect(res.status).toBe(200);
    const cookie = res.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).toMatch(/Secure/);
    page.csrf = ((await res.json()) as { csrf: string }).csrf;
    expect((await page.json('GET', '/api/queue')).status).toBe(200);
  });

  it('refuses a write without the CSRF token, with a wrong one, or from another origin', async () => {
    const page = new PageClient(h.url);
    await page.login('anna', 'anna-secret');
    const chat = (await page.json<{ chats: ChatRow[] }>('GET', '/api/queue')).body.chats[0]!;
    const path = `/api/businesses/${chat.businessId}/chats/${chat.chatId}/assign`;
    const noToken = await page.request('POST', path, {
      body: JSON.stringify({ login: 'anna' }),
      headers: { 'content-type': 'application/json' },
    });
    expect(noToken.status).toBe(403);
    expect((await page.json('POST', path, { login: 'anna' }, { 'x-csrf-token': 'forged' })).status).toBe(403);
    expect(
      (await page.json('POST', path, { login: 'anna' }, { origin: 'https://evil.example' })).status,
    ).toBe(403);
    expect((await page.json('POST', path, { login: 'anna' })).status).toBe(200);
  });

  it('rate-limits failed logins, even when the right password comes next', async () => {
    const page = new PageClient(h.url);
    await page.start();
    for (let i = 0; i < 3; i++) {
      expect((await page.json('POST', '/api/login', { login: 'gleb', password: 'wrong' })).status).toBe(401);
    }
    const limited = await page.json('POST', '/api/login', { login: 'gleb', password: 'gleb-secret' });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it("gives an agent of one business 403 for another business's chat, and never lists it", async () => {
    const anna = new PageClient(h.url);
    await anna.login('anna', 'anna-secret');
    const chat = (await anna.json<{ chats: ChatRow[] }>('GET', '/api/queue')).body.chats[0]!;
    const vera = new PageClient(h.url);
    await vera.login('vera', 'vera-secret');
    const path = `/api/businesses/${chat.businessId}/chats/${chat.chatId}`;
    expect((await vera.json('GET', path)).status).toBe(403);
    expect((await vera.json('GET', `${path}/messages`)).status).toBe(403);
    expect(
      (
        await vera.json('POST', `${path}/messages`, {
          text: 'x',
          clientId: 'client-0004-a',
          page: 'page-0004-v',
        })
      ).status,
    ).toBe(403);
    expect((await vera.json('GET', `/api/queue?business=${BUSINESS}`)).status).toBe(403);
    expect((await vera.json<{ chats: ChatRow[] }>('GET', '/api/queue')).body.chats).toEqual([]);
    const word = (
      await h.store.store.database().all('SELECT text FROM messages WHERE text IS NOT NULL LIMIT 1')
    )[0]!;
    const q = encodeURIComponent(String(word.text).split(/\s+/)[0]!);
    expect(
      (await anna.json<{ hits: unknown[] }>('GET', `/api/search?q=${q}`)).body.hits.length,
    ).toBeGreaterThan(0);
    expect((await vera.json<{ hits: unknown[] }>('GET', `/api/search?q=${q}`)).body.hits).toEqual([]);
  });

  it('filters the queue by assignee and by unassigned', async () => {
    const anna = new PageClient(h.url);
    await anna.login('anna', 'anna-secret');
    const chat = (await anna.json<{ chats: ChatRow[] }>('GET', '/api/queue')).body.chats[5]!;
    const path = `/api/businesses/${chat.businessId}/chats/${chat.chatId}`;
    expect((await anna.json('POST', `${path}/assign`, { login: 'boris' })).status).toBe(200);
    expect((await anna.json('POST', `${path}/assign`, { login: 'vera' })).status).toBe(400);
    const boris = (await anna.json<{ chats: ChatRow[] }>('GET', '/api/queue?assignee=boris')).body.chats;
    expect(boris.map((c) => [c.chatId, c.assignee])).toEqual([[chat.chatId, 'boris']]);
    const unassigned = (await anna.json<{ chats: ChatRow[] }>('GET', '/api/queue?unassigned=1&limit=200'))
      .body.chats;
    expect(unassigned.some((c) => c.chatId === chat.chatId)).toBe(false);
    expect(unassigned.every((c) => c.assignee === undefined)).toBe(true);
    expect((await anna.json('POST', `${path}/assign`, { login: null })).status).toBe(200);
    expect((await anna.json<{ chats: ChatRow[] }>('GET', '/api/queue?assignee=boris')).body.chats).toEqual(
      [],
    );
  });

  it('warns before sending when another agent replied meanwhile', async () => {
    const anna = new PageClient(h.url);
    await anna.login('anna', 'anna-secret');
    const boris = new PageClient(h.url);
    await boris.login('boris', 'boris-secret');
    const chat = (await anna.json<{ chats: ChatRow[] }>('GET', '/api/queue?status=WAITING_FOR_PARTNER')).body
      .chats[3]!;
    const path = `/api/businesses/${chat.businessId}/chats/${chat.chatId}`;
    const seenMessageId = await newestShown(anna, path);
    const sent = await boris.json('POST', `${path}/messages`, {
      text: 'Boris answers first',
      clientId: 'client-0005-b',
      page: 'page-0005-b',
      seenMessageId,
    });
    expect(sent.body, JSON.stringify(sent.body)).toMatchObject({ state: 'sent' });
    // Boris's reply took the chat: Anna is asked about that first, and accepts.
    const asked = await anna.json('POST', `${path}/messages`, {
      text: 'Anna answers too',
      clientId: 'client-0006-a',
      page: 'page-0006-a',
      seenMessageId,
    });
    expect(asked.status).toBe(409);
    expect(asked.body).toMatchObject({ error: { code: 'ASSIGNED' }, assignee: 'boris' });
    const draft = {
      text: 'Anna answers too',
      clientId: 'client-0006-a',
      page: 'page-0006-a',
      seenMessageId,
      acceptAssignee: 'boris',
    };
    const warned = await anna.json<{ error: { code: string }; by: string[]; newestMessageId: number }>(
      'POST',
      `${path}/messages`,
      draft,
    );
    expect(warned.status).toBe(409);
    expect(warned.body).toMatchObject({
      error: { code: 'REPLIED_MEANWHILE' },
      by: ['boris'],
      outside: false,
    });
    // "Send anyway": the same draft, now having seen Boris's reply.
    const anyway = { ...draft, seenMessageId: warned.body.newestMessageId };
    const confirmed = await anna.json('POST', `${path}/messages`, anyway);
    expect(confirmed.body).toMatchObject({ state: 'sent' });
    const audit = (await anna.json<{ audit: Array<{ login: string; detail: string }> }>('GET', path)).body
      .audit;
    expect(audit.slice(0, 2).map((a) => [a.login, a.detail])).toEqual([
      ['anna', 'Anna answers too'],
      ['boris', 'Boris answers first'],
    ]);
  });

  it('lets a separately mounted inbox share a server with other routes', async () => {
    const businessHours = { timeZone: 'Europe/Moscow', days: [1, 2, 3, 4, 5], from: '09:00', to: '18:00' };
    expect(() =>
      createInbox({
        source: h.source,
        api: h.api,
        businessIds: [BUSINESS],
        host: '127.0.0.1',
        businessHours: { ...businessHours, to: '08:00' },
      }),
    ).toThrow(/from must be before to/);
    const inbox = createInbox({
      source: h.source,
      api: h.api,
      businessIds: [BUSINESS],
      host: '127.0.0.1',
      businessHours,
    });
    const server = createServer((req, res) => {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      if (path === '/notification') {
        res.end('notification');
        return;
      }
      if (inbox.handles(path)) inbox.listener(req, res);
      else res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      expect(await (await fetch(`${base}/notification`)).text()).toBe('notification');
      const session = await fetch(`${base}/api/session`);
      expect(await session.json()).toMatchObject({ businessHours, firstReplyTargetMs: 15 * 60_000 });
      expect((await fetch(`${base}/chats/1/2`)).headers.get('content-type')).toMatch(/text\/html/);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await inbox.close();
    }
  });
});

describe('the local user only at this machine', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => h?.close());

  /** node:http, because fetch may not set Host: what a reverse proxy or a DNS-rebound page sends. */
  function session(headers: Record<string, string>): Promise<{ status: number; body: string }> {
    const url = new URL('/api/session', h.url);
    return new Promise((resolve, reject) => {
      const req = request(url, { headers }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => {
          body += d;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.end();
    });
  }

  it('a request through a proxy or for another host name gets a login screen, not the local user', async () => {
    const direct = JSON.parse((await session({})).body) as { agent: { login: string } | null };
    expect(direct.agent?.login).toBe('local');
    const proxied: Record<string, string>[] = [
      { 'X-Forwarded-For': '203.0.113.7' },
      { Forwarded: 'for=203.0.113.7' },
      { Via: '1.1 proxy' },
      { Host: 'inbox.shop.example' },
      { Host: 'attacker.example:80' },
    ];
    for (const headers of proxied) {
      const r = await session(headers);
      expect(r.status).toBe(200);
      const body = JSON.parse(r.body) as { agent: unknown; loginRequired: boolean };
      expect(body.agent).toBeNull();
      expect(body.loginRequired).toBe(true);
    }
  });
});
