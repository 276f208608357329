/**
 * The receiver's source allow-list and trusted proxies: who may POST, whose X-Forwarded-For is believed
 * (a forged one from an untrusted peer is ignored), and one queue shared by many businesses where each
 * processor takes only its own business's notifications.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChatsApi } from '@ym-chats/sdk';
import {
  listenForPushes,
  NotificationHandler,
  openStore,
  PeerPolicy,
  type PushListener,
  type SyncStore,
  startReceiver,
  unprocessedFor,
} from '@ym-chats/sync';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const PING = '{"notificationType":"PING","time":"2026-11-25T10:00:00.213Z"}';

/** POSTs from a chosen loopback source address (127.0.0.2, 127.0.0.3 … are all this host on Linux). */
function postFrom(
  url: string,
  body: string,
  from: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: 'POST', localAddress: from, headers: { 'content-type': 'application/json', ...headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const message = (businessId: number, chatId: number, messageId: number) =>
  JSON.stringify({
    notificationType: 'CHAT_MESSAGE_SENT',
    businessId,
    chatId,
    messageId: String(messageId),
    sentAt: '2026-11-25T10:00:00Z',
  });

describe('receiver: allow-list, trusted proxies, many businesses', () => {
  let dir: string;
  let store: SyncStore;
  let listener: PushListener | undefined;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ym-peers-'));
    store = await openStore(join(dir, 'store.sqlite'));
  });
  afterEach(async () => {
    await listener?.close();
    listener = undefined;
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const listen = async (options: Omit<Parameters<typeof listenForPushes>[0], 'handler'>) => {
    const handler = new NotificationHandler({ store, businessId: 1001n });
    listener = await listenForPushes({ handler, ...options });
    return { handler, endpoint: listener.endpoint };
  };

  it('answers only sources in --allow-from', async () => {
    const { endpoint, handler } = await listen({ allowFrom: ['127.0.0.2/32', '10.0.0.0/8'] });
    expect((await postFrom(endpoint, PING, '127.0.0.2')).status).toBe(200);
    const refused = await postFrom(endpoint, PING, '127.0.0.3');
    expect(refused.status).toBe(403);
    expect(JSON.parse(refused.text)).toEqual({ error: { type: 'UNKNOWN', message: 'source not allowed' } });
    // A refused push is never queued.
    expect((await postFrom(endpoint, message(1001, 5, 7), '127.0.0.3')).status).toBe(403);
    expect(handler.stats.queued).toBe(0);
    expect(handler.stats.forbidden).toBe(2);
  });

  it('ignores X-Forwarded-For from an untrusted peer (a spoofed client address)', async () => {
    // 127.0.0.2 is the trusted proxy; 127.0.0.3 is a client that forges the header.
    const { endpoint } = await listen({ allowFrom: ['203.0.113.0/24'], trustProxy: ['127.0.0.2'] });
    const spoofed = await postFrom(endpoint, PING, '127.0.0.3', { 'x-forwarded-for': '203.0.113.5' });
    expect(spoofed.status).toBe(403);
    const proxied = await postFrom(endpoint, PING, '127.0.0.2', { 'x-forwarded-for': '203.0.113.5' });
    expect(proxied.status).toBe(200);
    // Through the trusted proxy, only what it appended counts: the client's own first entry proves nothing.
    const forgedChain = await postFrom(endpoint, PING, '127.0.0.2', {
      'x-forwarded-for': '203.0.113.5, 198.51.100.1',
    });
    expect(forgedChain.status).toBe(403);
  });

  it('with --trust-proxy (any peer) reads the last X-Forwarded-For entry, as the inbox does', async () => {
    const { endpoint } = await listen({ allowFrom: ['203.0.113.0/24'], trustProxy: true });
    expect((await postFrom(endpoint, PING, '127.0.0.3', { 'x-forwarded-for': '203.0.113.9' })).status).toBe(
      200,
    );
    expect(
      (await postFrom(endpoint, PING, '127.0.0.3', { 'x-forwarded-for': '203.0.113.9, 198.51.100.1' }))
        .status,
    ).toBe(403);
    // Without any trusted proxy the header is ignored and the peer itself is checked.
    await listener?.close();
    const plain = await listen({ allowFrom: ['203.0.113.0/24'] });
    expect(
      (await postFrom(plain.endpoint, PING, '127.0.0.3', { 'x-forwarded-for': '203.0.113.9' })).status,
    ).toBe(403);
  });

  it('the bare listener (mounted in your own server) judges forwarded headers the same way', async () => {
    const handler = new NotificationHandler({ store, businessId: 1001n });
    const peers = new PeerPolicy({ allowFrom: ['203.0.113.0/24'], trustProxy: ['127.0.0.2'] });
    const server = createServer(handler.listener('', peers));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/notification`;
    try {
      const forged = await postFrom(endpoint, PING, '127.0.0.3', { 'x-forwarded-for': '203.0.113.5' });
      expect(forged.status).toBe(403);
      const proxied = await postFrom(endpoint, PING, '127.0.0.2', { 'x-forwarded-for': '203.0.113.5' });
      expect(proxied.status).toBe(200);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('a mounted app never sees forwarded headers from an untrusted peer', async () => {
    const seen: (string | undefined)[] = [];
    const { endpoint } = await listen({
      trustProxy: ['127.0.0.2'],
      mount: {
        handles: (path) => path === '/app',
        listener: (req, res) => {
          seen.push(req.headers['x-forwarded-for'] as string | undefined);
          res.end('ok');
        },
      },
    });
    const app = endpoint.replace(/\/notification$/, '/app');
    await postFrom(app, '', '127.0.0.3', { 'x-forwarded-for': '203.0.113.5' });
    await postFrom(app, '', '127.0.0.2', { 'x-forwarded-for': '203.0.113.6' });
    expect(seen).toEqual([undefined, '203.0.113.6']);
  });

  it('refuses an allow-list entry that is not a network', async () => {
    await expect(listen({ allowFrom: ['10.0.0.0/33'] })).rejects.toThrow(/bad prefix/);
    await expect(listen({ allowFrom: ['example.com'] })).rejects.toThrow(/not an IP address/);
  });

  it('takes an IPv4-mapped IPv6 network (::ffff:127.0.0.0/120) as the IPv4 network it maps', async () => {
    const { endpoint } = await listen({ allowFrom: ['::ffff:127.0.0.2/128', '::ffff:10.0.0.0/104'] });
    expect((await postFrom(endpoint, PING, '127.0.0.2')).status).toBe(200);
    expect((await postFrom(endpoint, PING, '127.0.0.3')).status).toBe(403);
    await listener?.close();
    // /120 of the mapped form is /24 of IPv4: all of 127.0.0.x.
    const wider = await listen({ allowFrom: ['::ffff:127.0.0.0/120'] });
    expect((await postFrom(wider.endpoint, PING, '127.0.0.3')).status).toBe(200);
    // Shorter than /96 would reach beyond the mapped addresses.
    await listener?.close();
    listener = undefined;
    await expect(listen({ allowFrom: ['::ffff:127.0.0.0/80'] })).rejects.toThrow(/bad prefix/);
  });

  it('startReceiver passes the allow-list through', async () => {
    const api = new ChatsApi({ apiKey: 'unused-key-0000', baseUrl: 'http://127.0.0.1:9', maxRetries: 0 });
    const receiver = await startReceiver({
      api,
      store,
      businessId: 1001,
      reconcileMinutes: 0,
      allowFrom: ['127.0.0.2'],
    });
    try {
      expect((await postFrom(receiver.endpoint, PING, '127.0.0.3')).status).toBe(403);
      expect((await postFrom(receiver.endpoint, PING, '127.0.0.2')).status).toBe(200);
    } finally {
      await receiver.close();
    }
  });

  it('one endpoint queues every served business; each processor reads only its own business', async () => {
    const served = new Set([1001n, 1002n]);
    const woken: bigint[] = [];
    const handler = new NotificationHandler({
      store,
      accepts: (b) => served.has(b),
      onQueued: (b) => woken.push(b),
    });
    listener = await listenForPushes({ handler });
    for (const [b, m] of [
      [1001, 11],
      [1002, 21],
      [1003, 31],
      [1002, 22],
    ] as const) {
      expect((await postFrom(listener.endpoint, message(b, 5, m), '127.0.0.1')).status).toBe(200);
    }
    expect(woken).toEqual([1001n, 1002n, 1002n]);
    expect(handler.stats.ignored).toBe(1); // 1003 is not served
    expect((await unprocessedFor(store.database(), 1001n, 100)).map((n) => n.messageId)).toEqual(['11']);
    expect((await unprocessedFor(store.database(), 1002n, 100)).map((n) => n.messageId)).toEqual([
      '21',
      '22',
    ]);
  });
});
