/**
 * Issue 20's first two Done-when bullets against one built `ym-chats serve` with an agent (anna), as users
 * run it, under a descriptor limit of 256 (`ulimit -n`) from which it derives its connection caps:
 *
 * - one peer (127.0.0.2) opens connections that send nothing until a whole wave is refused, and keeps
 *   opening more for the rest of the test (the server closes silent ones after a few seconds);
 * - meanwhile another client (127.0.0.3) asks `GET /api/session` and `/` as fast as it can, while anna, in a
 *   new browser, logs in with her password and loads the queue; the platform's PING is answered within its
 *   1 s, and the sessions table grows by her one row;
 * - then 4 000 event streams from her session: 16 stay open (the last 16), every other one is told it was
 *   superseded; PING and the queue still answer.
 *
 * Figures are printed, not asserted (bench/ holds speed goals); the bounds asserted are the platform's 1 s
 * for a PING and the caps serve derives from its descriptor limit.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashPassword } from '@ym-chats/inbox';
import { serverLimits } from '@ym-chats/sdk';
import { openStore } from '@ym-chats/sync';
import { afterEach, expect, it } from 'vitest';
import { API_KEY, BIN, BUSINESS, cleanEnv, requireBuilt, startEmulator, transcript } from './helpers.js';

const FILE_LIMIT = 256;
/** What serve derives from its descriptor limit: 192 connections, 48 per address. */
const LIMITS = serverLimits({}, FILE_LIMIT);
const PING = '{"notificationType":"PING","time":"2026-11-25T10:00:00.213Z"}';
const STREAMS = 4000;
const PER_SESSION = 16;

/** `ym-chats serve` under `ulimit -n FILE_LIMIT`. */
class Serve {
  stdout = '';
  stderr = '';
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
  constructor(args: string[], env: NodeJS.ProcessEnv, cwd: string) {
    this.child = spawn(
      'sh',
      ['-c', `ulimit -n ${FILE_LIMIT} && exec "$0" "$@"`, process.execPath, BIN, ...args],
      { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] },
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
  async waitFor(pattern: RegExp): Promise<string> {
    for (let i = 0; i < 1200; i++) {
      const match = pattern.exec(this.stdout);
      if (match) return match[1]!;
      if (this.child.exitCode !== null) break;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`no ${pattern}.\nstdout: ${this.stdout}\nstderr: ${this.stderr}`);
  }
}

const sockets: Socket[] = [];
const running: Serve[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  for (const serve of running.splice(0)) {
    serve.child.kill('SIGINT');
    await serve.exited;
  }
});

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One connection from `from` that sends nothing; resolves once it is connected or refused. */
function silent(port: number, from: string): Promise<Socket> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1', localAddress: from });
    sockets.push(socket);
    socket.on('error', () => {});
    socket.once('connect', () => resolve(socket));
    socket.once('close', () => resolve(socket));
  });
}

/** The sockets still open once resets in flight have landed (a loaded machine delivers them late). */
async function settledOpen(list: Socket[]): Promise<number> {
  let open = list.filter((s) => !s.destroyed).length;
  for (let stable = 0, i = 0; stable < 3 && i < 50; i++) {
    await pause(100);
    const now = list.filter((s) => !s.destroyed).length;
    stable = now === open ? stable + 1 : 0;
    open = now;
  }
  return open;
}

/**
 * One peer opening connections that send nothing, in waves of 50, until a whole wave is refused; then,
 * every 250 ms until stopped, it opens again as many as the server closed and five more, so its share
 * stays taken all along.
 */
class Flood {
  tried = 0;
  private stopped = false;
  private loop: Promise<void> = Promise.resolve();
  private readonly mine: Socket[] = [];
  constructor(
    private readonly port: number,
    private readonly from: string,
  ) {}
  private async wave(size: number): Promise<Socket[]> {
    const wave = await Promise.all(Array.from({ length: size }, () => silent(this.port, this.from)));
    this.tried += wave.length;
    this.mine.push(...wave);
    return wave;
  }
  /** Fills until refused; returns how many the server holds then. */
  async fill(max = 1000): Promise<number> {
    while (this.tried < max) {
      const wave = await this.wave(50);
      await pause(100);
      if (wave.every((s) => s.destroyed)) break;
    }
    const held = await settledOpen(this.mine);
    this.loop = (async () => {
      while (!this.stopped) {
        for (let i = this.mine.length - 1; i >= 0; i--) if (this.mine[i]!.destroyed) this.mine.splice(i, 1);
        // What the server closed (silent too long) is opened again, and a few more that it refuses.
        await this.wave(Math.max(0, held - this.open()) + 5);
        await pause(250);
      }
    })();
    return held;
  }
  open(): number {
    return this.mine.filter((s) => !s.destroyed).length;
  }
  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
  }
}

/** A browser as far as the inbox's login is concerned: its cookies and the page's CSRF token. */
class Browser {
  private readonly cookies = new Map<string, string>();
  csrf = '';
  constructor(private readonly base: string) {}
  get cookie(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
  async call(method: string, path: string, body?: unknown): Promise<number> {
    const headers: Record<string, string> = {};
    if (this.cookies.size > 0) headers.cookie = this.cookie;
    if (method !== 'GET') headers['x-csrf-token'] = this.csrf;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(new URL(path, this.base), {
      method,
      headers,
      body: body === undefined ? null : JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
    for (const line of response.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const eq = pair.indexOf('=');
      this.cookies.set(pair.slice(0, eq), pair.slice(eq + 1));
    }
    const json = (await response.json().catch(() => ({}))) as { csrf?: string };
    if (typeof json.csrf === 'string') this.csrf = json.csrf;
    return response.status;
  }
}

/** The platform's check: a PING answered within 1 s; returns the milliseconds it took. */
async function ping(endpoint: string): Promise<number> {
  const started = performance.now();
  const res = await fetch(endpoint, { method: 'POST', body: PING, signal: AbortSignal.timeout(1000) });
  expect(res.status).toBe(200);
  await res.arrayBuffer();
  return Math.round(performance.now() - started);
}

/** GET `path` from `from` with no cookie, body read and dropped; the status, or 0 for a reset. */
function visit(port: number, from: string, path: string): Promise<number> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path, localAddress: from, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', () => resolve(0));
    });
    req.on('error', () => resolve(0));
    req.end();
  });
}

interface Held {
  ended: boolean;
  superseded: boolean;
  close(): void;
}

/** An event stream as a page holds it, closed by the client when the server ends it. */
function openStream(port: number, cookie: string, page: string): Promise<Held> {
  return new Promise((resolve, reject) => {
    const held: Held = { ended: false, superseded: false, close: () => undefined };
    const r = request(
      { host: '127.0.0.1', port, path: `/api/events?page=${page}`, headers: { cookie }, agent: false },
      (res) => {
        if (res.statusCode !== 200) reject(new Error(`events: HTTP ${res.statusCode}`));
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          if (chunk.includes('event: superseded')) held.superseded = true;
        });
        res.on('end', () => {
          held.ended = true;
          r.destroy();
        });
        res.on('error', () => undefined);
        held.close = () => r.destroy();
        resolve(held);
      },
    );
    r.on('error', reject);
    r.end();
  });
}

it('serve under one peer holding all it can open: PING within 1 s, an agent logs in through a session flood and loads the queue, 4 000 streams capped', async () => {
  requireBuilt();
  const emu = await startEmulator();
  const dir = mkdtempSync(join(tmpdir(), 'ym-issue20-'));
  const storePath = join(dir, 'store.sqlite');
  writeFileSync(
    join(dir, 'agents.json'),
    JSON.stringify([
      { login: 'anna', passwordHash: await hashPassword('anna-secret'), businessIds: [BUSINESS] },
    ]),
  );
  const serve = new Serve(
    [
      ...['serve', '--port', '0', '--json', '--agents', 'agents.json', '--reconcile', '0'],
      ...['--base-url', emu.url, '--business-id', String(BUSINESS)],
    ],
    cleanEnv({ YM_API_KEY: API_KEY, YM_STORE: storePath }),
    dir,
  );
  running.push(serve);
  let store: Awaited<ReturnType<typeof openStore>> | undefined;
  const flood = (port: number) => new Flood(port, '127.0.0.2');
  let peer: Flood | undefined;
  try {
    const endpoint = await serve.waitFor(/"endpoint":"([^"]+)"/);
    const inbox = await serve.waitFor(/"inbox":"([^"]+)"/);
    const port = Number(new URL(inbox).port);
    // serve's store, opened once serve has made it, to count the sessions it holds.
    const opened = await openStore(storePath);
    store = opened;
    const sessionRows = async () =>
      Number((await opened.database().all('SELECT COUNT(*) AS n FROM inbox_sessions'))[0]!.n);

    peer = flood(port);
    const held = await peer.fill();
    expect(held).toBeLessThanOrEqual(LIMITS.maxConnectionsPerAddress);
    expect(peer.tried).toBeGreaterThan(LIMITS.maxConnectionsPerAddress);
    const pingFlooded = await ping(endpoint);

    // A client asking for the page and a session as fast as it can, 8 at a time, while anna logs in.
    const rowsBefore = await sessionRows();
    let visits = 0;
    let refusedVisits = 0;
    let visiting = true;
    const visitor = Promise.all(
      Array.from({ length: 8 }, async () => {
        while (visiting) {
          for (const path of ['/api/session', '/', '/api/session']) {
            const status = await visit(port, '127.0.0.3', path);
            visits += 1;
            if (status !== 200) refusedVisits += 1;
          }
        }
      }),
    );
    await pause(1000);
    const anna = new Browser(inbox);
    expect(await anna.call('GET', '/api/session')).toBe(200);
    expect(await anna.call('POST', '/api/login', { login: 'anna', password: 'anna-secret' })).toBe(200);
    expect(await anna.call('GET', '/api/queue')).toBe(200);
    const pingVisited = await ping(endpoint);
    await pause(1000);
    visiting = false;
    await visitor;
    expect(visits).toBeGreaterThan(100);
    // Anna's session is the one row made.
    expect(await sessionRows()).toBe(rowsBefore + 1);

    // 4 000 event streams from her session, one after another, the flood still topped up.
    const streams: Held[] = [];
    for (let i = 0; i < STREAMS; i++) streams.push(await openStream(port, anna.cookie, `flood-${i}`));
    await expect.poll(() => streams.filter((s) => !s.ended).length, { timeout: 10_000 }).toBe(PER_SESSION);
    expect(streams.flatMap((s, i) => (s.ended ? [] : [i]))).toEqual(
      Array.from({ length: PER_SESSION }, (_, i) => STREAMS - PER_SESSION + i),
    );
    await expect
      .poll(() => streams.slice(0, STREAMS - PER_SESSION).every((s) => s.superseded), { timeout: 10_000 })
      .toBe(true);
    const pingAfter = await ping(endpoint);
    expect(await anna.call('GET', '/api/queue')).toBe(200);
    const peerOpen = peer.open();
    console.log(
      `serve (ulimit -n ${FILE_LIMIT}: ${LIMITS.maxConnections} connections, ${LIMITS.maxConnectionsPerAddress} ` +
        `per address): the peer tried ${peer.tried} connections, held ${held} when refused, ${peerOpen} ` +
        `open at the end; PING ${pingFlooded} ms flooded, ${pingVisited} ms during ${visits} visitor ` +
        `requests (${refusedVisits} not 200) and anna's login, ${pingAfter} ms after ${STREAMS} streams ` +
        `(${streams.filter((s) => !s.ended).length} open); sessions +${(await sessionRows()) - rowsBefore}`,
    );
    for (const s of streams) s.close();
  } finally {
    await peer?.stop();
    for (const s of sockets.splice(0)) s.destroy();
    await store?.close();
    for (const child of running.splice(0)) {
      child.child.kill('SIGINT');
      expect(await child.exited).toBe(0);
    }
    await emu.close();
  }
}, 180_000);
