/**
 * Four processes sharing one business's quota through Redis (@ym-chats/redis), against the emulator
 * with every getChats held for a fixed service time. The business's bound is the platform's cap of 4
 * requests in flight: its best rate is 4 ÷ the time one request takes, measured in the same run by
 * one raw client keeping exactly 4 requests in flight (no SDK, no limiter). Goal: the 4 processes reach
 * at least 0.95 of that rate, with 0 420s (counted by the emulator). A second run gives the business an
 * hourly quota smaller than the run could use and shows how much of it the processes spend: all of it,
 * nothing over.
 *
 * Run: `node --import tsx bench/quota-share.bench.ts` (starts its own redis-server on a free port).
 */
import { request } from 'undici';
import { AdminClient, createEmulator } from '../packages/emulator/dist/index.js';
import { spawnAll, startOwnRedis } from '../packages/redis/test/support/processes.js';
import type { ProcessConfig, ProcessResult } from '../packages/redis/test/support/quota-process.js';

const API_KEY = 'quota-share-bench-key';
const BUSINESS = 7001;
const SERVICE_MS = 100;
const RUN_MS = 6_000;
const PROCESSES = 4;
const WORKERS = 4;
const GOAL = 0.95;
const HOURLY = 150;
/** Each process first warms up on a business of its own (counted apart from the measured one). */
const WARMUP_BUSINESS = 7100;

const redis = await startOwnRedis();
const emulator = createEmulator({
  credentials: [
    {
      apiKey: API_KEY,
      businessIds: [BUSINESS, ...Array.from({ length: PROCESSES }, (_, i) => WARMUP_BUSINESS + i)],
    },
  ],
  quotas: { limits: { getChats: 1_000_000 } },
});
const url = await emulator.listen(0, '127.0.0.1');
const admin = new AdminClient(url);
await admin.addFaults([{ operation: 'getChats', delayMs: SERVICE_MS }]);
const counters = async () =>
  (await admin.state()).quotas.counters[String(BUSINESS)] ?? { served: 0, parallel: 0, hourly: 0 };

/** One raw client, exactly 4 requests in flight for RUN_MS: the cap-bound rate. */
async function rawRate(): Promise<number> {
  await admin.quotas({ reset: true });
  const end = performance.now() + RUN_MS;
  let done = 0;
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (performance.now() < end) {
        const res = await request(`${url}/v2/businesses/${BUSINESS}/chats?limit=1`, {
          method: 'POST',
          headers: { 'api-key': API_KEY, 'content-type': 'application/json' },
          body: '{}',
        });
        await res.body.text();
        if (res.statusCode !== 200) throw new Error(`raw client got ${res.statusCode}`);
        if (performance.now() <= end) done += 1;
      }
    }),
  );
  return done / (RUN_MS / 1000);
}

async function shared(limit: number, prefix: string) {
  await admin.quotas({ reset: true, limits: { getChats: limit } });
  const config: ProcessConfig = {
    api: url,
    apiKey: API_KEY,
    redis: redis.url,
    prefix,
    businesses: [BUSINESS],
    workers: WORKERS,
    durationMs: RUN_MS,
    leaseMs: 20_000,
    maxWaitMs: 1_000,
    limit,
  };
  const processes = await spawnAll(
    Array.from({ length: PROCESSES }, (_, i) => ({
      ...config,
      warmup: { business: WARMUP_BUSINESS + i, calls: 120 },
    })),
  );
  const offset = (await admin.state()).clock.offsetMs;
  for (const p of processes) p.go(offset);
  const results = (await Promise.all(processes.map((p) => p.result))) as ProcessResult[];
  const ok = results.reduce((n, r) => n + r.ok, 0);
  const errors = results.reduce((n, r) => n + r.serverRateLimit + Object.keys(r.errors).length, 0);
  return { ok, errors, rate: ok / (RUN_MS / 1000), counters: await counters() };
}

try {
  const raw = await rawRate();
  const run = await shared(1_000_000, 'bench-a:');
  const quota = await shared(HOURLY, 'bench-b:');
  const ratio = run.rate / raw;
  console.log(
    `one business, getChats held ${SERVICE_MS} ms, ${RUN_MS / 1000} s runs; ${PROCESSES} processes × ${WORKERS} callers over one Redis`,
  );
  console.table([
    {
      client: 'raw undici, exactly 4 in flight (the cap-bound rate)',
      'calls/s': raw.toFixed(1),
      ratio: '1.00',
      '420s (emulator)': 0,
    },
    {
      client: `${PROCESSES} processes, SDK + RedisQuotaStore`,
      'calls/s': run.rate.toFixed(1),
      ratio: ratio.toFixed(3),
      '420s (emulator)': run.counters.parallel + run.counters.hourly,
    },
  ]);
  console.log(
    `hourly quota ${HOURLY}: the ${PROCESSES} processes were served ${quota.counters.served} (` +
      `${quota.counters.parallel} parallel 420s, ${quota.counters.hourly} hourly 420s, ${quota.errors} errors in the processes)`,
  );
  const met = ratio >= GOAL && run.counters.parallel + run.counters.hourly === 0 && run.errors === 0;
  console.log(
    `quota share: ${PROCESSES} processes reach ${ratio.toFixed(3)}× the cap-bound rate with ` +
      `${run.counters.parallel + run.counters.hourly} 420s (goal ≥ ${GOAL} with 0) — ${met ? 'met' : 'NOT met'}`,
  );
} finally {
  await emulator.close();
  await redis.close();
}
