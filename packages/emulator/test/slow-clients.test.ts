/**
 * Slow senders: headers and bodies must arrive within the platform's timeout, so four trickling requests
 * cannot hold a business's four concurrency slots. Raw sockets, so the body can really be withheld.
 */
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { BIZ, call, type Running, start } from './helpers.js';

let run: Running | undefined;
afterEach(async () => {
  await run?.emu.close();
  run = undefined;
});

/** Opens a request that declares a body and sends only its first byte; resolves once the socket closes. */
function trickle(url: string, path: string, headers: string): { socket: Socket; closed: Promise<string> } {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  let received = '';
  socket.on('data', (d) => {
    received += d.toString('latin1');
  });
  socket.on('error', () => {});
  const closed = new Promise<string>((resolve) => socket.on('close', () => resolve(received)));
  socket.write(
    `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n${headers}Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{`,
  );
  return { socket, closed };
}

describe('slow clients', () => {
  it('four bodies that never finish are cut at the platform timeout and free the slots', async () => {
    run = await start({ platformTimeoutMs: 400 });
    const path = `/v2/businesses/${BIZ}/chats`;
    const slow = [1, 2, 3, 4].map(() => trickle(run!.url, path, 'Api-Key: emulator-api-key\r\n'));
    // While they hold the slots, a fifth request is refused with the concurrency 420.
    await new Promise((r) => setTimeout(r, 100));
    const refused = await call(run.url, 'getChats');
    expect(refused.status).toBe(420);
    expect(refused.body.errors[0].message).toMatch(/parallel/);
    // Each slow request is answered (408) and closed by the server, not by us.
    const answers = await Promise.all(slow.map((s) => s.closed));
    for (const answer of answers) expect(answer).toMatch(/^HTTP\/1\.1 408/);
    expect((await call(run.url, 'getChats')).status).toBe(200);
  });

  it('headers that never finish are cut too', async () => {
    run = await start({ platformTimeoutMs: 400 });
    const { hostname, port } = new URL(run.url);
    const socket = connect(Number(port), hostname);
    let received = '';
    socket.on('data', (d) => {
      received += d.toString('latin1');
    });
    socket.on('error', () => {});
    const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    socket.write('GET /_emulator/state HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ');
    await closed;
    expect(received).toMatch(/^HTTP\/1\.1 408/);
  });
});
