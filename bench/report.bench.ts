/**
 * The 7-day support report (`report()` of @ym-chats/sync, issue 23) on a store of 200 000 messages, then on
 * the same store grown to 2 000 000 by older history, at the same rate per day: the ratio of the two times.
 * Goal: at most 2× — the report reads the waits of its period (kept as messages are stored), not history.
 * SQLite always; PostgreSQL when YM_TEST_POSTGRES_URL (or YM_BENCH_POSTGRES_URL) is set. The store is
 * filled with set-based SQL and its waits made by the store's own back-fill (migration 6), as a store
 * synced before the waits table gets them. YM_BENCH_ENGINES (default `sqlite,postgres`) picks the engines.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MIGRATIONS, openStore, report, type Sql, type SyncStore } from '@ym-chats/sync';
import pg from 'pg';

const BUSINESS = 1001n;
const PER_CHAT = 20;
const SMALL_CHATS = 10_000; // 200 000 messages
const LARGE_CHATS = 100_000; // 2 000 000 messages
/** A new chat every 630 s: 10 000 chats are 73 days of history, 100 000 two years. */
const SPACING_S = 630;
const ROUNDS = 15;
const PG_URL = process.env.YM_BENCH_POSTGRES_URL ?? process.env.YM_TEST_POSTGRES_URL;
const ENGINES = (process.env.YM_BENCH_ENGINES ?? 'sqlite,postgres').split(',');
const NOW_S = Math.floor(Date.parse('2026-12-01T00:00:00Z') / 1000);

/**
 * Chats `first`..`last` (1 = newest) and their messages: message k of a chat every 5 minutes; per 4
 * messages two from the buyer, one answer, one from the platform, so each chat holds 5 waits, answered
 * after 10 to 40 minutes. The 50 newest chats end with an unanswered buyer message (the backlog).
 */
async function fill(sql: Sql, first: number, last: number): Promise<void> {
  const sqlite = sql.dialect === 'sqlite';
  const n = (last - first + 1) * PER_CHAT;
  const series = sqlite
    ? `WITH RECURSIVE s(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM s WHERE i < ${n - 1}) SELECT i FROM s`
    : `SELECT generate_series(0, ${n - 1}) AS i`;
  const chat = `(${first} + i / ${PER_CHAT})`;
  const k = `(i % ${PER_CHAT})`;
  const seconds = `(${NOW_S} - ${chat} * ${SPACING_S} - 6 * 3600 + ${k} * 300 + CASE WHEN ${k} % 4 = 2 THEN (${chat} % 7) * 300 ELSE 0 END)`;
  const time = sqlite
    ? `strftime('%Y-%m-%dT%H:%M:%fZ', ${seconds}, 'unixepoch')`
    : `to_timestamp(${seconds})`;
  const sender = `CASE WHEN ${k} = ${PER_CHAT - 1} AND ${chat} <= 50 THEN 'CUSTOMER'
    WHEN ${k} % 4 < 2 THEN 'CUSTOMER' WHEN ${k} % 4 = 2 THEN 'PARTNER' ELSE 'MARKET' END`;
  await sql.run(
    `INSERT INTO messages (business_id, chat_id, message_id, sender, text, created_at)
     SELECT ${BUSINESS}, ${chat}, ${chat} * 100 + ${k}, ${sender}, 'message text', ${time} FROM (${series}) q`,
  );
  const chats = sqlite
    ? `WITH RECURSIVE s(c) AS (SELECT ${first} UNION ALL SELECT c + 1 FROM s WHERE c < ${last}) SELECT c FROM s`
    : `SELECT generate_series(${first}, ${last}) AS c`;
  const created = sqlite
    ? `strftime('%Y-%m-%dT%H:%M:%fZ', ${NOW_S} - c * ${SPACING_S}, 'unixepoch')`
    : `to_timestamp(${NOW_S} - c * ${SPACING_S})`;
  await sql.run(
    `INSERT INTO chats (business_id, chat_id, type, status, context_type, order_id, created_at, updated_at)
     SELECT ${BUSINESS}, c, 'CHAT', 'WAITING_FOR_CUSTOMER', 'ORDER', 50000000 + c, ${created}, ${created} FROM (${chats}) q`,
  );
}

/** The waits of every stored message, made by the store's back-fill (migration 6). */
async function backfill(sql: Sql): Promise<void> {
  await sql.run('DELETE FROM waits');
  const m6 = MIGRATIONS.find((m) => m.version === 6)!;
  const types = { big: '', ts: '', serial: '' };
  await sql.transaction(async (tx) => {
    for (const statement of m6.statements(types, tx.dialect)) await tx.run(statement);
  });
  if (sql.dialect === 'postgres') await sql.run('ANALYZE');
}

async function timeReport(store: SyncStore): Promise<{ ms: number; answered: number }> {
  const options = {
    from: new Date((NOW_S - 7 * 86_400) * 1000),
    to: new Date(NOW_S * 1000),
    targetMinutes: 15,
    businessId: BUSINESS,
  };
  const first = await report(store, options); // warm
  const times: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const start = process.hrtime.bigint();
    await report(store, options);
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  times.sort((a, b) => a - b);
  return { ms: times[Math.floor(times.length / 2)]!, answered: first.summary.answered };
}

async function count(sql: Sql, table: string): Promise<number> {
  return Number((await sql.all(`SELECT COUNT(*) AS n FROM ${table}`))[0]!.n);
}

async function bench(engine: string): Promise<void> {
  let store: SyncStore;
  let cleanup: () => Promise<void>;
  if (engine === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'ym-bench-report-'));
    store = await openStore(join(dir, 'store.sqlite'));
    cleanup = async () => rmSync(dir, { recursive: true, force: true });
  } else {
    const schema = `bench_report_${randomBytes(4).toString('hex')}`;
    store = await openStore(PG_URL!, { schema });
    cleanup = async () => {
      const client = new pg.Client({ connectionString: PG_URL });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await client.end();
    };
  }
  const sql = store.database();
  try {
    const filled = Date.now();
    await fill(sql, 1, SMALL_CHATS);
    await backfill(sql);
    const small = await timeReport(store);
    const smallCounts = [await count(sql, 'messages'), await count(sql, 'waits')];
    await fill(sql, SMALL_CHATS + 1, LARGE_CHATS);
    await backfill(sql);
    const large = await timeReport(store);
    const largeCounts = [await count(sql, 'messages'), await count(sql, 'waits')];
    console.log(
      `${engine}: 7-day report at ${smallCounts[0]} messages (${smallCounts[1]} waits): ${small.ms.toFixed(2)} ms, ` +
        `${small.answered} answered; at ${largeCounts[0]} messages (${largeCounts[1]} waits): ${large.ms.toFixed(2)} ms, ` +
        `${large.answered} answered; ratio ${(large.ms / small.ms).toFixed(2)}× (goal ≤ 2×; median of ${ROUNDS}; ` +
        `fill and back-fill ${((Date.now() - filled) / 1000).toFixed(0)} s)`,
    );
    if (small.answered !== large.answered) throw new Error('the 7-day window should hold the same waits');
  } finally {
    await store.close();
    await cleanup();
  }
}

for (const engine of ENGINES) {
  if (engine === 'postgres' && PG_URL === undefined) {
    console.log('postgres: skipped (set YM_TEST_POSTGRES_URL or YM_BENCH_POSTGRES_URL)');
    continue;
  }
  await bench(engine);
}
