/**
 * @ym-chats/sync against the built emulator (a child process, quotas off) seeded with thousands of chats:
 *  1. calls per pass ÷ the minimum for a cold pass, an unchanged pass and a pass after K new messages
 *     (minimum: chat pages + per chat max(1, ceil(messages/100)); chat pages; chat pages +
 *     ceil((K+1)/100) per changed chat) — goal 1.00 each; and the same passes reading the orders and
 *     returns behind the chats: chat calls unchanged, order calls ceil(changed orders / 50) getBusinessOrders
 *     + one getReturn per changed return;
 *  2. cold-sync messages/s beside a bare page reader making the same calls with no store, run side by side
 *     in alternating rounds (best of three each, every round printed) — goal ≥ 0.7 of it;
 *  3. the store alone: the same cold pass, recorded once, written with no API (groups of four history
 *     pages, as four readers at best) — its CPU beside the bare reader's gives the ratio's upper bound
 *     when every core is busy, and the store CPU the 0.7 goal would allow;
 * for SQLite and, when YM_TEST_POSTGRES_URL is set, PostgreSQL (in a throwaway schema). Each round
 * also prints the CPU seconds the client (this process, all its threads), the emulator and PostgreSQL
 * (every PostgreSQL process, other jobs' included) spent, to show which one bounds the rate.
 *
 * Run: `npm run bench -- sync` (YM_BENCH_SYNC_CHATS sets the size; the `--child-emulator` flag is internal).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
// Package names resolve through the root tsconfig's paths (tsx honours them) to the packages' sources.
import { AdminClient, createEmulator } from '@ym-chats/emulator';
import { type Chat, type ChatMessage, ChatsApi, type ClientOptions } from '@ym-chats/sdk';
import { openStore, SyncEngine, type SyncStore } from '@ym-chats/sync';
import pg from 'pg';

const API_KEY = 'emulator-api-key';
const BUSINESS = 1001;
const CHATS = Number(process.env.YM_BENCH_SYNC_CHATS ?? 1500);
// Best of three alternating rounds: on a shared machine the least disturbed round of each is compared.
const ROUNDS = 3;
const PG_URL = process.env.YM_TEST_POSTGRES_URL;

function startEmulator(): Promise<{ child: ChildProcess; url: string }> {
  const script = fileURLToPath(import.meta.url);
  const child = spawn(process.execPath, ['--import', 'tsx', script, '--child-emulator'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.stdout!.once('data', (d: Buffer) => resolve({ child, url: d.toString().trim() }));
  });
}

/** CPU seconds (user + system) of a process from /proc, with its reaped children's when asked; 0 if unreadable. */
function procCpu(pid: number, children = false): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields 14-17 of stat (utime, stime, cutime, cstime), counted from the state field (3) here.
    const ticks = Number(f[11]) + Number(f[12]) + (children ? Number(f[13]) + Number(f[14]) : 0);
    return ticks / 100;
  } catch {
    return 0;
  }
}

/**
 * CPU seconds of every PostgreSQL process on this machine, with the backends already gone (the postmaster
 * reaps them): other jobs' queries count too, so this is a diagnostic, not a measurement of ours alone.
 */
function postgresCpu(): number {
  let total = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (!stat.includes('(postgres)')) continue;
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      total += procCpu(
        Number(entry),
        ppid === 1 || !readFileSync(`/proc/${ppid}/stat`, 'utf8').includes('(postgres)'),
      );
    } catch {}
  }
  return total;
}

/** CPU seconds of this process, the emulator and PostgreSQL since `start()`. */
function cpuMeter(emulatorPid: number) {
  const read = () => {
    const u = process.cpuUsage();
    return { client: (u.user + u.system) / 1e6, emulator: procCpu(emulatorPid), postgres: postgresCpu() };
  };
  const start = read();
  return () => {
    const end = read();
    return {
      client: end.client - start.client,
      emulator: end.emulator - start.emulator,
      postgres: end.postgres - start.postgres,
    };
  };
}

type Cpu = ReturnType<ReturnType<typeof cpuMeter>>;
const cpuText = (c: Cpu, wall: number) =>
  `wall ${wall.toFixed(2)} s, cpu client ${c.client.toFixed(2)} emulator ${c.emulator.toFixed(2)} postgres ${c.postgres.toFixed(2)}`;

interface Counts {
  getChats: number;
  getChatHistory: number;
  getBusinessOrders?: number;
  getReturn?: number;
}

function client(url: string, counts?: Counts): ChatsApi {
  const options: ClientOptions = {
    apiKey: API_KEY,
    baseUrl: url,
    pathPrefix: '/v2',
    // The emulator's quotas are off; the client's own hourly budget must not be what is measured.
    rateLimit: { limits: { getChats: 1e9, getChatHistory: 1e9 } },
  };
  if (counts) {
    options.fetch = (target, init) => {
      const path = new URL(target).pathname;
      if (path.endsWith('/chats/history')) counts.getChatHistory += 1;
      else if (path.endsWith('/chats')) counts.getChats += 1;
      else if (path.endsWith('/orders')) counts.getBusinessOrders = (counts.getBusinessOrders ?? 0) + 1;
      else if (/\/returns\/\d+$/.test(path)) counts.getReturn = (counts.getReturn ?? 0) + 1;
      return fetch(target, init);
    };
  }
  return new ChatsApi(options);
}

interface Engine {
  name: string;
  open(): Promise<{ store: SyncStore; dispose(): Promise<void> }>;
}

const engines: Engine[] = [
  {
    name: 'sqlite',
    async open() {
      const dir = mkdtempSync(join(tmpdir(), 'ym-bench-sync-'));
      const store = await openStore(join(dir, 'store.sqlite'));
      return {
        store,
        async dispose() {
          await store.close().catch(() => undefined); // the rate rounds close it first
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  },
];
if (PG_URL !== undefined) {
  engines.push({
    name: 'postgres',
    async open() {
      const schema = `bench_${randomBytes(5).toString('hex')}`;
      const store = await openStore(PG_URL, { schema });
      return {
        store,
        async dispose() {
          await store.close().catch(() => undefined); // the rate rounds close it first
          const c = new pg.Client({ connectionString: PG_URL });
          await c.connect();
          await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
          await c.end();
        },
      };
    },
  });
}

/** The same calls as a cold pass (a chat page, then its chats' histories, four at a time), no store. */
async function barePass(api: ChatsApi): Promise<number> {
  let messages = 0;
  let token: string | undefined;
  do {
    const page = await api.getChats(BUSINESS, {}, token, 20);
    const chats = page.result.chats;
    let next = 0;
    const worker = async () => {
      while (next < chats.length) {
        const chat = chats[next++]!;
        let historyToken: string | undefined;
        do {
          const h = await api.getChatHistory(BUSINESS, chat.chatId, {}, historyToken, 100);
          messages += h.result.messages.length;
          historyToken = h.result.paging?.nextPageToken;
        } while (historyToken !== undefined);
      }
    };
    await Promise.all(Array.from({ length: 4 }, worker));
    token = page.result.paging?.nextPageToken;
  } while (token !== undefined);
  return messages;
}

/** What a cold pass reads, kept to write again without the API: chat pages, each with its chats' histories. */
interface Recorded {
  chats: Chat[];
  next: string | null;
  histories: { chatId: bigint; messages: ChatMessage[] }[];
}

async function record(api: ChatsApi): Promise<Recorded[]> {
  const out: Recorded[] = [];
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
        historyToken = h.result.paging?.nextPageToken;
      } while (historyToken !== undefined);
    }
    out.push({ chats: page.result.chats, next: token ?? null, histories });
  } while (token !== undefined);
  return out;
}

/**
 * The store's whole share of a cold pass with no API: the same chat pages and history pages written in
 * groups of four (one per reader, the largest group the one-page crash rule allows). Returns messages added.
 */
async function writeAlone(store: SyncStore, pages: Recorded[]): Promise<number> {
  const { cursor } = await store.beginPass(BigInt(BUSINESS), 'once', new Date().toISOString());
  let added = 0;
  for (const page of pages) {
    await store.writeChatPageOwing({
      businessId: BigInt(BUSINESS),
      runId: cursor.runId,
      chats: page.chats,
      nextPageToken: page.next,
      settleMs: 0,
    });
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
  }
  return added;
}

async function main(): Promise<void> {
  const { child, url } = await startEmulator();
  try {
    const admin = new AdminClient(url);
    await admin.seed({ seed: 7, chats: CHATS, businessId: BUSINESS });
    const state = await admin.state(true);
    const perChat = new Map<number, number>();
    for (const c of state.data!.chats as { chat_id: number }[]) perChat.set(c.chat_id, 0);
    for (const m of state.data!.messages as { chat_id: number }[])
      perChat.set(m.chat_id, (perChat.get(m.chat_id) ?? 0) + 1);
    const totalMessages = [...perChat.values()].reduce((a, b) => a + b, 0);
    // Seeded times run from 2025 forward, years past today for thousands of chats. The engine's clock is
    // set to that seeded present, as a real platform's data is never ahead of a synchronized clock.
    const latest = Math.max(...(state.data!.chats as { updated_at: number }[]).map((c) => c.updated_at));
    const offset = Math.max(0, latest + 86_400_000 - Date.now());
    const now = () => Date.now() + offset;
    console.log(
      `emulator: ${perChat.size} chats, ${totalMessages} messages${PG_URL ? '' : ' (PostgreSQL skipped: YM_TEST_POSTGRES_URL not set)'}`,
    );

    const rows: string[][] = [['store', 'pass', 'calls', 'minimum', 'calls ÷ minimum']];
    const orderRows: string[][] = [
      [
        'store',
        'pass',
        'chat calls',
        'minimum',
        'order calls (orders + returns)',
        'at most (⌈orders/50⌉ + returns)',
      ],
    ];
    const contextChats = (
      state.data!.chats as { chat_id: number; order_id: number | null; return_id: number | null }[]
    ).filter((c) => c.order_id !== null);
    const rates: string[][] = [
      ['store', 'bare reader msg/s', 'sync msg/s', 'ratio (goal ≥ 0.7)', 'each round (msg/s)'],
    ];
    const cpuLines: string[] = [];
    // With every core busy (the bare reader alone keeps client and emulator near two), a pass's time is its
    // CPU: the sync's ratio is at most bare CPU ÷ (bare CPU + the store's own CPU), whatever the overlap.
    const bounds: string[][] = [
      ['store', 'bare reader cpu s', 'store alone cpu s', 'ratio bound', 'store cpu the goal allows'],
    ];
    // One recorded cold pass, written by the "store alone" rounds without the API.
    const recorded = await record(client(url));
    const chatPages = () => Math.max(1, Math.ceil(perChat.size / 20));
    for (const engine of engines) {
      // 1. Calls per pass.
      const opened = await engine.open();
      const counts: Counts = { getChats: 0, getChatHistory: 0 };
      const sync = new SyncEngine({
        api: client(url, counts),
        store: opened.store,
        businessId: BUSINESS,
        now,
      });
      const take = () => {
        const n = counts.getChats + counts.getChatHistory;
        counts.getChats = 0;
        counts.getChatHistory = 0;
        return n;
      };
      const row = (pass: string, calls: number, minimum: number) =>
        rows.push([engine.name, pass, String(calls), String(minimum), (calls / minimum).toFixed(2)]);
      await sync.pass();
      let cold = chatPages();
      for (const n of perChat.values()) cold += Math.max(1, Math.ceil(n / 100));
      row('cold', take(), cold);
      await sync.pass();
      row('unchanged', take(), chatPages());
      const [a, b] = [...perChat.keys()].slice(5, 7) as [number, number];
      const K = [250, 7];
      for (let i = 0; i < K[0]!; i++)
        await admin.postMessage(BUSINESS, a, { sender: 'CUSTOMER', message: `k ${i}` });
      for (let i = 0; i < K[1]!; i++)
        await admin.postMessage(BUSINESS, b, { sender: 'PARTNER', message: `k ${i}` });
      perChat.set(a, perChat.get(a)! + K[0]!);
      perChat.set(b, perChat.get(b)! + K[1]!);
      await sync.pass();
      row(
        `after K=${K[0]}+${K[1]}`,
        take(),
        chatPages() + Math.ceil((K[0]! + 1) / 100) + Math.ceil((K[1]! + 1) / 100),
      );
      await opened.dispose();

      // 1b. The same kinds of pass reading the orders behind the chats (window 0: a changed order is due at once).
      const withOrders = await engine.open();
      const oc: Counts = { getChats: 0, getChatHistory: 0, getBusinessOrders: 0, getReturn: 0 };
      const osync = new SyncEngine({
        api: client(url, oc),
        store: withOrders.store,
        businessId: BUSINESS,
        now,
        orders: { refreshMs: 0 },
      });
      const orderRow = (pass: string, chatMinimum: number, chats: typeof contextChats) => {
        const orders = new Set(chats.map((c) => c.order_id)).size;
        const returns = chats.filter((c) => c.return_id !== null).length;
        orderRows.push([
          engine.name,
          pass,
          String(oc.getChats + oc.getChatHistory),
          String(chatMinimum),
          `${oc.getBusinessOrders} + ${oc.getReturn}`,
          `${Math.ceil(orders / 50)} + ${returns}`,
        ]);
        Object.assign(oc, { getChats: 0, getChatHistory: 0, getBusinessOrders: 0, getReturn: 0 });
      };
      let coldNow = chatPages();
      for (const n of perChat.values()) coldNow += Math.max(1, Math.ceil(n / 100));
      await osync.pass();
      orderRow('cold', coldNow, contextChats);
      await osync.pass();
      orderRow('unchanged', chatPages(), []);
      const touched = [
        ...contextChats.filter((c) => c.return_id === null).slice(0, 3),
        ...contextChats.filter((c) => c.return_id !== null).slice(0, 2),
      ];
      for (const c of touched) {
        await admin.postMessage(BUSINESS, c.chat_id, { sender: 'CUSTOMER', message: 'где заказ?' });
        perChat.set(c.chat_id, perChat.get(c.chat_id)! + 1);
      }
      await osync.pass();
      orderRow(`${touched.length} order chats changed`, chatPages() + touched.length, touched);
      await withOrders.dispose();

      // 2. Cold-sync rate beside the bare reader, alternating.
      const bareRates: number[] = [];
      const syncRates: number[] = [];
      const bareCpus: number[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        // The meters read /proc before the clock starts and after it stops: never inside a timed pass.
        let cpu = cpuMeter(child.pid!);
        let t = performance.now();
        const read = await barePass(client(url));
        let wall = (performance.now() - t) / 1000;
        bareRates.push(read / wall);
        const bareUsed = cpu();
        bareCpus.push(bareUsed.client + bareUsed.emulator);
        cpuLines.push(`${engine.name} round ${round + 1} bare: ${cpuText(bareUsed, wall)}`);
        const fresh = await engine.open();
        cpu = cpuMeter(child.pid!);
        t = performance.now();
        const result = await new SyncEngine({
          api: client(url),
          store: fresh.store,
          businessId: BUSINESS,
        }).pass();
        wall = (performance.now() - t) / 1000;
        // PostgreSQL's backends are counted once they exit (closing the store ends the pool).
        await fresh.store.close();
        await new Promise((r) => setTimeout(r, 50));
        syncRates.push(result.messagesAdded / wall);
        cpuLines.push(`${engine.name} round ${round + 1} sync: ${cpuText(cpu(), wall)}`);
        await fresh.dispose();
      }
      // 3. The store alone: the recorded pass written with no API, to set its CPU beside the bare reader's.
      const aloneCpu: Cpu[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        const fresh = await engine.open();
        const cpu = cpuMeter(child.pid!);
        const t = performance.now();
        const added = await writeAlone(fresh.store, recorded);
        const wall = (performance.now() - t) / 1000;
        await fresh.store.close();
        await new Promise((r) => setTimeout(r, 50));
        if (added !== totalMessages)
          throw new Error(`store alone added ${added} of ${totalMessages} messages`);
        const used = cpu();
        aloneCpu.push(used);
        cpuLines.push(`${engine.name} round ${round + 1} store alone: ${cpuText(used, wall)}`);
        await fresh.dispose();
      }
      const storeCpu = Math.min(...aloneCpu.map((c) => c.client + c.postgres));
      const bareCpu = Math.min(...bareCpus);
      const bareBest = Math.max(...bareRates);
      const syncBest = Math.max(...syncRates);
      const all = (r: number[]) => r.map((x) => x.toFixed(0)).join(' / ');
      rates.push([
        engine.name,
        bareBest.toFixed(0),
        syncBest.toFixed(0),
        (syncBest / bareBest).toFixed(2),
        `bare ${all(bareRates)}; sync ${all(syncRates)}`,
      ]);
      bounds.push([
        engine.name,
        bareCpu.toFixed(2),
        storeCpu.toFixed(2),
        (bareCpu / (bareCpu + storeCpu)).toFixed(2),
        (bareCpu * (1 / 0.7 - 1)).toFixed(2),
      ]);
    }
    print(rows);
    console.log('');
    print(orderRows);
    console.log('');
    print(rates);
    console.log('');
    print(bounds);
    console.log('');
    for (const line of cpuLines) console.log(line);
  } finally {
    child.kill('SIGTERM');
  }
}

function print(table: string[][]): void {
  const widths = table[0]!.map((_, i) => Math.max(...table.map((r) => r[i]!.length)));
  for (const r of table) console.log(r.map((c, i) => c.padEnd(widths[i]!)).join('  '));
}

if (process.argv.includes('--child-emulator')) {
  const emulator = createEmulator({ quotas: { enabled: false, concurrency: false, scale: 10_000 } });
  const url = await emulator.listen(0, '127.0.0.1');
  process.stdout.write(`${url}\n`);
  process.on('SIGTERM', () => {
    void emulator.close().then(() => process.exit(0));
  });
} else {
  await main();
}
