/**
 * Event streams are capped per session and per client address: past a cap the oldest stream closes (and
 * tells its page not to reconnect), so a client opening streams without end holds no more than the cap,
 * however many it tries.
 */
import { request } from 'node:http';
import { type LiveEvent, MemoryBus } from '@ym-chats/inbox';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { PageClient } from './support/http-client.js';
import { type Harness, startHarness } from './support/inbox-server.js';

/** The pages' bus, counting its subscribers (one per open stream) and the most there ever were. */
class CountingBus extends MemoryBus {
  subscribers = 0;
  most = 0;
  override subscribe(listener: (event: LiveEvent) => void): () => void {
    const stop = super.subscribe(listener);
    this.subscribers += 1;
    this.most = Math.max(this.most, this.subscribers);
    let stopped = false;
    return () => {
      if (!stopped) this.subscribers -= 1;
      stopped = true;
      stop();
    };
  }
}

/** A stream as a page would hold it, recording whether the server ended it and said why. */
interface Held {
  ended: boolean;
  superseded: boolean;
  close(): void;
}

function openStream(base: string, cookie: string, page: string): Promise<Held> {
  return new Promise((resolve, reject) => {
    const held: Held = { ended: false, superseded: false, close: () => undefined };
    const r = request(`${base}/api/events?page=${page}`, { headers: { cookie }, agent: false }, (res) => {
      if (res.statusCode !== 200) reject(new Error(`events: HTTP ${res.statusCode}`));
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        if (chunk.includes('event: superseded')) held.superseded = true;
      });
      res.on('end', () => {
        held.ended = true;
        r.destroy();
      });
      held.close = () => r.destroy();
      resolve(held);
    });
    r.on('error', () => undefined);
    r.end();
  });
}

const bus = new CountingBus();
let h: Harness;
beforeAll(async () => {
  h = await startHarness({ inbox: { bus, streamCaps: { perAddress: 40 } } });
});
afterAll(async () => h?.close());

async function localCookie(): Promise<string> {
  const page = new PageClient(h.url);
  await page.start();
  return `ymc_session=${page.sessionId}`;
}

it('keeps at most 16 streams of one session open when it opens 4 000, closing the oldest', async () => {
  const cookie = await localCookie();
  const base = bus.subscribers;
  const held: Held[] = [];
  for (let i = 0; i < 4000; i++) held.push(await openStream(h.url, cookie, `cap-page-${i}`));
  await expect.poll(() => held.filter((s) => !s.ended).length, { timeout: 10_000 }).toBe(16);
  const open = held.flatMap((s, i) => (s.ended ? [] : [i]));
  expect(open).toEqual(Array.from({ length: 16 }, (_, i) => 3984 + i));
  // Every stream closed for a newer one was told so (the page then stays closed instead of reconnecting).
  await expect.poll(() => held.slice(0, 3984).every((s) => s.superseded)).toBe(true);
  // What the server holds never grew with the number tried: one subscriber per open stream, 16 at most.
  expect(bus.subscribers - base).toBe(16);
  expect(bus.most - base).toBeLessThanOrEqual(17);
  // (A new stream subscribes just before the oldest is closed: 17 for that moment.)
  for (const s of held) s.close();
  await expect.poll(() => bus.subscribers - base, { timeout: 5000 }).toBe(0);
}, 120_000);

it('keeps at most the per-address cap open across sessions, the oldest closed first', async () => {
  const base = bus.subscribers;
  const held: Held[] = [];
  for (let s = 0; s < 5; s++) {
    const cookie = await localCookie();
    for (let i = 0; i < 10; i++) held.push(await openStream(h.url, cookie, `addr-page-${s}-${i}`));
  }
  await expect.poll(() => held.filter((s) => !s.ended).length, { timeout: 10_000 }).toBe(40);
  expect(held.slice(0, 10).every((s) => s.ended)).toBe(true);
  expect(held.slice(10).every((s) => !s.ended)).toBe(true);
  expect(bus.subscribers - base).toBe(40);
  for (const s of held) s.close();
  await expect.poll(() => bus.subscribers - base, { timeout: 5000 }).toBe(0);
});
