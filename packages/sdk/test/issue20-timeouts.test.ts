/**
 * Issue 20, item 1: the header, body and keep-alive timeouts of `createLimitedServer` (the server of `serve`,
 * the inbox and `watch --listen`), over real sockets on 127.0.0.1. Each peer here has started a request, so
 * the "nothing sent" rule (firstRequestMs, put out of reach) is not what ends it: a peer dripping a request
 * head or body a byte at a time, or keeping a connection idle after its answer, is closed by the configured
 * timeout. Node's own defaults (headers 60 s, request 300 s, keep-alive 5 s) would hold each one for far
 * longer than the 3 s every test waits, so each fails on a plain `http.createServer`.
 */
import type { Server } from 'node:http';
import { type AddressInfo, connect, type Socket } from 'node:net';
import { createLimitedServer, type ServerLimits } from '@ym-chats/sdk';
import { afterEach, expect, it } from 'vitest';

/** Ten times the limits set below: long enough for a loaded machine, far short of Node's defaults. */
const WAIT_MS = 3_000;
const LIMITS: Partial<ServerLimits> = {
  firstRequestMs: 60_000,
  headersMs: 300,
  requestMs: 300,
  keepAliveMs: 300,
};

let server: Server | undefined;
const sockets: Socket[] = [];
const timers: NodeJS.Timeout[] = [];
afterEach(async () => {
  for (const t of timers.splice(0)) clearInterval(t);
  for (const s of sockets.splice(0)) s.destroy();
  const s = server;
  server = undefined;
  if (s) {
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }
});

let answered = 0;
async function start(): Promise<number> {
  const s = createLimitedServer(
    (req, res) => {
      req.resume();
      req.on('end', () => {
        answered += 1;
        res.end('ok');
      });
    },
    { limits: LIMITS },
  );
  server = s;
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  return (s.address() as AddressInfo).port;
}

/** A raw connection that records what the server sent and when it closed. */
function open(port: number): Promise<{ socket: Socket; received: () => string; closed: Promise<void> }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1' });
    sockets.push(socket);
    let text = '';
    socket.on('data', (d: Buffer) => {
      text += d.toString();
    });
    socket.on('error', () => {});
    const closed = new Promise<void>((r) => socket.once('close', () => r()));
    socket.once('connect', () => resolve({ socket, received: () => text, closed }));
    socket.once('error', reject);
  });
}

/** Writes `chunk` every 100 ms for as long as the socket is open (a peer trickling its request). */
function drip(socket: Socket, chunk: string): void {
  const t = setInterval(() => {
    if (!socket.destroyed && socket.writable) socket.write(chunk);
  }, 100);
  timers.push(t);
}

/** Whether `closed` settled within WAIT_MS. */
async function closedInTime(closed: Promise<void>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), WAIT_MS);
  });
  try {
    return await Promise.race([closed.then(() => true as const), late]);
  } finally {
    clearTimeout(timer);
  }
}

it('closes a connection whose request head trickles in a header at a time (408)', async () => {
  const port = await start();
  const peer = await open(port);
  peer.socket.write('GET / HTTP/1.1\r\nHost: x\r\n');
  drip(peer.socket, 'X-Slow: y\r\n');
  expect(await closedInTime(peer.closed)).toBe(true);
  expect(peer.received()).toMatch(/^HTTP\/1\.1 408 /);
  expect(answered).toBe(0);
});

it('closes a connection whose request body trickles in a byte at a time (408)', async () => {
  const port = await start();
  const before = answered;
  const peer = await open(port);
  peer.socket.write('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n');
  drip(peer.socket, 'a');
  expect(await closedInTime(peer.closed)).toBe(true);
  expect(peer.received()).toMatch(/^HTTP\/1\.1 408 /);
  expect(answered).toBe(before);
});

it('answers a request, then closes the kept-alive connection once it idles', async () => {
  const port = await start();
  const before = answered;
  const peer = await open(port);
  peer.socket.write('GET / HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n');
  expect(await closedInTime(peer.closed)).toBe(true);
  expect(peer.received()).toMatch(/^HTTP\/1\.1 200 /);
  expect(peer.received()).toMatch(/Keep-Alive: timeout=/i);
  expect(answered).toBe(before + 1);
});
