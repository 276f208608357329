/**
 * Login rate limits that an attacker cannot turn against the agent: wrong passwords from one place never
 * lock the agent out of another, one place is limited across logins, and a flood from many places stops
 * new places but not the one the agent logged in from before, nor a browser holding the agent's device
 * token, nor a new browser with a one-time login link.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLoginLink, hashPassword, MemoryLoginLimiter, openInbox } from '@ym-chats/inbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PageClient } from './support/http-client.js';
import { BUSINESS, type Harness, startHarness } from './support/inbox-server.js';
import { describeStores } from './support/stores.js';

describe('login limits by client address and login, with a global ceiling', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      host: '0.0.0.0',
      agents: [
        { login: 'anna', passwordHash: await hashPassword('anna-secret'), businessIds: [1001] },
        { login: 'gleb', passwordHash: await hashPassword('gleb-secret'), businessIds: [1001] },
      ],
      // Behind a proxy, so each request can come "from" another address.
      inbox: { trustProxy: true, loginLimits: { perAddressAndLogin: 3, perAddress: 6, global: 12 } },
    });
  });
  afterAll(async () => h?.close());

  async function attempt(from: string, login: string, password: string) {
    const page = new PageClient(h.url);
    await page.start();
    return page.json('POST', '/api/login', { login, password }, { 'x-forwarded-for': from });
  }

  it('keeps the agent able to log in from their place while someone elsewhere guesses their password', async () => {
    const statuses = [];
    for (let i = 0; i < 6; i++) statuses.push((await attempt('203.0.113.5', 'anna', 'wrong')).status);
    expect(statuses).toEqual([401, 401, 401, 429, 429, 429]);
    // The attacker's place stays limited even with the right password …
    expect((await attempt('203.0.113.5', 'anna', 'anna-secret')).status).toBe(429);
    // … and the agent elsewhere gets in.
    expect((await attempt('198.51.100.7', 'anna', 'anna-secret')).status).toBe(200);
  });

  it('limits one place across logins, counting an IPv6 /64 as one place', async () => {
    const logins = ['u1', 'u2', 'u3', 'u4', 'u5', 'u6'];
    const statuses = [];
    for (const [i, login] of logins.entries()) {
      // Six addresses of one /64.
      statuses.push((await attempt(`2001:db8:7:7::${i + 1}`, login, 'wrong')).status);
    }
    expect(statuses).toEqual([401, 401, 401, 401, 401, 401]);
    expect((await attempt('2001:db8:7:7:abcd::9', 'gleb', 'gleb-secret')).status).toBe(429);
    expect((await attempt('2001:db8:7:8::1', 'gleb', 'gleb-secret')).status).toBe(200);
  });

  it('counts failures in the database: another process on it refuses the same place', async () => {
    for (let i = 0; i < 3; i++) expect((await attempt('203.0.113.99', 'gleb', 'wrong')).status).toBe(401);
    const store = await h.store.reopen();
    const inbox = await openInbox({
      store,
      api: h.api,
      businessIds: [BUSINESS],
      host: '0.0.0.0',
      agents: h.agents,
      trustProxy: true,
      loginLimits: { perAddressAndLogin: 3, perAddress: 6, global: 12 },
    });
    const server: Server = createServer(inbox.listener);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const page = new PageClient(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
      await page.start();
      const there = await page.json(
        'POST',
        '/api/login',
        { login: 'gleb', password: 'gleb-secret' },
        { 'x-forwarded-for': '203.0.113.99' },
      );
      expect(there.status).toBe(429);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await inbox.close();
      await store.close();
    }
  });

  it('stops new places past the global ceiling, but not a place the agent logged in from', async () => {
    // 12 failures so far in this window (3 + 6 + 3; answers of 429 do not count): one more passes the ceiling.
    for (let i = 0; i < 1; i++) await attempt(`192.0.2.${10 + i}`, 'gleb', 'wrong');
    const fresh = await attempt('192.0.2.200', 'gleb', 'gleb-secret');
    expect(fresh.status).toBe(429);
    expect(Number(fresh.headers.get('retry-after'))).toBeGreaterThan(0);
    // Where anna and gleb logged in before, they still can.
    expect((await attempt('198.51.100.7', 'anna', 'anna-secret')).status).toBe(200);
    expect((await attempt('2001:db8:7:8::77', 'gleb', 'gleb-secret')).status).toBe(200);
  });
});

describe('login limits against a burst', () => {
  let b: Harness;
  beforeAll(async () => {
    b = await startHarness({
      host: '0.0.0.0',
      agents: [{ login: 'anna', passwordHash: await hashPassword('anna-secret'), businessIds: [1001] }],
      inbox: { trustProxy: true, loginLimits: { perAddressAndLogin: 3, perAddress: 6, global: 100 } },
    });
  });
  afterAll(async () => b?.close());

  it('holds for a burst of attempts sent all at once', async () => {
    // Checked before and counted after the slow password check, all 24 would be tried.
    const pages = await Promise.all(
      Array.from({ length: 24 }, async () => {
        const page = new PageClient(b.url);
        await page.start();
        return page;
      }),
    );
    const statuses = await Promise.all(
      pages.map(
        async (page) =>
          (
            await page.json(
              'POST',
              '/api/login',
              { login: 'anna', password: 'wrong' },
              { 'x-forwarded-for': '203.0.113.77' },
            )
          ).status,
      ),
    );
    expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(3);
    expect(statuses.filter((s) => s !== 401).every((s) => s === 429)).toBe(true);
  });
});

describeStores('device tokens and login links against guessing from many places', (engine) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      openStore: engine.open,
      host: '0.0.0.0',
      agents: [
        { login: 'anna', passwordHash: await hashPassword('anna-secret'), businessIds: [BUSINESS] },
        { login: 'boris', passwordHash: await hashPassword('boris-secret'), businessIds: [BUSINESS] },
      ],
      // The default limits scaled down by five (the CLI's agents test runs the full 200 against `serve`).
      inbox: { trustProxy: true, loginLimits: { perAddressAndLogin: 1, perAddress: 4, global: 40 } },
    });
  });
  afterAll(async () => h?.close());

  async function attempt(page: PageClient, from: string, login: string, password: string) {
    await page.start();
    const r = await page.json<{ csrf: string }>(
      'POST',
      '/api/login',
      { login, password },
      { 'x-forwarded-for': from },
    );
    if (r.status === 200) page.csrf = r.body.csrf;
    return r;
  }

  it("keeps each agent's device token on a browser they share (a colleague logging in there replaces nothing)", async () => {
    const desk = new PageClient(h.url);
    expect((await attempt(desk, '198.51.100.20', 'anna', 'anna-secret')).status).toBe(200);
    expect((await desk.json('POST', '/api/logout', {})).status).toBe(200);
    expect((await attempt(desk, '198.51.100.20', 'boris', 'boris-secret')).status).toBe(200);
    expect((await desk.json('POST', '/api/logout', {})).status).toBe(200);
    expect([...desk.cookies.keys()].filter((name) => name.startsWith('ymc_device_'))).toHaveLength(2);
  });

  it('lets anna in from her known browser and with a link once guesses from 10 addresses fill the ceiling', async () => {
    // Anna's browser, used before (it holds her device token); she logs out.
    const known = new PageClient(h.url);
    expect((await attempt(known, '198.51.100.10', 'anna', 'anna-secret')).status).toBe(200);
    expect([...known.cookies.keys()].some((name) => name.startsWith('ymc_device_'))).toBe(true);
    expect((await known.json('POST', '/api/logout', {})).status).toBe(200);
    // 4 wrong guesses from each of 10 addresses, each within its own limits (1 at anna, 3 at other names).
    const statuses = await Promise.all(
      Array.from({ length: 10 }, async (_, a) => {
        const out: number[] = [];
        for (let i = 0; i < 4; i++) {
          const login = i < 1 ? 'anna' : `guess${i}`;
          out.push((await attempt(new PageClient(h.url), `203.0.113.${a + 1}`, login, 'wrong')).status);
        }
        return out;
      }),
    );
    expect(statuses.flat().filter((s) => s === 401)).toHaveLength(40);
    // The shared ceiling is reached: a new browser at a new address waits, even with the right password …
    const stranger = await attempt(new PageClient(h.url), '192.0.2.44', 'anna', 'anna-secret');
    expect(stranger.status).toBe(429);
    // … but anna's own browser gets in at once, from that same new address.
    expect((await attempt(known, '192.0.2.44', 'anna', 'anna-secret')).status).toBe(200);
    expect((await known.json('GET', '/api/queue')).status).toBe(200);
    // A new browser at another new address, with a link made in a terminal: in, and it keeps a device token.
    const token = await createLoginLink(h.store.store.database(), 'anna');
    const fresh = new PageClient(h.url);
    await fresh.start();
    const link = await fresh.json('POST', '/api/login/link', { token }, { 'x-forwarded-for': '192.0.2.45' });
    expect(link.status).toBe(200);
    expect((link.body as { agent: { login: string } }).agent.login).toBe('anna');
    fresh.csrf = (link.body as { csrf: string }).csrf;
    expect((await fresh.json('GET', '/api/queue')).status).toBe(200);
    expect((await fresh.json('POST', '/api/logout', {})).status).toBe(200);
    // From then on that browser logs in with the password too, wherever it is.
    expect((await attempt(fresh, '192.0.2.46', 'anna', 'anna-secret')).status).toBe(200);
    // The link is used up; the guessers' addresses are still limited as before.
    const again = new PageClient(h.url);
    await again.start();
    expect((await again.json('POST', '/api/login/link', { token })).status).toBe(401);
    expect((await attempt(new PageClient(h.url), '203.0.113.1', 'anna', 'anna-secret')).status).toBe(429);
  }, 60_000);

  it('stores links hashed, refuses an expired one, and a device token works for its own login only', async () => {
    const token = await createLoginLink(h.store.store.database(), 'anna', 1);
    const rows = await h.store.store.database().all('SELECT token_hash, login FROM inbox_login_links');
    expect(JSON.stringify(rows)).not.toContain(token);
    await new Promise((resolve) => setTimeout(resolve, 5));
    const late = new PageClient(h.url);
    await late.start();
    expect((await late.json('POST', '/api/login/link', { token })).status).toBe(401);
    // Anna's device token, sent with another login, counts as no token: that login is held to the ceiling.
    const known = new PageClient(h.url);
    expect((await attempt(known, '198.51.100.10', 'anna', 'anna-secret')).status).toBe(200);
    expect((await attempt(known, '192.0.2.47', 'guess3', 'wrong')).status).toBe(429);
  });
});

describeStores('a device token that itself sees wrong passwords', (engine) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      openStore: engine.open,
      host: '0.0.0.0',
      agents: [{ login: 'anna', passwordHash: await hashPassword('anna-secret'), businessIds: [BUSINESS] }],
      inbox: { trustProxy: true, loginLimits: { perDevice: 3, perAddressAndLogin: 50, perAddress: 50 } },
    });
  });
  afterAll(async () => h?.close());

  it('is locked out on its own; her other browser and other places are not', async () => {
    const login = async (page: PageClient, from: string, password: string) => {
      await page.start();
      return (await page.json('POST', '/api/login', { login: 'anna', password }, { 'x-forwarded-for': from }))
        .status;
    };
    const stolen = new PageClient(h.url);
    const hers = new PageClient(h.url);
    expect(await login(stolen, '198.51.100.20', 'anna-secret')).toBe(200);
    expect(await login(hers, '198.51.100.21', 'anna-secret')).toBe(200);
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push(await login(stolen, '203.0.113.80', 'wrong'));
    expect(statuses).toEqual([401, 401, 401, 429, 429]);
    // Locked wherever it goes, even with the right password …
    expect(await login(stolen, '198.51.100.20', 'anna-secret')).toBe(429);
    // … while her other browser, and a browser without a token at that address, are not.
    expect(await login(hers, '203.0.113.80', 'anna-secret')).toBe(200);
    expect(await login(new PageClient(h.url), '203.0.113.80', 'anna-secret')).toBe(200);
  });
});

describe('login limits in memory (createInbox without a database)', () => {
  it('limit a place and login, a place, and new places past the global ceiling', async () => {
    let now = 1_000_000;
    const limiter = new MemoryLoginLimiter({
      perAddressAndLogin: 2,
      perAddress: 3,
      global: 4,
      now: () => now,
    });
    await limiter.succeed('anna', '10.0.0.1');
    await limiter.fail('anna', '10.0.0.2');
    await limiter.fail('anna', '10.0.0.2');
    expect(await limiter.retryAfter('anna', '10.0.0.2')).toBeGreaterThan(0);
    expect(await limiter.retryAfter('anna', '10.0.0.3')).toBe(0);
    await limiter.fail('boris', '10.0.0.2');
    expect(await limiter.retryAfter('vera', '10.0.0.2')).toBeGreaterThan(0);
    await limiter.fail('boris', '10.0.0.4');
    // Four failures in all: new places wait, anna's known place does not.
    expect(await limiter.retryAfter('anna', '10.0.0.5')).toBeGreaterThan(0);
    expect(await limiter.retryAfter('anna', '10.0.0.1')).toBe(0);
    now += 16 * 60_000;
    expect(await limiter.retryAfter('anna', '10.0.0.2')).toBe(0);
  });

  it('count an attempt at its start, and take it back when the password was right', async () => {
    const limiter = new MemoryLoginLimiter({ perAddressAndLogin: 3, perAddress: 3, global: 100 });
    const started = await Promise.all(Array.from({ length: 6 }, () => limiter.begin('anna', '10.0.0.9')));
    expect(started.map((a) => a.retryAfter > 0)).toEqual([false, false, false, true, true, true]);
    // The first one turns out right: its count goes, so the place may try once more.
    await limiter.succeed('anna', '10.0.0.9', started[0]!);
    expect((await limiter.begin('boris', '10.0.0.9')).retryAfter).toBe(0);
    expect((await limiter.begin('boris', '10.0.0.9')).retryAfter).toBeGreaterThan(0);
  });

  it('count a device token on its own, not held to the global ceiling', async () => {
    const limiter = new MemoryLoginLimiter({ perAddressAndLogin: 2, perAddress: 2, global: 2, perDevice: 2 });
    await limiter.fail('anna', '10.0.0.1');
    await limiter.fail('anna', '10.0.0.2');
    expect(await limiter.retryAfter('anna', '10.0.0.3')).toBeGreaterThan(0);
    expect(await limiter.retryAfter('anna', '10.0.0.3', 'device-1')).toBe(0);
    await limiter.fail('anna', '10.0.0.3', 'device-1');
    await limiter.fail('anna', '10.0.0.3', 'device-1');
    expect(await limiter.retryAfter('anna', '10.0.0.4', 'device-1')).toBeGreaterThan(0);
    expect(await limiter.retryAfter('anna', '10.0.0.4', 'device-2')).toBe(0);
  });
});
