/**
 * Connection limits on the servers the CLI starts (`serve`: push endpoint + inbox on one port; `watch
 * --listen`), through the built binary. Each runs with a descriptor limit of 256 (`ulimit -n`), from which
 * it derives its caps as in production. A peer on 127.0.0.2 (and then ten of them, 127.0.0.2–11: all this
 * host on Linux) opens connections to 127.0.0.1 that send nothing, until it cannot open more (at most
 * 1 000); while they are held, the platform's PING is answered within its 1 s and an agent loads the queue.
 * Without the limits the process runs out of descriptors and stops answering (or exits).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { get, type IncomingMessage } from 'node:http';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serverLimits } from '@ym-chats/sdk';
import { afterEach, expect, it } from 'vitest';
import { API_KEY, BIN, BUSINESS, cleanEnv, requireBuilt, startEmulator, transcript } from './helpers.js';

const FILE_LIMIT = 256;
/** What the child derives from its descriptor limit. */
const LIMITS = serverLimits({}, FILE_LIMIT);
const PING = '{"notificationType":"PING","time":"2026-11-25T10:00:00.213Z"}';

/** The binary under `ulimit -n FILE_LIMIT`. */
class Limited {
  stdout = '';
  stderr = '';
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
  constructor(args: string[], env: NodeJS.ProcessEnv, cwd: string) {
    this.child = spawn(
      'sh',
      ['-c', `ulimit -n ${FILE_LIMIT} && exec "$0" "$@"`, process.execPath, BIN, ...args],
      {
        env,
        cwd,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    this.child.stdout?.on('data', (d: Buffer) => {
      this.stdout += d.toString();
    });
    this.child.stderr?.on('data', (d: Buffer) => {
      this.stderr += d.toString();
    });
    this.exited = new Promise((resolve) =>
      this.child.on('close', (code) => {
        transcript.push(this.stdout, this.stderr);
        resolve(code);
      }),
    );
  }
  async waitFor(stream: 'stdout' | 'stderr', pattern: RegExp): Promise<string> {
    for (let i = 0; i < 800; i++) {
      const match = pattern.exec(this[stream]);
      if (match) return match[1]!;
      if (this.child.exitCode !== null) break;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`no ${pattern}.\nstdout: ${this.stdout}\nstderr: ${this.stderr}`);
  }
}

const running: Limited[] = [];
const sockets: Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  for (const child of running.splice(0)) {
    child.child.kill('SIGINT');
    await child.exited;
  }
});

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

/**
 * Opens connections that send nothing from `from` (round robin), in waves of 50, until a whole wave is
 * refused or `max` were tried; returns how many were tried and how many the server still holds.
 */
async function flood(port: number, from: string[], max: number): Promise<{ tried: number; held: number }> {
  const mine: Socket[] = [];
  while (mine.length < max) {
    const wave = await Promise.all(
      Array.from(
        { length: Math.min(50, max - mine.length) },
        (_, i) =>
          new Promise<Socket>((resolve) => {
            const socket = connect({
              port,
              host: '127.0.0.1',
              localAddress: from[(mine.length + i) % from.length],
            });
            socket.on('error', () => {});
            socket.once('connect', () => resolve(socket));
            socket.once('close', () => resolve(socket));
          }),
      ),
    );
    mine.push(...wave);
    sockets.push(...wave);
    // Time for the server to accept, reset or evict the wave.
    await new Promise((r) => setTimeout(r, 100));
    if (wave.every((s) => s.destroyed)) break;
  }
  return { tried: mine.length, held: (await settledOpen(mine)).length };
}

/** The platform's check: a PING, answered within 1 s. */
async function ping(endpoint: string): Promise<number> {
  const res = await fetch(endpoint, { method: 'POST', body: PING, signal: AbortSignal.timeout(1000) });
  return res.status;
}

/** Resolves when a connection that never sends a byte is closed by the server. */
function silentConnection(port: number): Promise<void> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1', localAddress: '127.0.0.20' });
    sockets.push(socket);
    socket.on('error', () => {});
    socket.resume();
    socket.once('close', () => resolve());
  });
}

it('serve: a connection flood leaves PING answered within 1 s and the inbox usable; an event stream stays', async () => {
  requireBuilt();
  const emu = await startEmulator();
  try {
    const dir = mkdtempSync(join(tmpdir(), 'ym-limits-'));
    const env = cleanEnv({ YM_API_KEY: API_KEY, YM_STORE: join(dir, 'store.sqlite') });
    const serve = new Limited(
      ['serve', '--port', '0', '--json', '--base-url', emu.url, '--business-id', String(BUSINESS)],
      env,
      dir,
    );
    running.push(serve);
    const endpoint = await serve.waitFor('stdout', /"endpoint":"([^"]+)"/);
    const inbox = await serve.waitFor('stdout', /"inbox":"([^"]+)"/);
    const port = Number(new URL(endpoint).port);
    const session = await fetch(new URL('api/session', inbox));
    const cookie = (session.headers.get('set-cookie') ?? '').split(';')[0]!;
    const queue = async () =>
      (await fetch(new URL('api/queue', inbox), { headers: { cookie }, signal: AbortSignal.timeout(5000) }))
        .status;
    expect(await queue()).toBe(200);
    // An agent's page, following live events on a long-lived stream.
    let streamClosed = false;
    const stream = await new Promise<IncomingMessage>((resolve, reject) =>
      get(new URL('api/events', inbox), { headers: { cookie } }, resolve).on('error', reject),
    );
    expect(stream.statusCode).toBe(200);
    stream.on('data', () => {});
    stream.on('close', () => {
      streamClosed = true;
    });

    const one = await flood(port, ['127.0.0.2'], 1000);
    expect(one.held).toBeLessThanOrEqual(LIMITS.maxConnectionsPerAddress);
    expect(one.tried).toBeGreaterThan(LIMITS.maxConnectionsPerAddress);
    expect(await ping(endpoint)).toBe(200);
    expect(await queue()).toBe(200);

    const peers = Array.from({ length: 10 }, (_, i) => `127.0.0.${i + 2}`);
    const many = await flood(port, peers, 1000);
    expect(many.held).toBeLessThanOrEqual(LIMITS.maxConnections);
    expect(many.tried).toBeGreaterThan(LIMITS.maxConnections);
    expect(await ping(endpoint)).toBe(200);
    expect(await queue()).toBe(200);
    expect(streamClosed).toBe(false);
    for (const s of sockets.splice(0)) s.destroy();

    // One that never sends a byte is closed after a few seconds (Node alone: the 60 s header timeout).
    await silentConnection(port);
    stream.destroy();
  } finally {
    for (const child of running.splice(0)) {
      child.child.kill('SIGINT');
      expect(await child.exited).toBe(0);
    }
    await emu.close();
  }
}, 60_000);

it('watch --listen: a connection flood leaves PING answered within 1 s', async () => {
  requireBuilt();
  const emu = await startEmulator();
  try {
    const watch = new Limited(
      ['watch', '--json', '--listen', '0', '--duration', '50', ...emu.flags],
      emu.env(),
      tmpdir(),
    );
    running.push(watch);
    const url = await watch.waitFor('stderr', /notifications on (http:\/\/127\.0\.0\.1:\d+\/)/);
    const port = Number(new URL(url).port);

    const one = await flood(port, ['127.0.0.2'], 1000);
    expect(one.held).toBeLessThanOrEqual(LIMITS.maxConnectionsPerAddress);
    expect(one.tried).toBeGreaterThan(LIMITS.maxConnectionsPerAddress);
    expect(await ping(url)).toBe(200);

    const many = await flood(
      port,
      Array.from({ length: 10 }, (_, i) => `127.0.0.${i + 2}`),
      1000,
    );
    expect(many.held).toBeLessThanOrEqual(LIMITS.maxConnections);
    expect(await ping(url)).toBe(200);
    for (const s of sockets.splice(0)) s.destroy();
    await silentConnection(port);
  } finally {
    for (const child of running.splice(0)) {
      child.child.kill('SIGINT');
      expect(await child.exited).toBe(0);
    }
    await emu.close();
  }
}, 60_000);
