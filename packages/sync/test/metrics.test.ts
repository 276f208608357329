/**
 * `SyncMetrics` over a real store and a runner against the real emulator, read the way Prometheus reads it:
 * through `startMetricsServer` over HTTP, parsed as text exposition (`metrics-text.ts`, independent of
 * prom-client). The waiting-chat and push-queue gauges follow the store (a buyer's message moves the first
 * after the next pass; a queued push is the second until acted on), passes land in the histogram, the quota
 * gauge shows what the client's limiter knows, and a 420 from the emulator's quota moves the 420 counter.
 * The gauges' clock is fixed, so the waits are checked exactly, without timing anything.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { RateLimitError } from '@ym-chats/sdk';
import {
  METRICS,
  type MetricsServer,
  NotificationHandler,
  openStore,
  type PassResult,
  type RunningReceiver,
  SyncMetrics,
  startMetricsServer,
  startReceiver,
} from '@ym-chats/sync';
import {
  BUSINESS,
  countingApi,
  describeEngines,
  type OpenedStore,
  parseExposition,
  sampleOf,
  startEmulator,
  type TestEmulator,
} from '@ym-chats/testkit';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { messageSentPush } from './support/pushes.js';

vi.setConfig({ testTimeout: 60_000 });

const NOW = Date.parse('2030-01-01T00:00:00Z');
const business = String(BUSINESS);

async function scrape(server: MetricsServer) {
  const res = await fetch(server.url);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return parseExposition(await res.text());
}

async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what} never happened`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Resolves the next time the receiver's `onPass` is called. */
function passes() {
  let waiting: ((r: PassResult) => void) | undefined;
  return {
    onPass: (result: PassResult) => waiting?.(result),
    next: () => new Promise<PassResult>((resolve) => (waiting = resolve)),
  };
}

describeEngines('metrics', (engine) => {
  let emu: TestEmulator;
  let opened: OpenedStore;
  let receiver: RunningReceiver | undefined;
  let server: MetricsServer | undefined;
  beforeEach(async () => {
    emu = await startEmulator();
    await emu.admin.seed({ seed: 7, chats: 12, businessId: BUSINESS });
    opened = await engine.open();
  });
  afterEach(async () => {
    await server?.close();
    server = undefined;
    await receiver?.close();
    receiver = undefined;
    await opened.dispose();
    await emu.close();
  });

  it('waiting chats, the oldest wait, the push queue, passes and quota, as Prometheus text', async () => {
    const metrics = new SyncMetrics({
      store: opened.store,
      businesses: () => [BigInt(BUSINESS)],
      now: () => NOW,
    });
    server = await startMetricsServer({ metrics, port: 0 });
    // Every family of the table is declared with its type and help, before any business runs.
    const empty = await scrape(server);
    for (const def of Object.values(METRICS)) {
      expect(empty.types.get(def.name), def.name).toBe(def.type);
      expect(empty.help.get(def.name), def.name).toBe(def.help);
    }
    expect(sampleOf(empty, METRICS.waitingChats.name, { business })).toBe(0);
    expect(sampleOf(empty, METRICS.oldestWait.name, { business })).toBe(0);

    // A push received while nobody acts on it: one in the queue, as old as its arrival.
    const chatId = Number(
      (
        emu.emulator.store.db
          .prepare(
            "SELECT chat_id FROM chats WHERE business_id = ? AND type = 'CHAT' AND status = 'WAITING_FOR_CUSTOMER' ORDER BY chat_id LIMIT 1",
          )
          .get(BUSINESS) as { chat_id: number }
      ).chat_id,
    );
    const handler = new NotificationHandler({ store: opened.store, businessId: BigInt(BUSINESS) });
    const sentAt = new Date(NOW - 60_000).toISOString();
    expect((await handler.handle(messageSentPush(chatId, { messageId: 1, createdAt: sentAt }))).status).toBe(
      200,
    );
    const queued = await scrape(server);
    expect(sampleOf(queued, METRICS.pushQueueDepth.name, { business })).toBe(1);
    const [receivedAt] = (await opened.store.reads.backlog([BigInt(BUSINESS)])).map((b) => b.oldestPushAt);
    expect(sampleOf(queued, METRICS.pushQueueLag.name, { business })).toBe(
      (NOW - Date.parse(receivedAt!)) / 1000,
    );

    const { api } = countingApi(emu.url);
    const pass = passes();
    const first = pass.next();
    receiver = await startReceiver({
      api,
      store: opened.store,
      businessId: BUSINESS,
      reconcileMinutes: 60,
      onPass: pass.onPass,
      observer: metrics.observer,
    });
    await first;
    await until(
      async () => sampleOf(await scrape(server!), METRICS.pushQueueDepth.name, { business }) === 0,
      'the queued push acted on',
    );

    const synced = await scrape(server);
    const waitingBefore = sampleOf(synced, METRICS.waitingChats.name, { business })!;
    const queue = await opened.store.reads.queue({ businessIds: [BUSINESS], filter: {}, limit: 100 });
    const waiting = queue.filter((c) => c.waitingSince !== undefined);
    expect(waitingBefore).toBe(waiting.length);
    expect(waitingBefore).toBeGreaterThan(0);
    // The queue's first chat waits longest.
    expect(sampleOf(synced, METRICS.oldestWait.name, { business })).toBe(
      (NOW - Date.parse(waiting[0]!.waitingSince!)) / 1000,
    );
    expect(sampleOf(synced, METRICS.pushQueueLag.name, { business })).toBe(0);
    expect(sampleOf(synced, `${METRICS.passDuration.name}_count`, { business, outcome: 'passed' })).toBe(1);
    // The quota as the client's limiter heard it from the emulator's headers, method by method.
    const quota = await api.quotaState(BUSINESS);
    const getChats = quota.find((q) => q.operation === 'getChats')!;
    expect(getChats.remaining).toBeLessThan(getChats.limit);
    for (const q of quota)
      expect(
        sampleOf(synced, METRICS.quotaRemaining.name, { business, method: q.operation }),
        q.operation,
      ).toBe(q.remaining);

    // The buyer writes in a chat that waited for them: after the next pass it waits for the seller.
    await emu.admin.postMessage(BUSINESS, chatId, { sender: 'CUSTOMER', message: 'Где мой заказ?' });
    await receiver.reconcile();
    const after = await scrape(server);
    expect(sampleOf(after, METRICS.waitingChats.name, { business })).toBe(waitingBefore + 1);
    expect(sampleOf(after, `${METRICS.passDuration.name}_count`, { business, outcome: 'passed' })).toBe(2);
    expect(sampleOf(after, METRICS.rateLimited.name, { business, where: 'pass', by: 'platform' })).toBe(0);
  });

  it('a 420 from the quota moves the 420 counter and the failed passes', async () => {
    // Five minutes into the hour after this one: the window (and so the wait for its reset) cannot end
    // while the test runs, whatever the minute it starts at.
    await emu.admin.clock({ setMs: Math.floor(Date.now() / 3_600_000) * 3_600_000 + 3_900_000 });
    await emu.admin.quotas({ limits: { getChats: 1 } });
    // Another client of the business spends the window.
    await countingApi(emu.url).api.getChats(BUSINESS);
    const metrics = new SyncMetrics({ store: opened.store, businesses: () => [BigInt(BUSINESS)] });
    server = await startMetricsServer({ metrics, port: 0 });
    // How `ym-chats` builds its client: a used-up quota is reported at once, never slept through.
    const { api } = countingApi(emu.url, { retry: { maxRateLimitWaitMs: 0 }, rateLimit: { mode: 'reject' } });
    const failures: unknown[] = [];
    receiver = await startReceiver({
      api,
      store: opened.store,
      businessId: BUSINESS,
      reconcileMinutes: 60,
      observer: metrics.observer,
      onError: (error) => failures.push(error),
    });
    await until(async () => failures.length > 0, 'the refused pass');
    expect(failures[0]).toBeInstanceOf(RateLimitError);
    const seen = await scrape(server);
    expect(sampleOf(seen, METRICS.rateLimited.name, { business, where: 'pass', by: 'platform' })).toBe(1);
    expect(sampleOf(seen, METRICS.rateLimited.name, { business, where: 'push', by: 'platform' })).toBe(0);
    expect(sampleOf(seen, `${METRICS.passDuration.name}_count`, { business, outcome: 'failed' })).toBe(1);
    expect(sampleOf(seen, METRICS.quotaRemaining.name, { business, method: 'getChats' })).toBe(0);
    const { counters } = (await emu.admin.state()).quotas;
    expect(counters[business]?.hourly).toBe(1);
  });
});

it("every metric of the table is in the README's list, with its type", () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  for (const def of Object.values(METRICS))
    expect(readme, def.name).toMatch(new RegExp(`\\| \`${def.name}\` +\\| ${def.type} +\\|`));
});

it('two metrics in one process keep their own registries; the port answers /metrics only, on loopback', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ym-metrics-'));
  const store = await openStore(join(dir, 'store.sqlite'));
  const a = new SyncMetrics({ store, businesses: () => [1n] });
  const b = new SyncMetrics({ store, businesses: () => [2n] });
  a.sendOutcome(1, 'sent');
  const server = await startMetricsServer({ metrics: a, port: 0 });
  try {
    expect(
      sampleOf(parseExposition(await a.exposition()), METRICS.sendOutcomes.name, { outcome: 'sent' }),
    ).toBe(1);
    expect(
      sampleOf(parseExposition(await b.exposition()), METRICS.sendOutcomes.name, { outcome: 'sent' }),
    ).toBe(undefined);
    const origin = new URL(server.url).origin;
    expect(new URL(server.url).hostname).toBe('127.0.0.1');
    expect((await fetch(`${origin}/`)).status).toBe(404);
    expect((await fetch(server.url, { method: 'POST' })).status).toBe(405);
    // Not reachable through the machine's other addresses.
    const port = Number(new URL(server.url).port);
    const outside = Object.values(networkInterfaces())
      .flat()
      .find((i) => i !== undefined && !i.internal && i.family === 'IPv4');
    expect(outside, 'a non-loopback IPv4 address to try').toBeDefined();
    const refused = await new Promise<string>((resolve) => {
      const req = request({ host: outside!.address, port, path: '/metrics', timeout: 5000 }, () =>
        resolve('answered'),
      );
      req.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.end();
    });
    expect(refused).toBe('ECONNREFUSED');
  } finally {
    await server.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
