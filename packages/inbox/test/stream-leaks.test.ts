/**
 * Pages come and go all day: every event stream a page opened must leave nothing behind when the page
 * closes — no bus subscriber, no presence entry — however many there were.
 */
import { request } from 'node:http';
import { type LiveEvent, MemoryBus } from '@ym-chats/inbox';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { PageClient } from './support/http-client.js';
import { BUSINESS, type Harness, startHarness } from './support/inbox-server.js';

/** The pages' bus, counting its subscribers. */
class CountingBus extends MemoryBus {
  subscribers = 0;
  override subscribe(listener: (event: LiveEvent) => void): () => void {
    const stop = super.subscribe(listener);
    this.subscribers += 1;
    let stopped = false;
    return () => {
      if (!stopped) this.subscribers -= 1;
      stopped = true;
      stop();
    };
  }
}

const bus = new CountingBus();
let h: Harness;
beforeAll(async () => {
  // Above the 40 pages this test opens on one session (the caps are stream-caps.test.ts's subject).
  h = await startHarness({ inbox: { bus, streamCaps: { perSession: 64 } } });
});
afterAll(async () => h?.close());

it('leaves no subscriber and no presence behind when 40 pages close', async () => {
  const local = new PageClient(h.url);
  await local.start();
  const cookie = `ymc_session=${local.sessionId}`;
  const chatId = (await local.json<{ chats: Array<{ chatId: number }> }>('GET', '/api/queue')).body.chats[0]!
    .chatId;
  const base = bus.subscribers;
  const streams = [];
  for (let i = 0; i < 40; i++) {
    const page = `leak-page-${String(i).padStart(4, '0')}`;
    streams.push(
      await new Promise<ReturnType<typeof request>>((resolve) => {
        const r = request(`${h.url}/api/events?page=${page}`, { headers: { cookie } }, () => resolve(r));
        r.end();
      }),
    );
    await local.json('POST', `/api/businesses/${BUSINESS}/chats/${chatId}/presence`, { page, typing: false });
  }
  expect(bus.subscribers - base).toBe(40);
  const chat = `/api/businesses/${BUSINESS}/chats/${chatId}`;
  expect((await local.json<{ viewers: unknown[] }>('GET', chat)).body.viewers).toHaveLength(1);
  for (const r of streams) r.destroy();
  await expect.poll(() => bus.subscribers - base, { timeout: 5000 }).toBe(0);
  await expect
    .poll(async () => (await local.json<{ viewers: unknown[] }>('GET', chat)).body.viewers, { timeout: 5000 })
    .toEqual([]);
});
