/**
 * The inbox's one error envelope (`{error: {code, message}}`, what the page reads) for what Fastify itself
 * refuses — a body of the wrong type, broken JSON, not an object, too large, a field failing the route's
 * schema — and for paths and methods the API does not have; with the security headers on every answer.
 */
import { createInbox, type Inbox, StoreSource } from '@ym-chats/inbox';
import { ChatsApi } from '@ym-chats/sdk';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ensureClientBuilt } from './support/client-build.js';
import { openSqliteStore, type TestStore } from './support/stores.js';

let store: TestStore;
let source: StoreSource;
let inbox: Inbox;
let server: import('node:http').Server;
let base = '';
let cookie = '';
let csrf = '';

beforeAll(async () => {
  ensureClientBuilt();
  store = await openSqliteStore();
  source = await StoreSource.open(store.store, { follow: false });
  const api = new ChatsApi({ baseUrl: 'http://127.0.0.1:9', apiKey: 'unused-test-key' });
  inbox = createInbox({ source, api, businessIds: [1001], host: '127.0.0.1' });
  const { createServer } = await import('node:http');
  server = createServer(inbox.listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as import('node:net').AddressInfo).port}`;
  const session = await fetch(`${base}/api/session`);
  cookie = session.headers.get('set-cookie')!.split(';')[0]!;
  csrf = ((await session.json()) as { csrf: string }).csrf;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await inbox.close();
  await source.close();
  await store.dispose();
});

async function post(path: string, body: string, type = 'application/json') {
  const res = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { cookie, 'x-csrf-token': csrf, 'content-type': type },
    body,
  });
  return {
    status: res.status,
    headers: res.headers,
    body: (await res.json()) as { error?: { code: string } },
  };
}

it('answers what Fastify refuses in the envelope, with the code the page knows', async () => {
  const leave = '/api/presence/leave';
  expect((await post(leave, '{"page":"page-0001"}')).status).toBe(200);
  expect((await post(leave, 'page=1', 'text/plain')).body.error?.code).toBe('UNSUPPORTED_MEDIA_TYPE');
  expect((await post(leave, '{"page":')).body.error?.code).toBe('BAD_JSON');
  expect((await post(leave, '[1,2]')).body.error?.code).toBe('BAD_JSON');
  const big = await post(leave, JSON.stringify({ page: 'x'.repeat(70 * 1024) }));
  expect(big.status).toBe(413);
  expect(big.body.error?.code).toBe('TOO_LARGE');
  const draft = '/api/assistant-drafts/draft-0001-abcd/send';
  const badPage = await post(draft, '{"page":"no"}');
  expect(badPage.status).toBe(400);
  expect(badPage.body.error?.code).toBe('BAD_PAGE');
  const badSeen = await post(draft, '{"page":"page-0001","seenMessageId":-1}');
  expect(badSeen.body.error?.code).toBe('BAD_SEEN');
  // A well-formed send of a draft that does not exist gets past the schema to the route.
  expect((await post(draft, '{"page":"page-0001"}')).status).toBe(404);
});

it('answers 405 for another method on an API path and 404 for a path it does not have', async () => {
  const wrong = await fetch(`${base}/api/queue`, { method: 'DELETE' });
  expect(wrong.status).toBe(405);
  expect(((await wrong.json()) as { error: { code: string } }).error.code).toBe('METHOD_NOT_ALLOWED');
  const none = await fetch(`${base}/api/nothing-here`);
  expect(none.status).toBe(404);
  expect(none.headers.get('content-security-policy')).toContain("default-src 'none'");
  expect(none.headers.get('cache-control')).toBe('no-store');
  // Not an id where an id goes: no such route, as before the router took :params.
  expect((await fetch(`${base}/api/businesses/abc/chats/1`, { headers: { cookie } })).status).toBe(404);
  const queue = await fetch(`${base}/api/queue`, { headers: { cookie } });
  expect(queue.status).toBe(200);
  expect(queue.headers.get('x-frame-options')).toBe('DENY');
});
