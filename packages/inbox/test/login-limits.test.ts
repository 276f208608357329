/**
 * Login rate limits that an attacker cannot turn against the agent: wrong passwords from one place never
 * lock the agent out of another, one place is limited across logins, and a flood from many places stops
 * new places but not the one the agent logged in from before.
 */
import { hashPassword } from '@ym-chats/inbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PageClient } from './support/http-client.js';
import { type Harness, startHarness } from './support/inbox-server.js';

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

  it('stops new places past the global ceiling, but not a place the agent logged in from', async () => {
    // 9 failures so far in this window (3 + 6; answers of 429 do not count): 4 more pass the ceiling of 12.
    for (let i = 0; i < 4; i++) await attempt(`192.0.2.${10 + i}`, 'gleb', 'wrong');
    const fresh = await attempt('192.0.2.200', 'gleb', 'gleb-secret');
    expect(fresh.status).toBe(429);
    expect(Number(fresh.headers.get('retry-after'))).toBeGreaterThan(0);
    // Where anna and gleb logged in before, they still can.
    expect((await attempt('198.51.100.7', 'anna', 'anna-secret')).status).toBe(200);
    expect((await attempt('2001:db8:7:8::77', 'gleb', 'gleb-secret')).status).toBe(200);
  });
});
