/**
 * The push endpoint as a route of the inbox's Fastify app (what `serve` does): one HTTP layer answers
 * the port — pushes in the platform's envelope, the page and the API in the inbox's — over a real store.
 */
import { createInbox, type Inbox, StoreSource } from '@ym-chats/inbox';
import { ChatsApi, PUSH_BODY_LIMIT_BYTES } from '@ym-chats/sdk';
import { listenForPushes, NotificationHandler, type PushListener } from '@ym-chats/sync';
import { afterEach, describe, expect, it } from 'vitest';
import { ensureClientBuilt } from './support/client-build.js';
import { openSqliteStore, type TestStore } from './support/stores.js';

const BUSINESS = 1001;

describe('the push endpoint as a route of the inbox', () => {
  let store: TestStore | undefined;
  let source: StoreSource | undefined;
  let inbox: Inbox | undefined;
  let listening: PushListener | undefined;
  afterEach(async () => {
    await listening?.close();
    await inbox?.close();
    await source?.close();
    await store?.dispose();
  });

  async function start(allowFrom?: string[]) {
    ensureClientBuilt();
    store = await openSqliteStore();
    source = await StoreSource.open(store.store, { follow: false });
    const api = new ChatsApi({ baseUrl: 'http://127.0.0.1:9', apiKey: 'unused-test-key' });
    const served = createInbox({ source, api, businessIds: [BUSINESS], host: '127.0.0.1' });
    inbox = served;
    const handler = new NotificationHandler({ store: store.store, businessId: BigInt(BUSINESS) });
    listening = await listenForPushes({
      handler,
      basePath: '/hooks/s3cret',
      ...(allowFrom ? { allowFrom } : {}),
      router: (push) => {
        served.routePush(push);
        return served.listener;
      },
    });
    return { handler, endpoint: listening.endpoint, url: listening.url };
  }

  it('answers pushes in the platform envelope and the page and API beside them', async () => {
    const { handler, endpoint, url } = await start();
    const ping = await fetch(endpoint, { method: 'POST', body: '{"notificationType":"PING"}' });
    expect(ping.status).toBe(200);
    expect(await ping.json()).toMatchObject({ name: expect.any(String), version: expect.any(String) });
    const queued = await fetch(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        notificationType: 'CHAT_MESSAGE_SENT',
        businessId: BUSINESS,
        chatId: 77,
        messageId: '5',
        sentAt: '2026-11-25T10:00:00Z',
      }),
    });
    expect(queued.status).toBe(200);
    expect(handler.stats.queued).toBe(1);
    const malformed = await fetch(endpoint, { method: 'POST', body: 'not json' });
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({ error: { type: 'WRONG_EVENT_FORMAT' } });
    const big = await fetch(endpoint, { method: 'POST', body: 'x'.repeat(PUSH_BODY_LIMIT_BYTES + 1) });
    // The SDK's answer for it: a 400 in the spec's envelope (the platform knows no 413).
    expect(big.status).toBe(400);
    expect(await big.json()).toMatchObject({ error: { type: 'WRONG_EVENT_FORMAT' } });
    const got = await fetch(endpoint);
    expect(got.status).toBe(405);
    expect(got.headers.get('allow')).toBe('POST');
    const wrong = await fetch(`${url}/hooks/notification`, { method: 'POST', body: '{}' });
    expect(wrong.status).toBe(404);
    expect(await wrong.text()).not.toContain('s3cret');
    const session = await fetch(`${url}/api/session`);
    expect(session.status).toBe(200);
    expect(session.headers.get('set-cookie')).toMatch(/HttpOnly/);
    expect((await fetch(`${url}/`)).headers.get('content-type')).toMatch(/text\/html/);
  });

  it('refuses a source outside the allow-list with 403 and counts it; the page still answers', async () => {
    const { handler, endpoint, url } = await start(['203.0.113.0/24']);
    const refused = await fetch(endpoint, { method: 'POST', body: '{"notificationType":"PING"}' });
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ error: { type: 'UNKNOWN', message: 'source not allowed' } });
    expect(handler.stats.forbidden).toBe(1);
    expect(handler.stats.pings).toBe(0);
    expect((await fetch(`${url}/api/session`)).status).toBe(200);
  });

  it('refuses the push route once the inbox has answered a request', async () => {
    const { url } = await start();
    await fetch(`${url}/api/session`);
    expect(() =>
      inbox?.routePush({
        path: '/late/notification',
        admits: () => true,
        answer: async () => ({ status: 200, body: { version: '1', name: 'x', time: '' } }),
      }),
    ).toThrow(/before the inbox answers its first request/);
  });
});
