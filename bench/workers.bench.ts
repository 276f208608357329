/**
 * @ym-chats/workers: businesses synced per minute by 1, 2 and 4 worker processes (`ym-chats sync --watch
 * --registered`, the built CLI) over one PostgreSQL schema, in one run. The emulator runs in its own
 * process with every business registered and a fixed delay on every API call (the platform is a network
 * away; without it the one emulator process, not the workers, is what would be measured). Each round
 * starts from an empty schema with the businesses registered and ends when every business has a finished
 * pass; the clock starts when the workers are spawned, so their start-up is included.
 *
 * Run: `npm run bench -- workers` (needs YM_TEST_POSTGRES_URL; YM_BENCH_WORKERS_BUSINESSES, _CHATS,
 * _MESSAGES and _DELAY_MS set the size; the `--child-emulator` flag is internal). Also printed: how long
 * after a `kill -9` of one of four workers its businesses are held by the others.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AdminClient, createEmulator } from '@ym-chats/emulator';
import { openStore } from '@ym-chats/sync';
import { BusinessRegistry, migrateWorkers } from '@ym-chats/workers';
import pg from 'pg';

const BUSINESSES = Number(process.env.YM_BENCH_WORKERS_BUSINESSES ?? 480);
const CHATS = Number(process.env.YM_BENCH_WORKERS_CHATS ?? 3);
const MESSAGES = Number(process.env.YM_BENCH_WORKERS_MESSAGES ?? 4);
const DELAY_MS = Number(process.env.YM_BENCH_WORKERS_DELAY_MS ?? 100);
const FIRST = 7001;
const LEASE_S = 5;
const PG_URL = process.env.YM_TEST_POSTGRES_URL;
const BIN = fileURLToPath(new URL('../packages/cli/dist/bin.js', import.meta.url));
const KEY = randomBytes(32).toString('base64');
const apiKey = (b: number) => `bench-workers-key-${b}`;
const businesses = Array.from({ length: BUSINESSES }, (_, i) => FIRST + i);

async function childEmulator(): Promise<void> {
  const emulator = createEmulator({
    credentials: businesses.map((b) => ({ apiKey: apiKey(b), businessIds: [b] })),
    quotas: { enabled: false },
  });
  const url = await emulator.listen(0);
  const admin = new AdminClient(url);
  // Small businesses (a few short chats each), so a business's sync is bound by round trips and the
  // platform's 4 requests in flight, not by bulk writes: what spreading businesses over workers is for.
  for (const b of businesses) {
    for (let c = 0; c < CHATS; c++) {
      const { chat } = await admin.createChat(b, { context: { type: 'DIRECT' } });
      for (let m = 0; m < MESSAGES; m++) {
        await admin.postMessage(b, chat.chatId, {
          sender: m % 2 === 0 ? 'CUSTOMER' : 'MARKET',
          message: `m${m}`,
        });
      }
    }
  }
  if (DELAY_MS > 0) await admin.addFaults([{ delayMs: DELAY_MS }]);
  process.stdout.write(`${url}\n`);
}

function startEmulator(): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(import.meta.url), '--child-emulator'],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.stdout!.once('data', (d: Buffer) => resolve({ child, url: d.toString().trim() }));
  });
}

interface Round {
  perMinute: number;
  /** With `kill`: ms from the SIGKILL of one worker until all its businesses were held by others. */
  takeoverMs?: number;
}

async function round(url: string, workers: number, kill = false): Promise<Round> {
  const schema = `bw_${randomBytes(6).toString('hex')}`;
  const store = await openStore(PG_URL!, { schema });
  await migrateWorkers(store.database());
  const registry = new BusinessRegistry(store.database(), Buffer.from(KEY, 'base64'));
  for (const b of businesses)
    await registry.add(BigInt(b), `shop ${b}`, { kind: 'api-key', secret: apiKey(b) });
  const args = ['sync', '--watch', '--registered', '--store', PG_URL!, '--schema', schema];
  args.push('--base-url', url, '--interval', '3600', '--lease', String(LEASE_S), '--json');
  const started = performance.now();
  const children = Array.from({ length: workers }, () =>
    spawn(process.execPath, [BIN, ...args], {
      env: {
        PATH: process.env.PATH ?? '',
        HOME: mkdtempSync(join(tmpdir(), 'ym-bench-home-')),
        YM_CREDENTIALS_KEY: KEY,
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    }),
  );
  const exits = children.map(
    (c) =>
      new Promise<void>((resolve) => {
        let stderr = '';
        c.stderr!.on('data', (d: Buffer) => {
          stderr += d.toString();
        });
        c.once('exit', (code, signal) => {
          if (signal === null && code !== 0)
            console.log(`  a worker exited with ${code}: ${stderr.slice(-500)}`);
          resolve();
        });
      }),
  );
  let elapsed = 0;
  let takeoverMs: number | undefined;
  try {
    if (kill) {
      // Once the four hold their shares, kill one and time until its businesses are held by the others.
      let victim = '';
      for (;;) {
        const rows = await store
          .database()
          .all('SELECT worker_id, COUNT(*) AS n FROM business_leases GROUP BY worker_id');
        if (rows.length === workers) {
          victim = String(rows[0]!.worker_id);
          break;
        }
        await new Promise((r) => setTimeout(r, 50));
      }
      const pid = Number(
        (await store.database().all('SELECT pid FROM worker_nodes WHERE worker_id = ?', [victim]))[0]!.pid,
      );
      const killedAt = performance.now();
      children.find((c) => c.pid === pid)!.kill('SIGKILL');
      for (;;) {
        const rows = await store
          .database()
          .all('SELECT COUNT(*) AS n FROM business_leases WHERE worker_id <> ?', [victim]);
        if (Number(rows[0]!.n) >= BUSINESSES) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      takeoverMs = performance.now() - killedAt;
    }
    for (;;) {
      if ((await store.businessesPassed()) >= BUSINESSES) break;
      if (performance.now() - started > 600_000) throw new Error('round did not finish in 10 minutes');
      await new Promise((r) => setTimeout(r, 100));
    }
    elapsed = performance.now() - started;
  } finally {
    for (const c of children) c.kill('SIGTERM');
    await Promise.all(exits);
    await store.close();
    const client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).finally(() => client.end());
  }
  return { perMinute: BUSINESSES / (elapsed / 60_000), ...(takeoverMs === undefined ? {} : { takeoverMs }) };
}

async function main(): Promise<void> {
  if (PG_URL === undefined) {
    console.log('workers: skipped (YM_TEST_POSTGRES_URL is not set)');
    return;
  }
  const emulator = await startEmulator();
  try {
    console.log(
      `workers: ${BUSINESSES} businesses × ${CHATS} chats × ${MESSAGES} messages, ${DELAY_MS} ms per API call, ` +
        'one PostgreSQL schema per round, up to 8 passes at once per worker',
    );
    const rates = new Map<number, number>();
    for (const n of [1, 2, 4]) rates.set(n, (await round(emulator.url, n)).perMinute);
    const one = rates.get(1)!;
    for (const [n, rate] of rates) {
      console.log(
        `  ${n} worker${n === 1 ? ' ' : 's'}: ${rate.toFixed(0).padStart(6)} businesses/min  (${(rate / one).toFixed(2)} × 1 worker)`,
      );
    }
    const killed = await round(emulator.url, 4, true);
    console.log(
      `  kill -9 of 1 of 4 workers: its businesses held by the others after ${((killed.takeoverMs ?? 0) / 1000).toFixed(1)} s ` +
        `(lease ${LEASE_S} s: renewed every ${(LEASE_S / 3).toFixed(1)} s, expiring ${((LEASE_S * 2) / 3).toFixed(1)} s after); all ${BUSINESSES} synced at ` +
        `${killed.perMinute.toFixed(0)} businesses/min`,
    );
  } finally {
    emulator.child.kill();
  }
}

if (process.argv.includes('--child-emulator')) await childEmulator();
else await main();
