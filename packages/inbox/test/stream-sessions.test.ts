/**
 * An open event stream lives no longer than its session: a logout ends it at once in the process that
 * served the logout, and within one check in every other process on the database (an agent who logged
 * out, or whose session was ended elsewhere, must not keep hearing the business's chats and presence).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hashPassword, openInbox } from '@ym-chats/inbox';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { PageClient } from './support/http-client.js';
import { BUSINESS, type Harness, startHarness } from './support/inbox-server.js';
import { EventReader } from './support/sse.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({
    host: '0.0.0.0',
    agents: [{ login: 'anna', passwordHash: await hashPassword('anna-secret'), businessIds: [BUSINESS] }],
    inbox: { streamCheckMs: 150 },
  });
});
afterAll(async () => h?.close());

/** Resolves true when the stream ended within `ms`. */
const endsWithin = (reader: EventReader, ms: number) =>
  Promise.race([reader.ended.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), ms))]);

it('ends a stream when its session logs out in the same process', async () => {
  const anna = new PageClient(h.url);
  await anna.login('anna', 'anna-secret');
  const reader = await EventReader.open(anna);
  const other = await EventReader.open(await loggedIn(h.url));
  expect((await anna.json('POST', '/api/logout', {})).status).toBe(200);
  h.inbox.bus.publish({ type: 'chat', businessId: BUSINESS, chatId: 4242 });
  await other.waitFor((e) => e.type === 'chat' && e.data.chatId === 4242);
  expect(await endsWithin(reader, 2000)).toBe(true);
  expect(reader.events.filter((e) => e.data.chatId === 4242)).toEqual([]);
  other.close();
});

it('ends a stream when its session logs out in another process on the database', async () => {
  const store = await h.store.reopen();
  const inbox = await openInbox({
    store,
    api: h.api,
    businessIds: [BUSINESS],
    host: '0.0.0.0',
    agents: h.agents,
  });
  const server: Server = createServer(inbox.listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const anna = await loggedIn(h.url);
    const reader = await EventReader.open(anna);
    const there = anna.at(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    expect((await there.json('POST', '/api/logout', {})).status).toBe(200);
    expect(await endsWithin(reader, 3000)).toBe(true);
    h.inbox.bus.publish({ type: 'chat', businessId: BUSINESS, chatId: 4343 });
    expect(reader.events.filter((e) => e.data.chatId === 4343)).toEqual([]);
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await inbox.close();
    await store.close();
  }
});

async function loggedIn(url: string): Promise<PageClient> {
  const page = new PageClient(url);
  await page.login('anna', 'anna-secret');
  return page;
}
