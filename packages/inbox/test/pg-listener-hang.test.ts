/**
 * The PostgreSQL listener over a network that goes silent (packets dropped, no reset): its check finds the
 * connection dead, it comes back over a fresh one and tells the pages to re-read, and closing the inbox
 * never waits on the dead connection.
 */

import type { AddressInfo } from 'node:net';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { PostgresRelay } from '@ym-chats/inbox';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgresStore, PG_URL, type TestStore } from './support/stores.js';

/** A TCP relay to PostgreSQL whose open connections can be frozen: nothing more passes, nothing is closed. */
class FreezingProxy {
  private readonly server: Server;
  private readonly pipes: Array<{ frozen: boolean; sockets: Socket[] }> = [];
  port = 0;

  constructor(target: { host: string; port: number }) {
    // Half-open allowed: a frozen connection must not answer even a FIN, as a dead network would not.
    this.server = createServer({ allowHalfOpen: true }, (client) => {
      const upstream = connect({ port: target.port, host: target.host, allowHalfOpen: true });
      const pipe = { frozen: false, sockets: [client, upstream] };
      this.pipes.push(pipe);
      client.on('data', (d) => pipe.frozen || upstream.write(d));
      upstream.on('data', (d) => pipe.frozen || client.write(d));
      const close = () => {
        if (pipe.frozen) return;
        client.destroy();
        upstream.destroy();
      };
      client.on('end', () => pipe.frozen || upstream.end());
      upstream.on('end', () => pipe.frozen || client.end());
      client.on('close', close);
      upstream.on('close', close);
      client.on('error', () => undefined);
      upstream.on('error', () => undefined);
    });
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  freeze(): void {
    for (const pipe of this.pipes) pipe.frozen = true;
  }

  async close(): Promise<void> {
    for (const pipe of this.pipes) for (const s of pipe.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

describe.runIf(PG_URL)('the PostgreSQL listener over a network that goes silent', () => {
  let db: TestStore;
  let proxy: FreezingProxy;
  let url: string;
  beforeAll(async () => {
    db = await openPostgresStore();
    const target = new URL(PG_URL!);
    proxy = new FreezingProxy({ host: target.hostname, port: Number(target.port || 5432) });
    await proxy.listen();
    const through = new URL(PG_URL!);
    through.hostname = '127.0.0.1';
    through.port = String(proxy.port);
    url = through.toString();
  });
  afterAll(async () => {
    await proxy?.close();
    await db?.dispose();
  });

  it('comes back over a fresh connection, tells pages to re-read, and closes without waiting on the dead one', async () => {
    const schema = (await db.store.database().all('SELECT current_schema() AS s'))[0]!.s as string;
    const relay = await PostgresRelay.open(db.store.database(), {
      connect: () => new pg.Client({ connectionString: url, options: `-c search_path=${schema}` }),
      checkMs: 200,
      timeoutMs: 400,
      onError: () => undefined,
    });
    try {
      expect(relay.listening).toBe(true);
      let gaps = 0;
      relay.onGap(() => {
        gaps += 1;
      });
      proxy.freeze();
      await expect.poll(() => gaps, { timeout: 8000 }).toBeGreaterThan(0);
      expect(relay.listening).toBe(true);
      // Hears again over the fresh connection.
      const heard: unknown[] = [];
      relay.subscribe((m) => heard.push(m));
      await db.store
        .database()
        .run(`SELECT pg_notify('ym_inbox_' || md5(current_schema()), '{"kind":"log"}')`);
      await expect.poll(() => heard.length, { timeout: 5000 }).toBeGreaterThan(0);
      proxy.freeze();
    } finally {
      const closed = await Promise.race([
        relay.close().then(() => true),
        new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 5000)),
      ]);
      expect(closed).toBe(true);
    }
  });
});
