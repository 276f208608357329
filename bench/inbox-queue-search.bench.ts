/**
 * The inbox's queue (first page) and search over a big store — by default 100 000 chats and 2 000 000
 * messages — each beside the bare SQL behind it, on the same connection, in the same run: the endpoint
 * costs the statements plus sessions, assignments, JSON and HTTP. Goal: at most 2× the bare statements.
 * First, the store's queue pages beside a bare 50-row index range scan of `chats` (goal: the default first
 * page at most 3× the scan, issue 22 item 11).
 * SQLite always; PostgreSQL when YM_TEST_POSTGRES_URL (or YM_BENCH_POSTGRES_URL) is set. Also prints the
 * page's first-load transferred size (goal: at most 150 kB compressed). Everything on 127.0.0.1.
 * YM_BENCH_CHATS / YM_BENCH_MESSAGES_PER_CHAT shrink the store for a quick look; YM_BENCH_ENGINES
 * (default `sqlite,postgres`) picks the engines; YM_BENCH_PG_SCHEMA keeps the PostgreSQL data in that
 * schema between runs (filled once, never dropped) for looking at plans.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// Package names resolve through the root tsconfig's paths (tsx honours them) to the packages' sources.
import { ChatsApi } from '@ym-chats/sdk';
import { openStore, type QueueFilter, queueCountsSql, type Sql, type SyncStore } from '@ym-chats/sync';
import pg from 'pg';
import { Agent, request } from 'undici';
// The built packages, as users run them (`npm run bench` builds first).
import { createInbox, StoreSource } from '../packages/inbox/dist/index.js';
// The bare statements behind the endpoints: the package's internals, exported for benches only.
import { chatsSql, queueSql, searchSql, searchWords } from '../packages/inbox/dist/internal.js';

const CHATS = Number(process.env.YM_BENCH_CHATS ?? 100_000);
const PER_CHAT = Number(process.env.YM_BENCH_MESSAGES_PER_CHAT ?? 20);
const ROUNDS = 25;
const BUSINESS = 1001;
const PG_URL = process.env.YM_BENCH_POSTGRES_URL ?? process.env.YM_TEST_POSTGRES_URL;
const ENGINES = (process.env.YM_BENCH_ENGINES ?? 'sqlite,postgres').split(',');
const KEPT_SCHEMA = process.env.YM_BENCH_PG_SCHEMA;

const PHRASES = [
  'Здравствуйте! Когда будет доставлен мой заказ?',
  'Посылка пришла с повреждённой коробкой, что делать?',
  'Спасибо, всё получил, товар отличный.',
  'Можно ли поменять размер на M?',
  'Hi, where is my order? Tracking has not moved for three days.',
  'The item arrived scratched. What can you do about it?',
  'Приносим извинения за неудобства. Уточните, пожалуйста, номер заказа.',
  'Заказ передан в доставку, ожидайте в течение двух дней.',
  'В комплекте не хватает зарядного устройства.',
  'Подскажите, есть ли гарантия на этот товар?',
];
const phraseCase = (i: string) =>
  `CASE ${i} % ${PHRASES.length} ${PHRASES.map((p, k) => `WHEN ${k} THEN '${p.replace(/'/g, "''")}'`).join(' ')} END`;
const STATUS = (i: string) =>
  `CASE ${i} % 5 WHEN 0 THEN 'WAITING_FOR_PARTNER' WHEN 1 THEN 'WAITING_FOR_CUSTOMER' WHEN 2 THEN 'FINISHED' WHEN 3 THEN 'WAITING_FOR_PARTNER' ELSE 'NEW' END`;

/** Fills the store's tables with set-based SQL (the sync engine's writes would take hours at this size). */
async function fill(sql: Sql): Promise<void> {
  const messages = CHATS * PER_CHAT;
  const sqlite = sql.dialect === 'sqlite';
  const series = (n: number, col: string) =>
    sqlite
      ? `WITH RECURSIVE s(${col}) AS (SELECT 1 UNION ALL SELECT ${col} + 1 FROM s WHERE ${col} < ${n}) SELECT * FROM s`
      : `SELECT generate_series(1, ${n}) AS ${col}`;
  const at = (seconds: string) =>
    sqlite
      ? `strftime('%Y-%m-%dT%H:%M:%S.000Z', 1767225600 + ${seconds}, 'unixepoch')`
      : `to_timestamp(1767225600 + ${seconds})`;
  const chatOf = (i: string) => `(40000000 + (${i} - 1) / ${PER_CHAT} + 1)`;
  await sql.transaction(async (tx) => {
    await tx.run(
      `INSERT INTO chats (business_id, chat_id, type, status, context_type, context_id, order_id, customer_name,
         created_at, updated_at, last_message_id, synced_at, history_pending)
       SELECT ${BUSINESS}, 40000000 + i, CASE WHEN i % 50 = 0 THEN 'ARBITRAGE' ELSE 'CHAT' END, ${STATUS('i')},
         CASE i % 3 WHEN 0 THEN 'ORDER' WHEN 1 THEN 'RETURN' ELSE 'DIRECT' END, 50000000 + i, 50000000 + i,
         'Покупатель ' || i, ${at('i * 10')}, ${at(`i * 10 + ${PER_CHAT * 30}`)}, 900000000 + i * ${PER_CHAT},
         ${at('i * 10 + 100000000')}, 0
       FROM (${series(CHATS, 'i')}) n`,
    );
    await tx.run(
      `INSERT INTO messages (business_id, chat_id, message_id, sender, text, created_at)
       SELECT ${BUSINESS}, ${chatOf('i')}, 900000000 + i,
         CASE WHEN i % 2 = 1 OR i % ${PER_CHAT} = 0 THEN 'CUSTOMER' ELSE 'PARTNER' END,
         ${phraseCase('i')} || ' #' || i, ${at(`(${chatOf('i')} - 40000000) * 10 + (i % ${PER_CHAT}) * 30`)}
       FROM (${series(messages, 'i')}) n`,
    );
    await tx.run(
      `INSERT INTO events (business_id, chat_id, message_id, kind, recorded_at)
       SELECT business_id, chat_id, message_id, 'message', created_at FROM messages ORDER BY message_id`,
    );
  });
  if (!sqlite) await sql.run('ANALYZE');
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function time(fn: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/**
 * Alternates the two sides round by round so drift hits both; medians compared. `goal` rows are the
 * issue's (the default first page, a phrase search) and decide the exit code; the others show where a
 * sub-millisecond statement meets the HTTP floor.
 */
async function pair(
  name: string,
  endpoint: () => Promise<unknown>,
  bare: () => Promise<unknown>,
  goal = true,
) {
  await endpoint();
  await bare();
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    a.push(await time(endpoint));
    b.push(await time(bare));
  }
  const ratio = median(a) / median(b);
  const verdict = goal ? (ratio <= 2 ? 'ok (goal ≤ 2×)' : 'OVER the 2× goal') : '(information)';
  console.log(
    `  ${name.padEnd(36)} endpoint ${median(a).toFixed(2).padStart(8)} ms   bare SQL ${median(b).toFixed(2).padStart(8)} ms   ratio ${ratio.toFixed(2).padStart(5)}  ${verdict}`,
  );
  return !goal || ratio <= 2;
}

/**
 * Issue 22 item 11: the store's queue page (every statement it runs, merged and shaped) beside a bare
 * 50-row index range scan of `chats` (its primary key), alternated round by round. Goal for the default
 * first page: at most 3× the range scan — the queue is read as index ranges, never sorted from the table.
 */
async function queueBesideRangeScan(store: SyncStore): Promise<boolean> {
  const sql = store.database();
  const from = 40_000_000 + Math.floor(CHATS / 2);
  const rangeScan = () =>
    sql.all('SELECT * FROM chats WHERE business_id = ? AND chat_id > ? ORDER BY chat_id LIMIT 50', [
      BUSINESS,
      from,
    ]);
  const views: Array<[string, QueueFilter, boolean]> = [
    ['queue page, default order', {}, true],
    ['queue page, status=FINISHED', { statuses: ['FINISHED'] }, false],
    ['queue page, status=NEW,WAITING_FOR_CUSTOMER', { statuses: ['NEW', 'WAITING_FOR_CUSTOMER'] }, false],
    ['queue page, type=ARBITRAGE', { types: ['ARBITRAGE'] }, false],
  ];
  let ok = true;
  for (const [name, filter, goal] of views) {
    const page = () => store.reads.queue({ businessIds: [BUSINESS], filter, limit: 50 });
    if ((await page()).length !== 50) throw new Error(`${name}: expected a full page of 50`);
    await rangeScan();
    const a: number[] = [];
    const b: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      a.push(await time(page));
      b.push(await time(rangeScan));
    }
    const ratio = median(a) / median(b);
    const verdict = goal ? (ratio <= 3 ? 'ok (goal ≤ 3×)' : 'OVER the 3× goal') : '(information)';
    console.log(
      `  ${name.padEnd(44)} ${median(a).toFixed(2).padStart(8)} ms   50-row range scan ${median(b).toFixed(2).padStart(6)} ms   ratio ${ratio.toFixed(2).padStart(6)}  ${verdict}`,
    );
    if (goal && ratio > 3) ok = false;
  }
  return ok;
}

const medianOf = async (fn: () => Promise<unknown>, rounds = ROUNDS) => {
  await fn();
  const times: number[] = [];
  for (let i = 0; i < rounds; i++) times.push(await time(fn));
  return median(times);
};

/**
 * Where the first page's time goes (issue 22 item 11): the HTTP floor (a request that reads nothing), the
 * store's read in-process (the statement, the merge, the rows shaped), the bare statement, the endpoint
 * (its request and JSON included), measured round-robin so load hits each alike.
 */
async function queueProfile(
  source: StoreSource,
  get: (path: string) => Promise<unknown>,
  bare: () => Promise<unknown>,
  serverMs: Map<string, number[]>,
): Promise<void> {
  serverMs.clear();
  const sides: Array<[string, () => Promise<unknown>]> = [
    ['endpoint', () => get('/api/queue?limit=50')],
    ['HTTP floor', () => get('/api/session')],
    ['store read', () => source.queue({ businessIds: [BUSINESS], filter: {}, limit: 51 })],
    ['bare SQL', bare],
  ];
  const times: number[][] = sides.map(() => []);
  for (const [, fn] of sides) await fn();
  for (let i = 0; i < ROUNDS; i++) {
    for (const [k, [, fn]] of sides.entries()) times[k]!.push(await time(fn));
  }
  const [endpoint, floor, read, sql] = times.map(median) as [number, number, number, number];
  console.log(
    `  queue first page, where the time goes: endpoint ${endpoint.toFixed(2)} ms = HTTP floor ${floor.toFixed(2)} + store read ${read.toFixed(2)} (bare SQL ${sql.toFixed(2)}) + the rest ${(endpoint - floor - read).toFixed(2)}`,
  );
  // The same requests from the server's side (request in → answer handed to the socket): what is left
  // of the endpoint is the bench's own HTTP client, on the same event loop, taking the answer in.
  const server = (path: string) => median(serverMs.get(path) ?? [0]);
  console.log(
    `    in the server: /api/queue ${server('/api/queue').toFixed(2)} ms, /api/session ${server('/api/session').toFixed(2)} ms`,
  );
}

/**
 * The filter bar's counts (issue 22 item 10): the endpoint (each part read at most once a second or a
 * minute per process and shared by its pages) beside its two bare statements, each timed alone.
 */
async function countsBesideSql(
  source: StoreSource,
  get: (path: string) => Promise<unknown>,
  bareAll: (statements: Array<{ sql: string; params: unknown[] }>) => Promise<void>,
): Promise<void> {
  const { statuses, kinds } = queueCountsSql([BUSINESS]);
  const endpoint = await medianOf(() => get('/api/queue/counts'));
  const byStatus = await medianOf(() => bareAll([statuses]));
  // The scans take a fifth of a second each at 100 000 chats: 5 rounds, so the HTTP client's kept-alive
  // socket is not left idle past the server's keep-alive timeout (5 s) meanwhile.
  const byKind = await medianOf(() => bareAll([kinds]), 5);
  const uncached = await medianOf(
    () => Promise.all([source.statusCounts([BUSINESS]), source.kindCounts([BUSINESS])]),
    5,
  );
  console.log(
    `  queue counts: endpoint ${endpoint.toFixed(2)} ms (shared reads); uncached ${uncached.toFixed(2)} ms = per status (chat_queue index) ${byStatus.toFixed(2)} + per type and context (chats scan) ${byKind.toFixed(2)}`,
  );
}

async function run(engine: string, store: SyncStore): Promise<boolean> {
  console.log(
    `\n${engine}: ${CHATS.toLocaleString('en')} chats, ${(CHATS * PER_CHAT).toLocaleString('en')} messages`,
  );
  const empty = (await store.counts()).chats === 0;
  const filled = empty ? await time(() => fill(store.database())) : 0;
  const source = await StoreSource.open(store, { follow: false, batch: 200_000 });
  const indexed = await time(() => source.indexer.catchUp());
  console.log(
    `  filled in ${(filled / 1000).toFixed(1)} s; inbox index built from the event log in ${(indexed / 1000).toFixed(1)} s`,
  );
  let ok = await queueBesideRangeScan(store);
  const api = new ChatsApi({ baseUrl: 'http://127.0.0.1:9', apiKey: 'unused-bench-key' });
  const inbox = createInbox({ source, api, businessIds: [BUSINESS], host: '127.0.0.1' });
  // Each request's time in the server, by path (queueProfile reads it).
  const serverMs = new Map<string, number[]>();
  const server = createServer((req, res) => {
    const start = process.hrtime.bigint();
    const path = (req.url ?? '').split('?')[0]!;
    res.on('finish', () => {
      const list = serverMs.get(path) ?? [];
      list.push(Number(process.hrtime.bigint() - start) / 1e6);
      serverMs.set(path, list);
    });
    inbox.listener(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const session = await fetch(`${base}/api/session`);
  const cookie = session.headers.get('set-cookie')!.split(';')[0]!;
  // A keep-alive undici client (as the SDK uses): the comparison is about the server, not fetch's overhead.
  const dispatcher = new Agent({ keepAliveTimeout: 10_000 });
  const get = async (path: string) => {
    // A kept-alive socket the server closed while a long step ran no request (the counts' uncached
    // reads take seconds at 100 000 chats) resets once: that request goes again on a new socket.
    const res = await request(`${base}${path}`, { headers: { cookie }, dispatcher }).catch(
      (error: unknown) => {
        if ((error as { code?: unknown }).code !== 'ECONNRESET') throw error;
        return request(`${base}${path}`, { headers: { cookie }, dispatcher });
      },
    );
    if (res.statusCode !== 200) throw new Error(`${path} → ${res.statusCode}`);
    return res.body.json();
  };
  const bareAll = async (statements: Array<{ sql: string; params: unknown[] }>) => {
    for (const s of statements) await store.database().all(s.sql, s.params as never);
  };
  try {
    const first = queueSql({ businessIds: [BUSINESS], filter: {}, limit: 51 });
    ok =
      (await pair(
        'queue, first page (50)',
        () => get('/api/queue?limit=50'),
        () => bareAll(first.slice(0, 1)),
      )) && ok;
    await queueProfile(source, get, () => bareAll(first.slice(0, 1)), serverMs);
    const answered = queueSql({ businessIds: [BUSINESS], filter: { statuses: ['FINISHED'] }, limit: 51 });
    await pair(
      'queue, status=FINISHED',
      () => get('/api/queue?limit=50&status=FINISHED'),
      () => bareAll(answered),
      false,
    );
    await countsBesideSql(source, get, bareAll);
    // A phrase in every chat; a very common word (3 messages in 10: "заказ", "заказа", "Заказ"); a word
    // form ("коробки" finds "коробкой"); an order number (one chat, by its id); a message number (one
    // message). Each is one row per chat with its count and the total — past the store's cap (reads/
    // search.ts) an "at least" total ("1000+"), read from the newest hits only.
    const searches: Array<[string, boolean]> = [
      ['повреждённой коробкой', true],
      ['заказ', true],
      ['коробки', false],
      [String(50_000_000 + Math.floor(CHATS / 2)), false],
      [`#${Math.floor((CHATS * PER_CHAT) / 2)}`, false],
    ];
    for (const [q, goal] of searches) {
      const statement = searchSql(store.database().dialect, [BUSINESS], searchWords(q), 50);
      const hits = (await get(`/api/search?q=${encodeURIComponent(q)}`)) as {
        hits: unknown[];
        total: number;
        capped?: boolean;
      };
      // The bare side: the search statement, then the statement reading the hits' chats.
      const bare = async () => {
        const rows = await store.database().all(statement.sql, statement.params);
        const keys = rows.map((r) => ({ businessId: Number(r.business_id), chatId: Number(r.chat_id) }));
        if (keys.length > 0) await bareAll([chatsSql(keys)]);
      };
      const rows = await store.database().all(statement.sql, statement.params);
      const total = `${rows[0]?.total ?? 0}${Number(rows[0]?.capped) === 1 ? '+' : ''}`;
      const name = `search "${q}" (${hits.hits.length} rows of ${total})`;
      ok = (await pair(name, () => get(`/api/search?q=${encodeURIComponent(q)}`), bare, goal)) && ok;
    }
    const floor: number[] = [];
    for (let i = 0; i < ROUNDS; i++) floor.push(await time(() => get('/api/session')));
    console.log(`  HTTP floor (GET /api/session, no SQL): ${median(floor).toFixed(2)} ms`);
  } finally {
    await dispatcher.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await inbox.close();
    await source.close();
  }
  return ok;
}

/** What a browser downloads on first load: the shell and its two assets, brotli as Chromium asks. */
async function firstLoad(): Promise<boolean> {
  const dir = mkdtempSync(join(tmpdir(), 'ym-inbox-bench-'));
  const store = await openStore(join(dir, 'store.sqlite'));
  const source = await StoreSource.open(store, { follow: false });
  const inbox = createInbox({
    source,
    api: new ChatsApi({ baseUrl: 'http://127.0.0.1:9', apiKey: 'unused-bench-key' }),
    businessIds: [BUSINESS],
    host: '127.0.0.1',
  });
  const server = createServer(inbox.listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  let total = 0;
  const lines: string[] = [];
  try {
    const html = await fetch(`${base}/`, { headers: { 'accept-encoding': 'gzip, deflate, br' } });
    const text = await html.text();
    const paths = ['/', ...[...text.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!)];
    for (const path of paths) {
      // Raw socket bytes: fetch would decompress, so ask for the compressed length the server sends.
      const res = await fetch(`${base}${path}`, { headers: { 'accept-encoding': 'br' } });
      const length = Number(res.headers.get('content-length'));
      await res.arrayBuffer();
      let headerBytes = 0;
      res.headers.forEach((value, name) => {
        headerBytes += name.length + value.length + 4;
      });
      total += length + headerBytes;
      lines.push(
        `    ${path.padEnd(40)} ${length.toLocaleString('en').padStart(8)} B (${res.headers.get('content-encoding') ?? 'identity'}) + ${headerBytes} B headers`,
      );
    }
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await inbox.close();
    await source.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(`\nfirst load (brotli): ${(total / 1024).toFixed(1)} kB transferred (goal ≤ 150 kB)`);
  for (const line of lines) console.log(line);
  return total <= 150 * 1024;
}

let ok = await firstLoad();
if (ENGINES.includes('sqlite')) {
  const dir = mkdtempSync(join(tmpdir(), 'ym-inbox-bench-'));
  const store = await openStore(join(dir, 'store.sqlite'));
  try {
    ok = (await run('SQLite', store)) && ok;
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
if (PG_URL && ENGINES.includes('postgres')) {
  const schema = KEPT_SCHEMA ?? `bench_${randomBytes(5).toString('hex')}`;
  const store = await openStore(PG_URL, { schema });
  try {
    ok = (await run('PostgreSQL', store)) && ok;
  } finally {
    await store.close();
    if (!KEPT_SCHEMA) {
      const client = new pg.Client({ connectionString: PG_URL });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await client.end();
    }
  }
} else if (!PG_URL) {
  console.log('\nPostgreSQL: skipped (set YM_TEST_POSTGRES_URL)');
}
process.exit(ok ? 0 : 1);
