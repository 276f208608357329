/**
 * The push endpoint under a connection flood: one peer opening connections and sending nothing is held to
 * its share, and the platform's PING is still answered within its 1 s. Real sockets on 127.0.0.1; the
 * flood comes from 127.0.0.2 (another loopback address, this host on Linux).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  listenForPushes,
  NotificationHandler,
  openStore,
  type PushListener,
  type SyncStore,
} from '@ym-chats/sync';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const PING = '{"notificationType":"PING","time":"2026-11-25T10:00:00.213Z"}';

/**
 * Opens connections that send nothing, in waves, until a whole wave is refused or `max` were tried.
 * Returns every socket (the caller destroys them) and those the server still holds.
 */
async function flood(port: number, from: string, max: number): Promise<{ all: Socket[]; held: Socket[] }> {
  const all: Socket[] = [];
  while (all.length < max) {
    const wave = await Promise.all(
      Array.from(
        { length: Math.min(50, max - all.length) },
        () =>
          new Promise<Socket>((resolve) => {
            const socket = connect({ port, host: '127.0.0.1', localAddress: from });
            socket.on('error', () => {});
            socket.once('connect', () => resolve(socket));
            socket.once('close', () => resolve(socket));
          }),
      ),
    );
    all.push(...wave);
    // Time for the server to accept (or reset) the wave.
    await new Promise((r) => setTimeout(r, 100));
    if (wave.every((s) => s.destroyed)) break;
  }
  return { all, held: await settledOpen(all) };
}

/** The sockets still open once resets in flight have landed (a loaded machine delivers them late). */
async function settledOpen(sockets: Socket[]): Promise<Socket[]> {
  let open = sockets.filter((s) => !s.destroyed).length;
  for (let stable = 0, i = 0; stable < 3 && i < 50; i++) {
    await new Promise((r) => setTimeout(r, 100));
    const now = sockets.filter((s) => !s.destroyed).length;
    stable = now === open ? stable + 1 : 0;
    open = now;
  }
  return sockets.filter((s) => !s.destroyed);
}

async function ping(endpoint: string): Promise<number> {
  // The platform's own bound for a PING.
  const res = await fetch(endpoint, { method: 'POST', body: PING, signal: AbortSignal.timeout(1000) });
  return res.status;
}

describe('receiver: connection limits', () => {
  let dir: string;
  let store: SyncStore;
  let listener: PushListener | undefined;
  const sockets: Socket[] = [];
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ym-limits-'));
    store = await openStore(join(dir, 'store.sqlite'));
  });
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.destroy();
    await listener?.close();
    listener = undefined;
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const listen = async (options: Omit<Parameters<typeof listenForPushes>[0], 'handler'>) => {
    listener = await listenForPushes({
      handler: new NotificationHandler({ store, businessId: 1001n }),
      ...options,
    });
    return { endpoint: listener.endpoint, port: Number(new URL(listener.url).port) };
  };

  it('holds a flooding peer to its per-address cap; PING from elsewhere is answered within 1 s', async () => {
    const { endpoint, port } = await listen({
      limits: { maxConnectionsPerAddress: 20, maxConnections: 200 },
    });
    const { all, held } = await flood(port, '127.0.0.2', 400);
    sockets.push(...all);
    expect(held.length).toBeLessThanOrEqual(20);
    expect(all.length).toBeGreaterThan(20);
    expect(await ping(endpoint)).toBe(200);
  });

  it('a trusted proxy, through which every client comes, is not held to the per-address cap', async () => {
    const { endpoint, port } = await listen({
      trustProxy: ['127.0.0.2'],
      limits: { maxConnectionsPerAddress: 5, maxConnections: 200 },
    });
    const { all, held } = await flood(port, '127.0.0.2', 30);
    sockets.push(...all);
    expect(held).toHaveLength(30);
    expect(await ping(endpoint)).toBe(200);
  });
});
