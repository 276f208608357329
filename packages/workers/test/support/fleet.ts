/**
 * The pieces of a multi-process test: the real emulator with many businesses (one Api-Key each) behind a
 * counting proxy (every 420 it answers is counted), a fresh PostgreSQL schema with the businesses
 * registered, worker processes of the built CLI, and the store compared with the emulator.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AdminClient, createEmulator, type EmulatorServer } from '@ym-chats/emulator';
import { openStore, type SyncStore } from '@ym-chats/sync';
import { describePostgres, freshSchema } from '@ym-chats/testkit';
import { BusinessRegistry, migrateWorkers } from '@ym-chats/workers';
import { expect } from 'vitest';
import type { InboxPage } from './inbox-page.js';

export { PG_URL } from '@ym-chats/testkit';

export const BIN = fileURLToPath(new URL('../../../cli/dist/bin.js', import.meta.url));
export const REDIS_URL = process.env.YM_TEST_REDIS_URL;
export const KEY = randomBytes(32).toString('base64');
export const FIRST_BUSINESS = 5001;

export const apiKeyOf = (b: number) => `workers-test-key-${b}-c0ffee`;

export interface ProxiedRequest {
  method: string;
  path: string;
  apiKey: string | undefined;
  status: number;
}

export interface Fleet {
  emulator: EmulatorServer;
  admin: AdminClient;
  /** The proxy's URL: what the workers call. */
  url: string;
  businesses: number[];
  statuses: Map<number, number>;
  /** Every request the proxy forwarded: method, path with query, the Api-Key it carried, the status. */
  requests: ProxiedRequest[];
  close(): Promise<void>;
}

/** The emulator with `count` businesses of `chats` seeded chats each, behind a status-counting proxy. */
export async function startFleet(count: number, chats: number, seed = 7): Promise<Fleet> {
  const businesses = Array.from({ length: count }, (_, i) => FIRST_BUSINESS + i);
  const statuses = new Map<number, number>();
  const requests: ProxiedRequest[] = [];
  // The proxy listens first: the emulator's links (attachment URLs) name it, as the platform's name its API host.
  let target = new URL('http://127.0.0.1');
  const proxy: Server = createServer((req, res) => {
    const forward = request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        const status = answer.statusCode ?? 0;
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        const apiKey = req.headers['api-key'];
        requests.push({ method: req.method ?? '', path: req.url ?? '', apiKey: apiKey?.toString(), status });
        res.writeHead(status, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on('error', () => res.destroy());
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  const emulator = createEmulator({
    credentials: businesses.map((b) => ({ apiKey: apiKeyOf(b), businessIds: [b] })),
    publicUrl: url,
  });
  target = new URL(await emulator.listen(0));
  const admin = new AdminClient(target.origin);
  for (const b of businesses) await admin.seed({ seed: seed + b, chats, businessId: b });
  return {
    emulator,
    admin,
    url,
    businesses,
    statuses,
    requests,
    async close() {
      proxy.closeAllConnections();
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
      await emulator.close();
    },
  };
}

export interface Schema {
  url: string;
  schema: string;
  store: SyncStore;
  drop(): Promise<void>;
}

/** A fresh schema with the store's and the workers' tables and every business registered. */
export async function registeredSchema(url: string, businesses: number[]): Promise<Schema> {
  const fresh = freshSchema(url, 'w');
  const store = await openStore(url, { schema: fresh.schema });
  await migrateWorkers(store.database());
  const registry = new BusinessRegistry(store.database(), Buffer.from(KEY, 'base64'));
  for (const b of businesses)
    await registry.add(BigInt(b), `shop ${b}`, { kind: 'api-key', secret: apiKeyOf(b) });
  return {
    url,
    schema: fresh.schema,
    store,
    async drop() {
      await store.close();
      await fresh.drop();
    },
  };
}

export interface WorkerProcess {
  child: ChildProcess;
  output: string[];
  exited: Promise<number | null>;
}

export function requireBuilt(): void {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: build first (npm run build)`);
}

/** One worker process of the built CLI (`sync --watch --registered` or `serve --registered`). */
export function spawnWorker(args: string[], env: Record<string, string> = {}): WorkerProcess {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: {
      PATH: process.env.PATH ?? '',
      HOME: mkdtempSync(join(tmpdir(), 'ym-workers-home-')),
      NO_COLOR: '1',
      YM_CREDENTIALS_KEY: KEY,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  child.stdout?.on('data', (d: Buffer) => output.push(d.toString()));
  child.stderr?.on('data', (d: Buffer) => output.push(d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output, exited };
}

/**
 * A worker of the built CLI over `schema` and the fleet's proxy, with a 3-second lease: `sync --watch
 * --registered` or `serve --registered` (on a free port, with the inbox). `extra` adds or overrides flags
 * (`--interval`, `--json`, `--reconcile`, Redis).
 */
export function spawnRegistered(
  mode: 'sync' | 'serve',
  schema: Schema,
  baseUrl: string,
  extra: string[] = [],
  env: Record<string, string> = {},
): WorkerProcess {
  const command = mode === 'sync' ? ['sync', '--watch'] : ['serve', '--port', '0'];
  return spawnWorker(
    [
      ...command,
      '--registered',
      '--store',
      schema.url,
      '--schema',
      schema.schema,
      '--base-url',
      baseUrl,
      '--lease',
      '3',
      ...extra,
    ],
    env,
  );
}

/** What a `serve --registered --json` worker printed on start: its push endpoint and its inbox's URL. */
export function endpointOf(w: WorkerProcess): string | undefined {
  return /"endpoint":"([^"]+)"/.exec(w.output.join(''))?.[1];
}

export function inboxOf(w: WorkerProcess): string | undefined {
  return /"inbox":"([^"]+)\/"/.exec(w.output.join(''))?.[1];
}

/** How many businesses each worker holds now, by worker id. */
export async function sharesOf(store: SyncStore): Promise<Map<string, number>> {
  const rows = await store
    .database()
    .all('SELECT worker_id, COUNT(*) AS n FROM business_leases GROUP BY worker_id');
  return new Map(rows.map((r) => [String(r.worker_id), Number(r.n)]));
}

/** Waits until `workers` workers hold `each` businesses apiece; false on timeout. */
export function waitForShares(
  store: SyncStore,
  workers: number,
  each: number,
  ms = 30_000,
): Promise<boolean> {
  return waitFor(async () => {
    const shares = [...(await sharesOf(store)).values()];
    return shares.length === workers && shares.every((n) => n === each);
  }, ms);
}

/** The businesses the worker process `w` holds. */
export async function heldBy(store: SyncStore, w: WorkerProcess): Promise<number[]> {
  const rows = await store
    .database()
    .all(
      'SELECT l.business_id FROM business_leases l JOIN worker_nodes n ON n.worker_id = l.worker_id WHERE n.pid = ?',
      [w.child.pid!],
    );
  return rows.map((r) => Number(r.business_id));
}

export async function stopAll(workers: WorkerProcess[]): Promise<void> {
  for (const w of workers)
    if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGTERM');
  await Promise.all(
    workers.map((w) =>
      Promise.race([
        w.exited,
        new Promise((resolve) =>
          setTimeout(() => {
            w.child.kill('SIGKILL');
            resolve(null);
          }, 10_000),
        ),
      ]),
    ),
  );
}

/** The business's first stored attachment (the seeds give every business some): its chat and URL. */
export async function firstFileOf(
  store: SyncStore,
  businessId: number,
): Promise<{ chatId: number; url: URL }> {
  const rows = await store.database().all(
    `SELECT m.chat_id, f.url FROM message_files f
       JOIN messages m ON m.business_id = f.business_id AND m.message_id = f.message_id
      WHERE f.business_id = ? ORDER BY f.message_id LIMIT 1`,
    [businessId],
  );
  const row = rows[0];
  if (row === undefined) throw new Error(`business ${businessId} has no attachment in the store`);
  return { chatId: Number(row.chat_id), url: new URL(String(row.url)) };
}

/** Every message and chat of the given businesses, as comparable lines, from the emulator. */
export function emulatorLines(fleet: Fleet): { chats: string[]; messages: string[] } {
  const db = fleet.emulator.store.db;
  const chats = db
    .prepare('SELECT business_id, chat_id, status FROM chats ORDER BY business_id, chat_id')
    .all() as { business_id: number; chat_id: number; status: string }[];
  const messages = db
    .prepare(
      'SELECT business_id, chat_id, message_id, sender, text FROM messages ORDER BY business_id, message_id',
    )
    .all() as {
    business_id: number;
    chat_id: number;
    message_id: number;
    sender: string;
    text: string | null;
  }[];
  return {
    chats: chats.map((c) => `${c.business_id}|${c.chat_id}|${c.status}`),
    messages: messages.map(
      (m) => `${m.business_id}|${m.chat_id}|${m.message_id}|${m.sender}|${m.text ?? ''}`,
    ),
  };
}

export async function storeLines(store: SyncStore): Promise<{ chats: string[]; messages: string[] }> {
  const chats = await store
    .database()
    .all('SELECT business_id, chat_id, status FROM chats ORDER BY business_id, chat_id');
  const messages = await store
    .database()
    .all(
      'SELECT business_id, chat_id, message_id, sender, text FROM messages ORDER BY business_id, message_id',
    );
  return {
    chats: chats.map((c) => `${c.business_id}|${c.chat_id}|${c.status}`),
    messages: messages.map(
      (m) => `${m.business_id}|${m.chat_id}|${m.message_id}|${m.sender}|${m.text ?? ''}`,
    ),
  };
}

/** Messages published more than once in the event log (a duplicated write would show here). */
export async function duplicatedEvents(store: SyncStore): Promise<number> {
  const rows = await store
    .database()
    .all('SELECT business_id, message_id FROM events GROUP BY business_id, message_id HAVING COUNT(*) > 1');
  return rows.length;
}

/** How many businesses have had a complete pass. */
export async function syncedCount(store: SyncStore): Promise<number> {
  const rows = await store
    .database()
    .all("SELECT COUNT(DISTINCT business_id) AS n FROM sync_runs WHERE state = 'done'");
  return Number(rows[0]!.n);
}

/**
 * Waits until the store mirrors the emulator (every chat and message) and `businesses` have had a pass
 * done, then checks it: the same lines, each message published once, one event per message, no integrity
 * problem. `said` (the workers' output) is shown when it never converges.
 */
export async function expectMirrorOf(
  fleet: Fleet,
  store: SyncStore,
  businesses: number,
  said: () => string,
): Promise<void> {
  const truth = emulatorLines(fleet);
  const converged = await waitFor(async () => {
    const mirror = await storeLines(store);
    return JSON.stringify(mirror) === JSON.stringify(truth) && (await syncedCount(store)) === businesses;
  }, 60_000);
  const mirror = await storeLines(store);
  expect(converged, said()).toBe(true);
  expect(mirror.messages).toEqual(truth.messages);
  expect(mirror.chats).toEqual(truth.chats);
  expect(await duplicatedEvents(store)).toBe(0);
  expect(Number((await store.database().all('SELECT COUNT(*) AS n FROM events'))[0]!.n)).toBe(
    truth.messages.length,
  );
  expect(await store.integrityProblems()).toEqual([]);
}

/**
 * A describe over the shared PostgreSQL (YM_TEST_POSTGRES_URL): without it, a visible skip locally and a
 * failure under CI.
 */
export const describePg = describePostgres;

/** Polls `check` until it returns true or `ms` pass; false on timeout (the test then shows what differs). */
export async function waitFor(check: () => Promise<boolean>, ms: number, stepMs = 250): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    try {
      if (await check()) return true;
    } catch {
      // the database may be restarting
    }
    await new Promise((r) => setTimeout(r, stepMs));
  }
  return false;
}

/** The workers share one quota through Redis (YM_TEST_REDIS_URL; required under CI), under a prefix of their own. */
export function redisArgs(prefix: string): string[] {
  if (REDIS_URL === undefined) {
    if (process.env.CI === 'true') throw new Error('YM_TEST_REDIS_URL is not set; CI must provide Redis');
    return [];
  }
  return ['--redis', REDIS_URL, '--redis-prefix', `${prefix}:`];
}

/**
 * Until the inbox `page` shows the chat's newest message on the platform. The store fills a business's
 * history over a few passes, and a reply made on less than the platform has is rightly refused
 * (REPLIED_MEANWHILE): a test replies, as an agent would, once the page is current.
 */
export async function waitUntilShowsNewest(
  fleet: Fleet,
  page: InboxPage,
  businessId: number,
  chatId: number,
): Promise<boolean> {
  const newest = fleet.emulator.store.db
    .prepare('SELECT MAX(message_id) AS id FROM messages WHERE business_id = ? AND chat_id = ?')
    .get(businessId, chatId) as { id: number };
  return waitFor(async () => {
    const shown = await page.call<{ messages?: Array<{ messageId: number }> }>(
      'GET',
      `/api/businesses/${businessId}/chats/${chatId}/messages`,
    );
    return shown.body.messages?.at(-1)?.messageId === newest.id;
  }, 30_000);
}
