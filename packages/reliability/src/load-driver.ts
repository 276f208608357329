/**
 * Load: many SDK clients on one child-process emulator for a bounded time, with quotas scaled down so they
 * bite within the run. Counts every answer by status, every error by kind, samples the emulator's memory,
 * and counts 420s the emulator sent (each one means a client went over a quota or the parallel cap).
 */
import { AdminClient, DEFAULT_LIMITS } from '@ym-chats/emulator';
import { ChatsApi, ChatsApiError, MemoryQuotaStore, type OperationId, RateLimitError } from '@ym-chats/sdk';
import { type ChildEmulator, memoryOf, spawnEmulator } from './child-emulator.js';
import { CountingLogger } from './counting-logger.js';
import { emptyFigures, type Figures } from './figures.js';

export interface LoadOptions {
  durationMs: number;
  /** Businesses shared by the small clients; each gets `clientsPerBusiness` clients. */
  businesses: number;
  clientsPerBusiness: number;
  /** Parallel calls of the one extra client that has a business to itself. */
  highConcurrency: number;
  quotaScale: number;
}

export interface LoadReport {
  figures: Figures;
  /** Answers by HTTP status as the clients saw them. */
  statuses: Record<string, number>;
  /** Errors that reached the callers, by class (local = refused by the SDK limiter, nothing sent). */
  errors: Record<string, number>;
  /** 420s the emulator sent, split: over the parallel cap, over an hourly quota. */
  remote420: { parallel: number; hourly: number };
  /** Answers that were neither OK nor a documented error. */
  incorrect: number;
  /** Lowest `remaining` and highest `limit - remaining` overshoot the limiters ever recorded. */
  minRemaining: number;
  rss: { afterWarmUp: number; end: number; peak: number };
}

const FIRST_BUSINESS = 2001;
const KEY = 'load-test-key';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function scaled(scale: number): Record<OperationId, number> {
  const out = {} as Record<OperationId, number>;
  for (const [op, n] of Object.entries(DEFAULT_LIMITS))
    out[op as OperationId] = Math.max(1, Math.round(n * scale));
  return out;
}

export async function runLoad(options: LoadOptions): Promise<LoadReport> {
  const child: ChildEmulator = await spawnEmulator(['--quota-scale', String(options.quotaScale)]);
  try {
    return await drive(child, options);
  } finally {
    await child.stop('SIGKILL');
  }
}

async function drive(child: ChildEmulator, options: LoadOptions): Promise<LoadReport> {
  const admin = new AdminClient(child.url);
  const businessIds = Array.from({ length: options.businesses + 1 }, (_, i) => FIRST_BUSINESS + i);
  await admin.addCredential({ apiKey: KEY, businessIds });
  const chatsOf = new Map<number, number[]>();
  const ordersOf = new Map<number, number[]>();
  for (const b of businessIds) {
    await admin.seed({ seed: b, businessId: b, chats: 12 });
    const orders: number[] = [];
    const chats: number[] = [];
    for (let i = 0; i < 3; i++) {
      const order = await admin.createOrder(b);
      orders.push(order.orderId);
      chats.push((await admin.createChat(b, { context: { type: 'ORDER', id: order.orderId } })).chat.chatId);
    }
    ordersOf.set(b, orders);
    chatsOf.set(b, chats);
  }

  const limits = scaled(options.quotaScale);
  const figures = emptyFigures();
  const statuses: Record<string, number> = {};
  const errors: Record<string, number> = {};
  let incorrect = 0;
  const remote420 = { parallel: 0, hourly: 0 };
  let minRemaining = Number.POSITIVE_INFINITY;
  const loggers: CountingLogger[] = [];
  const clients: { api: ChatsApi; business: number; parallel: number }[] = [];
  // One quota store shared by the clients of all businesses (keys carry the business), as processes would
  // share one through Redis; each small client takes 1 of the business's 4 parallel slots.
  const shared = new MemoryQuotaStore();
  const makeClient = (business: number, maxConcurrent: number, parallel: number) => {
    const logger = new StatusLogger(statuses);
    loggers.push(logger);
    clients.push({
      business,
      parallel,
      api: new ChatsApi({
        baseUrl: child.url,
        apiKey: KEY,
        pathPrefix: '/v2',
        logger,
        logLevel: 'debug',
        maxRetries: 2,
        retry: { baseDelayMs: 5, maxDelayMs: 50, maxRateLimitWaitMs: 100 },
        rateLimit: { mode: 'reject', limits, maxConcurrent, store: shared },
      }),
    });
  };
  for (const b of businessIds.slice(0, -1)) {
    for (let i = 0; i < options.clientsPerBusiness; i++)
      makeClient(b, Math.max(1, Math.floor(4 / options.clientsPerBusiness)), 2);
  }
  makeClient(businessIds.at(-1)!, 4, options.highConcurrency);

  const deadline = Date.now() + options.durationMs;
  const warmUpAt = Date.now() + options.durationMs / 4;
  let afterWarmUp = 0;
  let peak = 0;
  const sampler = setInterval(() => {
    const m = memoryOf(child.pid);
    peak = Math.max(peak, m.hwmBytes);
    if (afterWarmUp === 0 && Date.now() >= warmUpAt) afterWarmUp = m.rssBytes;
  }, 200);

  let seq = 0;
  const worker = async (c: (typeof clients)[number]) => {
    const chats = chatsOf.get(c.business)!;
    const orders = ordersOf.get(c.business)!;
    while (Date.now() < deadline) {
      const n = seq++;
      const chatId = chats[n % chats.length]!;
      try {
        switch (n % 6) {
          case 0: {
            const page = await c.api.getChats(c.business, {}, undefined, 20);
            if (page.status !== 'OK' || !Array.isArray(page.result.chats)) incorrect++;
            break;
          }
          case 1:
          case 2: {
            const page = await c.api.getChatHistory(c.business, chatId, {}, undefined, 20);
            if (page.status !== 'OK' || !Array.isArray(page.result.messages)) incorrect++;
            break;
          }
          case 3:
            await c.api.sendMessageToChat(c.business, chatId, { message: `load-${n}` });
            figures.sent++;
            break;
          case 4: {
            const chat = await c.api.getChat(c.business, chatId);
            if (chat.result.chatId !== chatId) incorrect++;
            break;
          }
          default: {
            const created = await c.api.createChat(c.business, {
              context: { type: 'ORDER', id: orders[n % orders.length]! },
            });
            if (!chats.includes(created.result.chatId)) incorrect++;
          }
        }
      } catch (error) {
        if (!(error instanceof ChatsApiError)) throw error;
        const kind =
          error instanceof RateLimitError && error.local
            ? 'RateLimitError (local)'
            : error.status === 420
              ? `420 ${/parallel/.test(error.message) ? 'parallel cap' : `quota ${error.operation}`} (${c.parallel > 2 ? 'high-concurrency client' : 'shared-business clients'})`
              : `${error.name} ${error.status ?? ''}`.trim();
        errors[kind] = (errors[kind] ?? 0) + 1;
        figures.errorsSurfaced++;
        if (error.status === 420) remote420[/parallel/.test(error.message) ? 'parallel' : 'hourly']++;
        // A spent quota refuses at once; pause so the loop does not spin on local refusals.
        await sleep(error instanceof RateLimitError && error.local ? 50 : 1);
      }
    }
  };
  const quotaWatch = setInterval(() => {
    for (const c of clients) {
      void c.api.quotaState(c.business).then((qs) => {
        for (const q of qs) minRemaining = Math.min(minRemaining, q.remaining);
      });
    }
  }, 250);
  await Promise.all(clients.flatMap((c) => Array.from({ length: c.parallel }, () => worker(c))));
  clearInterval(sampler);
  clearInterval(quotaWatch);
  const end = memoryOf(child.pid);
  peak = Math.max(peak, end.hwmBytes);

  for (const logger of loggers) {
    figures.calls += logger.calls;
    figures.retries += logger.retries;
  }
  figures.quotaExceeded = statuses['420'] ?? 0;
  incorrect += Object.entries(statuses)
    .filter(([s]) => s !== '200' && s !== '420')
    .reduce((sum, [, n]) => sum + n, 0);
  figures.peakRssBytes = peak;
  return {
    figures,
    statuses,
    errors,
    incorrect,
    remote420,
    minRemaining,
    rss: { afterWarmUp: afterWarmUp || end.rssBytes, end: end.rssBytes, peak },
  };
}

/** Counts attempts and retries like CountingLogger, plus every answer's HTTP status. */
class StatusLogger extends CountingLogger {
  constructor(private readonly statuses: Record<string, number>) {
    super(false);
  }
  override debug(message: string, data?: Record<string, unknown>): void {
    super.debug(message, data);
    if (message.includes(' ← ') && data?.status !== undefined) {
      const key = String(data.status);
      this.statuses[key] = (this.statuses[key] ?? 0) + 1;
    }
  }
}
