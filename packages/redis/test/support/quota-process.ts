/**
 * One process of the multi-process tests and the quota-share bench: its own ChatsApi over a
 * RedisQuotaStore, `workers` callers looping over the businesses with getChats until `durationMs` after
 * "go" (a line on stdin). Prints "ready" once connected and one JSON line of counts at the end.
 * Configuration: the QUOTA_PROCESS environment variable (JSON, `ProcessConfig`).
 */
import { createInterface } from 'node:readline';
import { connectRedisQuotaStore } from '@ym-chats/redis';
import { ChatsApi, RateLimitError } from '@ym-chats/sdk';

export interface ProcessConfig {
  api: string;
  apiKey: string;
  redis: string;
  prefix: string;
  businesses: number[];
  workers: number;
  durationMs: number;
  /** `rateLimit.leaseMs`: at least what the SDK requires for `timeoutMs` (see its `minLeaseMs`). */
  leaseMs: number;
  /** The client's attempt timeout; default the SDK's. */
  timeoutMs?: number;
  /** Ask the emulator to hold every request this long (a process that keeps its slots busy). */
  holdMs?: number;
  maxWaitMs: number;
  /** The hourly getChats quota the emulator was given (clients are told the platform's quotas). */
  limit: number;
  /** Calls to make before "ready" on a business of this process's own, so the run measures warm code. */
  warmup?: { business: number; calls: number };
}

export interface ProcessResult {
  ok: number;
  /** Refused by the SDK before sending (a window used up for longer than maxWaitMs). */
  refusedLocally: number;
  /** 420s from the emulator (must stay 0). */
  serverRateLimit: number;
  /** Calls cut short at the end of the run. */
  stopped: number;
  errors: Record<string, number>;
}

/** Set by the "go" line. */
let offsetMs = 0;
const config = JSON.parse(process.env.QUOTA_PROCESS ?? '{}') as ProcessConfig;
const store = await connectRedisQuotaStore(config.redis, { prefix: config.prefix });
const api = new ChatsApi({
  baseUrl: config.api,
  apiKey: config.apiKey,
  maxRetries: 0,
  deadlineMs: 60_000,
  ...(config.timeoutMs === undefined ? {} : { timeoutMs: config.timeoutMs }),
  rateLimit: {
    store,
    leaseMs: config.leaseMs,
    maxWaitMs: config.maxWaitMs,
    limits: { getChats: config.limit },
    now: () => Date.now() + offsetMs,
  },
});
const headers = config.holdMs ? { 'X-Emulator-Fault': `delay=${config.holdMs}` } : undefined;
const result: ProcessResult = { ok: 0, refusedLocally: 0, serverRateLimit: 0, stopped: 0, errors: {} };

// The SDK moves to undici after its first calls; loading it now keeps that one-off cost out of the run.
await import('undici');
if (config.warmup) {
  const { business, calls } = config.warmup;
  const noDelay = { headers: { 'X-Emulator-Fault': 'delay=0' } };
  for (let i = 0; i < calls; i += 4) {
    await Promise.all(Array.from({ length: 4 }, () => api.getChats(business, {}, undefined, 1, noDelay)));
  }
}
process.stdout.write('ready\n');
await new Promise<void>((resolve) => {
  createInterface({ input: process.stdin }).once('line', (line) => {
    offsetMs = (JSON.parse(line) as { offsetMs: number }).offsetMs;
    resolve();
  });
});
const stop = new AbortController();
const timer = setTimeout(() => stop.abort(), config.durationMs);
let next = 0;
await Promise.all(
  Array.from({ length: config.workers }, async () => {
    while (!stop.signal.aborted) {
      const business = config.businesses[next++ % config.businesses.length] as number;
      try {
        await api.getChats(business, {}, undefined, 1, { signal: stop.signal, headers });
        result.ok += 1;
      } catch (error) {
        if (stop.signal.aborted) result.stopped += 1;
        else if (error instanceof RateLimitError && error.local) {
          result.refusedLocally += 1;
          await new Promise((resolve) => setTimeout(resolve, 50));
        } else if (error instanceof RateLimitError) {
          result.serverRateLimit += 1;
          if (process.env.QUOTA_DEBUG)
            process.stderr.write(`420 b=${business} now=${Date.now() + offsetMs} ${error.message}\n`);
        } else {
          const name = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
          result.errors[name] = (result.errors[name] ?? 0) + 1;
        }
      }
    }
  }),
);
clearTimeout(timer);
process.stdout.write(`${JSON.stringify(result)}\n`);
await store.close();
process.exit(0);
