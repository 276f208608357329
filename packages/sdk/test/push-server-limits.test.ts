/**
 * Connection limits for our servers: the policy (data and one decision function) and the node:http
 * server that applies it, over real sockets on 127.0.0.1. Other loopback addresses (127.0.0.2 …, all this
 * host on Linux) stand in for other peers.
 */
import { type IncomingMessage, request, type Server, type ServerResponse } from 'node:http';
import { type AddressInfo, connect, type Socket } from 'node:net';
import {
  addressKey,
  createLimitedServer,
  fileDescriptorLimit,
  judgeConnection,
  type LimitEvent,
  type ServerLimits,
  serverLimits,
} from '@ym-chats/sdk';
import { afterEach, describe, expect, it } from 'vitest';

describe('the policy', () => {
  it('keeps the connection cap below the descriptor limit, with room for the rest of the process', () => {
    for (const fds of [256, 1024, 4096, 65_536, 1_048_576]) {
      const limits = serverLimits({}, fds);
      expect(limits.maxConnections, String(fds)).toBeLessThanOrEqual(fds - 64);
      expect(limits.maxConnectionsPerAddress).toBeLessThan(limits.maxConnections);
    }
    expect(serverLimits({}, 256)).toMatchObject({ maxConnections: 192, maxConnectionsPerAddress: 48 });
    expect(serverLimits({}, 1024)).toMatchObject({ maxConnections: 768, maxConnectionsPerAddress: 128 });
    expect(serverLimits({ maxConnections: 40 }, 1024)).toMatchObject({ maxConnectionsPerAddress: 10 });
    // Node refuses a header timeout above the request timeout.
    expect(serverLimits({ headersMs: 90_000, requestMs: 1000 }).requestMs).toBe(90_000);
    const own = fileDescriptorLimit();
    if (process.platform === 'linux') expect(own).toBeGreaterThan(0);
  });

  it('counts an IPv6 /64 as one address, and a mapped IPv4 address as itself', () => {
    expect(addressKey('::ffff:10.0.0.1')).toBe('10.0.0.1');
    expect(addressKey('10.0.0.1')).toBe('10.0.0.1');
    expect(addressKey('2001:db8:1:2:3:4:5:6')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:DB8:0001:0002::7')).toBe('2001:db8:1:2::/64');
    expect(addressKey('[2001:db8:1:2::ffff]')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:db8:1:3::1')).toBe('2001:db8:1:3::/64');
    expect(addressKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(addressKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
    expect(addressKey('::1')).toBe('0:0:0:0::/64');
    expect(addressKey('64:ff9b::192.0.2.1')).toBe('64:ff9b:0:0::/64');
  });

  it('decides: per-address cap first, then the total, where a connection doing nothing gives way', () => {
    const limits = serverLimits({ maxConnections: 10, maxConnectionsPerAddress: 3 });
    const open = (o: number, from: number, evictable = false, addressCapped = true) =>
      judgeConnection({ kind: 'open', open: o, fromAddress: from, addressCapped, evictable }, limits);
    expect(open(0, 0)).toBe('accept');
    expect(open(9, 2)).toBe('accept');
    expect(open(5, 3)).toBe('refuse-address');
    expect(open(5, 3, true, false)).toBe('accept');
    expect(open(10, 0, true)).toBe('evict-and-accept');
    expect(open(10, 0, false)).toBe('refuse-full');
    expect(open(10, 3, true)).toBe('refuse-address');
    expect(judgeConnection({ kind: 'first-request-due', requests: 0 }, limits)).toBe('close');
    expect(judgeConnection({ kind: 'first-request-due', requests: 1 }, limits)).toBe('keep');
    const quiet = (inFlight: number, clientBehind: boolean) =>
      judgeConnection({ kind: 'quiet', inFlight, clientBehind }, limits);
    expect(quiet(0, false)).toBe('close');
    expect(quiet(1, false)).toBe('keep');
    expect(quiet(1, true)).toBe('close');
  });
});

describe('createLimitedServer', () => {
  let server: Server | undefined;
  const sockets: Socket[] = [];
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.destroy();
    if (server) {
      const s = server;
      await new Promise<void>((resolve) => s.close(() => resolve()));
      s.closeAllConnections();
    }
    server = undefined;
  });

  async function start(
    limits: Partial<ServerLimits>,
    handler: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => res.end('ok'),
    exempt?: (address: string) => boolean,
  ): Promise<{ port: number; events: LimitEvent[] }> {
    const events: LimitEvent[] = [];
    const s = createLimitedServer(handler, {
      limits,
      onLimit: (e) => events.push(e),
      ...(exempt ? { exempt } : {}),
    });
    server = s;
    await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
    return { port: (s.address() as AddressInfo).port, events };
  }

  /** A connection that sends nothing; `closed` settles when the server ends it. */
  function silent(port: number, from = '127.0.0.2'): Promise<{ socket: Socket; closed: Promise<void> }> {
    return new Promise((resolve, reject) => {
      const socket = connect({ port, host: '127.0.0.1', localAddress: from });
      sockets.push(socket);
      socket.on('error', () => {});
      const closed = new Promise<void>((r) => socket.once('close', () => r()));
      socket.once('connect', () => resolve({ socket, closed }));
      socket.once('close', () => reject(new Error('closed before connecting')));
    });
  }

  /** Whether the server has closed it by now (a round trip through the server's event loop first). */
  async function closedYet(port: number, socket: Socket): Promise<boolean> {
    await get(port);
    await new Promise((r) => setImmediate(r));
    return socket.destroyed || socket.readableEnded;
  }

  function get(port: number, from = '127.0.0.1', path = '/'): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path, localAddress: from, agent: false }, (res) => {
        let body = '';
        res.on('data', (d: Buffer) => {
          body += d.toString();
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end();
    });
  }

  it('closes a connection that sends nothing, long before the header timeout', async () => {
    const { port, events } = await start({ firstRequestMs: 200, headersMs: 60_000, requestMs: 60_000 });
    const idle = await silent(port);
    await idle.closed;
    expect(events).toEqual([{ action: 'closed-silent', address: '127.0.0.2' }]);
    // A client that asks at once is served.
    expect(await get(port)).toEqual({ status: 200, body: 'ok' });
  });

  it('holds one address to its cap; other addresses are still served', async () => {
    const { port, events } = await start({ maxConnectionsPerAddress: 5, maxConnections: 100 });
    const opened = await Promise.all(Array.from({ length: 20 }, () => silent(port)));
    // The refused ones are reset by the server; every one that is left is a held one.
    await closedYet(port, opened[0]!.socket);
    const held = opened.filter((o) => !o.socket.destroyed);
    expect(held.length).toBe(5);
    expect(events.filter((e) => e.action === 'refused-address')).toHaveLength(15);
    expect(await get(port, '127.0.0.3')).toEqual({ status: 200, body: 'ok' });
    expect(await get(port, '127.0.0.1')).toEqual({ status: 200, body: 'ok' });
  });

  it('does not hold an exempt peer (a trusted proxy) to the per-address cap', async () => {
    const { port } = await start({ maxConnectionsPerAddress: 2, maxConnections: 100 }, undefined, (a) =>
      a.endsWith('127.0.0.2'),
    );
    const opened = await Promise.all(Array.from({ length: 6 }, () => silent(port)));
    await closedYet(port, opened[0]!.socket);
    expect(opened.filter((o) => !o.socket.destroyed)).toHaveLength(6);
  });

  it('when full, the longest-silent connection gives way to a newcomer; busy ones are never evicted', async () => {
    let release: () => void = () => {};
    const waiting = new Promise<void>((r) => {
      release = r;
    });
    const { port, events } = await start({ maxConnections: 6, maxConnectionsPerAddress: 6 }, (req, res) => {
      if (req.url === '/slow') void waiting.then(() => res.end('slow'));
      else res.end('ok');
    });
    const busy = get(port, '127.0.0.4', '/slow');
    const flood: { socket: Socket; closed: Promise<void> }[] = [];
    for (const from of ['127.0.0.2', '127.0.0.2', '127.0.0.3', '127.0.0.3', '127.0.0.5']) {
      flood.push(await silent(port, from));
    }
    // Full: six connections. The next request evicts the oldest silent one and is answered.
    expect(await get(port)).toEqual({ status: 200, body: 'ok' });
    await flood[0]!.closed;
    expect(events[0]).toEqual({ action: 'evicted', address: '127.0.0.2' });
    expect(flood.slice(1).every((f) => !f.socket.destroyed)).toBe(true);
    release();
    expect(await busy).toEqual({ status: 200, body: 'slow' });
  });

  it('refuses a newcomer when every connection is busy', async () => {
    let release: () => void = () => {};
    const waiting = new Promise<void>((r) => {
      release = r;
    });
    let started = 0;
    const { port, events } = await start({ maxConnections: 2 }, (_req, res) => {
      started += 1;
      void waiting.then(() => res.end('done'));
    });
    const busy = [get(port, '127.0.0.2'), get(port, '127.0.0.3')];
    while (started < 2) await new Promise((r) => setTimeout(r, 10));
    const third = await get(port, '127.0.0.4').catch((e: NodeJS.ErrnoException) => e.code);
    expect(third).toBe('ECONNRESET');
    expect(events).toEqual([{ action: 'refused-full', address: '127.0.0.4' }]);
    release();
    expect((await Promise.all(busy)).map((r) => r.body)).toEqual(['done', 'done']);
  });

  it('never cuts an event stream between events, whatever the idle timeout', async () => {
    let push: (text: string) => void = () => {};
    const { port, events } = await start({ idleMs: 100, keepAliveMs: 100 }, (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('retry: 2000\n\n');
      push = (text) => res.end(`data: ${text}\n\n`);
    });
    const received = new Promise<string>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: '/events', agent: false }, (res) => {
        let body = '';
        res.on('data', (d: Buffer) => {
          body += d.toString();
          // Quiet for many idle timeouts, then an event.
          if (body === 'retry: 2000\n\n') setTimeout(() => push('late'), 600);
        });
        res.on('end', () => resolve(body));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end();
    });
    expect(await received).toBe('retry: 2000\n\ndata: late\n\n');
    expect(events).toEqual([]);
  });

  it('closes a connection whose client stopped reading the response', async () => {
    const { port, events } = await start({ idleMs: 200 }, (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      // More than loopback's socket buffers take, so some of it waits on the client.
      res.write(Buffer.alloc(64 * 1024 * 1024));
    });
    const socket = connect({ port, host: '127.0.0.1' });
    sockets.push(socket);
    socket.on('error', () => {});
    socket.write('GET /big HTTP/1.1\r\nHost: x\r\n\r\n');
    socket.pause();
    // A paused socket does not notice the reset; the server's report says it.
    while (events.length === 0) await new Promise((r) => setTimeout(r, 20));
    expect(events).toEqual([{ action: 'closed-stalled', address: '127.0.0.1' }]);
  });
});
