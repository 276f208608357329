/**
 * What a cold pass costs the store itself, PostgreSQL first: the pass recorded once from the emulator
 * (1 500 chats), then written again and again with no API — chat pages as the listing gives them, history
 * pages in groups of four (four readers finishing together, the largest group the one-page crash rule
 * allows) — into a fresh schema each round. Every round prints its wall time split between chat pages and
 * history groups, the client's CPU, the CPU of this store's own PostgreSQL backends (found by
 * application_name, so other jobs on the server do not count) and of every PostgreSQL process (the WAL
 * writer and checkpointer included, other jobs' queries too). SQLite's rounds alternate with them, and the
 * ratio of the two engines' medians closes the output (CPU seconds drift by a third on this shared machine
 * from one minute to the next, so compare figures taken in one run).
 *
 * Run: `npm run bench -- pg-writes` with YM_TEST_POSTGRES_URL set (YM_BENCH_PG_ROUNDS: rounds per engine).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// Package names resolve through the root tsconfig's paths (tsx honours them) to the packages' sources.
import { AdminClient, createEmulator } from '@ym-chats/emulator';
import { type Chat, type ChatMessage, ChatsApi } from '@ym-chats/sdk';
import { openStore, type SyncStore } from '@ym-chats/sync';
import pg from 'pg';

const BUSINESS = 1001;
const API_KEY = 'pg-writes-bench-key';
const CHATS = 1500;
const ROUNDS = Number(process.env.YM_BENCH_PG_ROUNDS ?? 5);
const PG_URL = process.env.YM_TEST_POSTGRES_URL;
// node-postgres sends PGAPPNAME as application_name: how this bench finds its own backends.
const APP = `ym_pg_writes_${randomBytes(4).toString('hex')}`;
process.env.PGAPPNAME = APP;

interface Recorded {
  chats: Chat[];
  next: string | null;
  histories: { chatId: bigint; messages: ChatMessage[] }[];
}

async function record(): Promise<{ pages: Recorded[]; messages: number }> {
  const emulator = createEmulator({
    credentials: [{ apiKey: API_KEY, businessIds: [BUSINESS] }],
    quotas: { enabled: false, concurrency: false, scale: 10_000 },
  });
  const url = await emulator.listen(0, '127.0.0.1');
  try {
    await new AdminClient(url).seed({ seed: 7, chats: CHATS, businessId: BUSINESS });
    const api = new ChatsApi({
      apiKey: API_KEY,
      baseUrl: url,
      pathPrefix: '/v2',
      rateLimit: { limits: { getChats: 1e9, getChatHistory: 1e9 } },
    });
    const pages: Recorded[] = [];
    let messages = 0;
    let token: string | undefined;
    do {
      const page = await api.getChats(BUSINESS, {}, token, 20);
      token = page.result.paging?.nextPageToken;
      const histories: Recorded['histories'] = [];
      for (const chat of page.result.chats) {
        let historyToken: string | undefined;
        do {
          const h = await api.getChatHistory(BUSINESS, chat.chatId, {}, historyToken, 100);
          histories.push({ chatId: BigInt(chat.chatId), messages: h.result.messages });
          messages += h.result.messages.length;
          historyToken = h.result.paging?.nextPageToken;
        } while (historyToken !== undefined);
      }
      pages.push({ chats: page.result.chats, next: token ?? null, histories });
    } while (token !== undefined);
    return { pages, messages };
  } finally {
    await emulator.close();
  }
}

/** CPU seconds (user + system) of a process, with its reaped children's when asked; 0 if gone. */
function procCpu(pid: number, children = false): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12]) + (children ? Number(f[13]) + Number(f[14]) : 0)) / 100;
  } catch {
    return 0;
  }
}

/** Every PostgreSQL process on the machine, exited backends included (reaped by the postmaster). */
function allPostgresCpu(): number {
  let total = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (!stat.includes('(postgres)')) continue;
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const isPostmaster = ppid === 1 || !readFileSync(`/proc/${ppid}/stat`, 'utf8').includes('(postgres)');
      total += procCpu(Number(entry), isPostmaster);
    } catch {}
  }
  return total;
}

/** CPU of this bench's live backends, by pid. */
async function ownBackends(admin: pg.Client): Promise<Map<number, number>> {
  const { rows } = await admin.query<{ pid: number }>(
    'SELECT pid FROM pg_stat_activity WHERE application_name = $1',
    [APP],
  );
  return new Map(rows.map((r) => [r.pid, procCpu(r.pid)]));
}

interface Round {
  wall: number;
  chatPages: number;
  groups: number;
  client: number;
  backends: number;
  postgres: number;
}

async function writeAlone(store: SyncStore, pages: Recorded[], expect: number): Promise<Round> {
  const { cursor } = await store.beginPass(BigInt(BUSINESS), 'once', new Date().toISOString());
  let added = 0;
  let chatPages = 0;
  let groups = 0;
  for (const page of pages) {
    let t = performance.now();
    await store.writeChatPageOwing({
      businessId: BigInt(BUSINESS),
      runId: cursor.runId,
      chats: page.chats,
      nextPageToken: page.next,
      settleMs: 0,
    });
    chatPages += performance.now() - t;
    t = performance.now();
    for (let i = 0; i < page.histories.length; i += 4) {
      const now = new Date().toISOString();
      const group = page.histories.slice(i, i + 4).map((h) => ({
        businessId: BigInt(BUSINESS),
        chatId: h.chatId,
        runId: cursor.runId,
        messages: h.messages,
        completedAt: now,
        now,
      }));
      for (const ids of await store.writeHistoryPages(group)) added += ids.length;
    }
    groups += performance.now() - t;
  }
  if (added !== expect) throw new Error(`added ${added} of ${expect} messages`);
  return { wall: 0, chatPages: chatPages / 1000, groups: groups / 1000, client: 0, backends: 0, postgres: 0 };
}

async function roundPostgres(url: string, pages: Recorded[], messages: number): Promise<Round> {
  const schema = `bench_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url, application_name: 'ym_pg_writes_admin' });
  await admin.connect();
  try {
    const store = await openStore(url, { schema });
    try {
      const before = await ownBackends(admin);
      const pgBefore = allPostgresCpu();
      const u0 = process.cpuUsage();
      const t = performance.now();
      const round = await writeAlone(store, pages, messages);
      round.wall = (performance.now() - t) / 1000;
      const u = process.cpuUsage(u0);
      round.client = (u.user + u.system) / 1e6;
      for (const [pid, cpu] of await ownBackends(admin)) round.backends += cpu - (before.get(pid) ?? 0);
      round.postgres = allPostgresCpu() - pgBefore;
      return round;
    } finally {
      await store.close();
    }
  } finally {
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.end();
  }
}

async function roundSqlite(pages: Recorded[], messages: number): Promise<Round> {
  const dir = mkdtempSync(join(tmpdir(), 'ym-bench-pgw-'));
  try {
    const store = await openStore(join(dir, 'store.sqlite'));
    try {
      const u0 = process.cpuUsage();
      const t = performance.now();
      const round = await writeAlone(store, pages, messages);
      round.wall = (performance.now() - t) / 1000;
      const u = process.cpuUsage(u0);
      round.client = (u.user + u.system) / 1e6;
      return round;
    } finally {
      await store.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function report(name: string, rounds: Round[]): void {
  const line = (label: string, r: Round) =>
    `${name} ${label}: wall ${r.wall.toFixed(2)} s (chat pages ${r.chatPages.toFixed(2)}, history groups ${r.groups.toFixed(2)}), ` +
    `cpu client ${r.client.toFixed(2)}` +
    (name === 'postgres'
      ? ` own backends ${r.backends.toFixed(2)} (client + own ${(r.client + r.backends).toFixed(2)}), all postgres ${r.postgres.toFixed(2)}`
      : '');
  for (const [i, r] of rounds.entries()) console.log(line(`round ${i + 1}`, r));
  const keys = ['wall', 'chatPages', 'groups', 'client', 'backends', 'postgres'] as const;
  const med = Object.fromEntries(keys.map((k) => [k, median(rounds.map((r) => r[k]))])) as unknown as Round;
  console.log(line('median', med));
}

const { pages, messages } = await record();
console.log(
  `recorded: ${pages.length} chat pages, ${pages.reduce((n, p) => n + p.histories.length, 0)} history pages, ${messages} messages`,
);
// Rounds alternate between the engines, so a machine that slows down (shared cores) weighs on both alike.
const postgres: Round[] = [];
const sqlite: Round[] = [];
if (PG_URL === undefined) console.log('PostgreSQL skipped: YM_TEST_POSTGRES_URL is not set');
else await roundPostgres(PG_URL, pages, messages); // warm-up: the client's code and the server's caches
await roundSqlite(pages, messages);
for (let i = 0; i < ROUNDS; i++) {
  if (PG_URL !== undefined) postgres.push(await roundPostgres(PG_URL, pages, messages));
  sqlite.push(await roundSqlite(pages, messages));
}
if (postgres.length > 0) report('postgres', postgres);
report('sqlite', sqlite);
if (postgres.length > 0) {
  const pgCpu = median(postgres.map((r) => r.client + r.backends));
  const sqliteCpu = median(sqlite.map((r) => r.client));
  console.log(
    `postgres ÷ sqlite, medians: cpu (client + own backends ÷ client) ${(pgCpu / sqliteCpu).toFixed(2)}, wall ${(median(postgres.map((r) => r.wall)) / median(sqlite.map((r) => r.wall))).toFixed(2)}`,
  );
}
