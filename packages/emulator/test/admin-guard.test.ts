/**
 * A web page the developer happens to open must not drive the emulator: cross-site simple requests,
 * DNS rebinding (a foreign Host), foreign Origins, redirected notifications, non-loopback binds.
 */
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exposureWarning } from '@ym-chats/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIZ, call, orderChat, type Running, start } from './helpers.js';
import { raw } from './raw.js';

let run: Running;
let port: string;
beforeAll(async () => {
  run = await start({ seed: 1 });
  port = new URL(run.url).port;
});
afterAll(() => run.emu.close());

const chatCount = async () => (await run.admin.state()).totals.chats;

describe('cross-site simple requests to the admin namespace', () => {
  it.each([
    ['text/plain', 'text/plain;charset=UTF-8', '{}'],
    ['an empty form post', 'application/x-www-form-urlencoded', ''],
    ['multipart', 'multipart/form-data; boundary=x', '--x--'],
    ['no content type', undefined, ''],
  ])('%s to /reset is refused and nothing is reset', async (_name, type, body) => {
    const before = await chatCount();
    expect(before).toBeGreaterThan(0);
    const res = await raw(run.url, 'POST', '/_emulator/reset', type ? { 'content-type': type } : {}, body);
    expect(res.status).toBe(415);
    expect(JSON.parse(res.text).errors[0].message).toMatch(/application\/json/);
    expect(await chatCount()).toBe(before);
  });

  it('a JSON write from a foreign Origin is refused', async () => {
    const before = await chatCount();
    const res = await raw(
      run.url,
      'POST',
      '/_emulator/reset',
      { 'content-type': 'application/json', origin: 'http://evil.example' },
      '{}',
    );
    expect(res.status).toBe(403);
    expect(await chatCount()).toBe(before);
    const opaque = await raw(run.url, 'GET', '/_emulator/state', { origin: 'null' });
    expect(opaque.status).toBe(403);
  });

  it('a cross-site fetch (Sec-Fetch-Site) is refused even without an Origin', async () => {
    const res = await raw(run.url, 'GET', '/_emulator/state', { 'sec-fetch-site': 'cross-site' });
    expect(res.status).toBe(403);
    expect(res.text).not.toMatch(/emulator-api-key/);
  });

  it('a same-origin request (the emulator page itself, or curl) is served', async () => {
    const res = await raw(run.url, 'GET', '/_emulator/clock', { origin: `http://127.0.0.1:${port}` });
    expect(res.status).toBe(200);
  });

  it('a CORS preflight is never granted', async () => {
    const res = await raw(run.url, 'OPTIONS', '/_emulator/reset', {
      origin: 'http://evil.example',
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'content-type',
    });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('DNS rebinding: the Host header', () => {
  it('a foreign host name gets neither the state (with its credentials) nor the API', async () => {
    const state = await raw(run.url, 'GET', '/_emulator/state', { host: `rebind.evil.example:${port}` });
    expect(state.status).toBe(403);
    expect(state.text).not.toMatch(/emulator-api-key/);
    expect(JSON.parse(state.text).errors[0].message).toMatch(/allow-host/);
    const api = await raw(
      run.url,
      'POST',
      `/v2/businesses/${BIZ}/chats`,
      {
        host: `rebind.evil.example:${port}`,
        'api-key': 'emulator-api-key',
        'content-type': 'application/json',
      },
      '{}',
    );
    expect(api.status).toBe(403);
  });

  it.each(['localhost:PORT', 'app.localhost:PORT', '127.0.0.1:PORT', '[::1]', '10.1.2.3:8080'])(
    'Host %s is answered',
    async (host) => {
      const res = await raw(run.url, 'GET', '/_emulator/clock', { host: host.replace('PORT', port) });
      expect(res.status).toBe(200);
    },
  );

  it('a configured name (allowedHosts or publicUrl) is answered', async () => {
    const named = await start({ allowedHosts: ['emulator.test'], publicUrl: 'http://files.test:9000' });
    try {
      for (const host of ['emulator.test', 'EMULATOR.test:1234', 'files.test:9000']) {
        expect((await raw(named.url, 'GET', '/_emulator/clock', { host })).status).toBe(200);
      }
      expect((await raw(named.url, 'GET', '/_emulator/clock', { host: 'other.test' })).status).toBe(403);
    } finally {
      await named.emu.close();
    }
  });
});

describe('the admin token and non-loopback binds', () => {
  it('a non-loopback bind without an admin token refuses to start', async () => {
    const r = await start();
    try {
      await expect(r.emu.listen(0, '0.0.0.0')).rejects.toThrow(/admin token/);
    } finally {
      await r.emu.close();
    }
  });

  it('with a token every admin request needs it; file downloads keep the API credentials', async () => {
    const guarded = await start({ adminToken: 's3cret-admin' });
    try {
      const missing = await raw(guarded.url, 'GET', '/_emulator/state');
      expect(missing.status).toBe(401);
      expect(missing.text).not.toMatch(/emulator-api-key/);
      const wrong = await raw(guarded.url, 'GET', '/_emulator/state', { 'x-emulator-admin-token': 'nope' });
      expect(wrong.status).toBe(401);
      const right = await raw(guarded.url, 'GET', '/_emulator/state', {
        'x-emulator-admin-token': 's3cret-admin',
      });
      expect(right.status).toBe(200);
      const { AdminClient } = await import('@ym-chats/emulator');
      const admin = new AdminClient(guarded.url, 's3cret-admin');
      const order = await admin.createOrder(BIZ);
      const chat = await admin.createChat(BIZ, { context: { type: 'ORDER', id: order.orderId } });
      const message = await admin.postMessage(BIZ, chat.chat.chatId, {
        sender: 'CUSTOMER',
        payload: [{ name: 'a.txt', text: 'hello' }],
      });
      const file = await fetch(message.payload![0]!.url, { headers: { 'Api-Key': 'emulator-api-key' } });
      expect(file.status).toBe(200);
    } finally {
      await guarded.emu.close();
    }
  });

  it('the warning for a non-loopback bind names what is exposed', () => {
    const text = exposureWarning('0.0.0.0', {});
    expect(text).toMatch(/0\.0\.0\.0/);
    expect(text).toMatch(/emulator-api-key/);
    expect(text).toMatch(/\/_emulator/);
    expect(exposureWarning('127.0.0.1', {})).toBeUndefined();
    expect(exposureWarning('localhost', {})).toBeUndefined();
  });
});

describe('notification delivery', () => {
  let redirector: Server;
  let target: Server;
  let targetHits = 0;
  beforeAll(async () => {
    target = createServer((_req, res) => {
      targetHits++;
      res.end('{}');
    });
    target.listen(0, '127.0.0.1');
    await once(target, 'listening');
    const targetUrl = `http://127.0.0.1:${(target.address() as AddressInfo).port}/steal`;
    redirector = createServer((req, res) => {
      req.resume();
      res.writeHead(307, { location: targetUrl });
      res.end();
    });
    redirector.listen(0, '127.0.0.1');
    await once(redirector, 'listening');
  });
  afterAll(() => {
    target.close();
    redirector.close();
  });

  it('does not follow redirects', async () => {
    const r = await start();
    try {
      await r.admin.configureNotifications({
        url: `http://127.0.0.1:${(redirector.address() as AddressInfo).port}/hook`,
        retryScheduleMs: [],
      });
      await orderChat(r);
      let deliveries = (await r.admin.notifications()).deliveries;
      for (let i = 0; i < 100 && deliveries.some((d) => d.state === 'pending'); i++) {
        await new Promise((res) => setTimeout(res, 20));
        deliveries = (await r.admin.notifications()).deliveries;
      }
      expect(deliveries).toHaveLength(1);
      expect(deliveries[0]!.state).toBe('failed');
      expect(deliveries[0]!.attempts[0]).toMatchObject({ status: 307 });
      expect(deliveries[0]!.attempts[0]!.error).toMatch(/redirect .* not followed/);
      expect(targetHits).toBe(0);
    } finally {
      await r.emu.close();
    }
  });
});

it('the chat API is unaffected for ordinary clients', async () => {
  expect((await call(run.url, 'getChats')).status).toBe(200);
});
