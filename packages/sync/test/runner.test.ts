/**
 * The one business runner against the real emulator: a used-up quota is waited out to the window's reset
 * (for a reconciling pass and for the push queue alike), other failures are retried after `retryMs` (doubled
 * for each failure in a row), the
 * 4-request cap is not mistaken for the quota, and a stop hands the business over with every queued push
 * still acted on by the next holder.
 *
 * The quota cases put the emulator's clock five seconds before the end of an hour (its windows are the
 * platform's, aligned to the hour) and give the client and the runner that same clock, so the reset comes
 * within the test; nothing here measures how long anything took.
 */
import { ChatsApi, type ClientOptions, RateLimitError } from '@ym-chats/sdk';
import {
  BusinessRunner,
  type FailureWait,
  NotificationHandler,
  type PassResult,
  type RunningReceiver,
  SyncEngine,
  startReceiver,
} from '@ym-chats/sync';
import {
  API_KEY,
  BUSINESS,
  countingApi,
  describeEngines,
  emulatorState,
  messagesPerChat,
  mirrorState,
  type OpenedStore,
  startEmulator,
  type TestEmulator,
} from '@ym-chats/testkit';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { messageSentPush } from './support/pushes.js';

vi.setConfig({ testTimeout: 60_000 });

const HOUR = 3_600_000;

interface Failure {
  error: unknown;
  where: string;
  wait: FailureWait;
}

/** The platform's clock: the emulator's, moved to just before an hour's end, shared by client and runner. */
async function nearHourEnd(emu: TestEmulator, msBefore: number): Promise<() => number> {
  const end = Math.ceil((Date.now() + HOUR) / HOUR) * HOUR;
  const { offsetMs } = await emu.admin.clock({ setMs: end - msBefore });
  return () => Date.now() + offsetMs;
}

/** How `ym-chats` builds its client: a used-up quota is reported at once, never slept through. */
function refusingApi(emu: TestEmulator, now: () => number, extra: Partial<ClientOptions> = {}) {
  return countingApi(emu.url, {
    retry: { maxRateLimitWaitMs: 0 },
    rateLimit: { mode: 'reject', now },
    ...extra,
  });
}

/** Another client of the business spends what is left of a window. */
async function spend(emu: TestEmulator, call: (api: ChatsApi) => Promise<unknown>): Promise<void> {
  await call(new ChatsApi({ apiKey: API_KEY, baseUrl: emu.url, pathPrefix: '/v2' }));
}

async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what} never happened`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describeEngines(
  'business runner',
  (engine) => {
    let emu: TestEmulator;
    let opened: OpenedStore;
    let receiver: RunningReceiver | undefined;
    const runners: BusinessRunner[] = [];
    beforeEach(async () => {
      emu = await startEmulator();
      await emu.admin.seed({ seed: 7, chats: 12, businessId: BUSINESS });
      opened = await engine.open();
    });
    afterEach(async () => {
      await receiver?.close();
      receiver = undefined;
      for (const runner of runners.splice(0)) await runner.stop();
      await opened.dispose();
      await emu.close();
    });

    it("startReceiver: a pass refused for the quota runs again at the window's reset, not the next period", async () => {
      const now = await nearHourEnd(emu, 5_000);
      await emu.admin.quotas({ limits: { getChats: 1 } });
      await spend(emu, (api) => api.getChats(BUSINESS));
      const { api, counts } = refusingApi(emu, now);
      const failures: Failure[] = [];
      let passed!: (result: PassResult) => void;
      const pass = new Promise<PassResult>((resolve) => {
        passed = resolve;
      });
      receiver = await startReceiver({
        api,
        store: opened.store,
        businessId: BUSINESS,
        // An hour to the next period: only the quota's reset can bring the pass back within the test.
        reconcileMinutes: 60,
        now,
        onPass: passed,
        onError: (error, where, wait) => failures.push({ error, where, wait }),
      });
      const result = await pass;
      expect(failures).toHaveLength(1);
      expect(failures[0]!.error).toBeInstanceOf(RateLimitError);
      expect(failures[0]).toMatchObject({ where: 'reconcile', wait: { why: 'quota' } });
      expect(result.chatsSeen).toBe(12);
      expect(await mirrorState(opened.store)).toEqual(emulatorState(emu));
      // The 420, then the listing once the window reset: nothing sent while waiting.
      expect(counts.getChats).toBe(2);
    });

    /**
     * A receiver whose first `faults` listings fail with a 500 (the client does not retry them itself), its
     * passes retried after 100 ms: the pass that finally succeeded and the failures before it.
     */
    async function passAfterFaults(faults: number): Promise<{ result: PassResult; failures: Failure[] }> {
      await emu.admin.addFaults([{ operation: 'getChats', status: 500, count: faults }]);
      const { api } = countingApi(emu.url, { maxRetries: 0 });
      const failures: Failure[] = [];
      let passed!: (result: PassResult) => void;
      const pass = new Promise<PassResult>((resolve) => {
        passed = resolve;
      });
      receiver = await startReceiver({
        api,
        store: opened.store,
        businessId: BUSINESS,
        reconcileMinutes: 60,
        retryMs: 100,
        onPass: passed,
        onError: (error, where, wait) => failures.push({ error, where, wait }),
      });
      return { result: await pass, failures };
    }

    it('startReceiver: a failed pass is tried again after retryMs, not left to the next period', async () => {
      const { result, failures } = await passAfterFaults(1);
      expect(result.chatsSeen).toBe(12);
      expect(failures).toHaveLength(1);
      expect(failures[0]).toMatchObject({ where: 'reconcile', wait: { why: 'retry', ms: 100 } });
    });

    it('each failed pass in a row waits twice as long as the one before', async () => {
      const { result, failures } = await passAfterFaults(3);
      expect(result.chatsSeen).toBe(12);
      expect(failures.map((f) => f.wait)).toEqual([
        { why: 'retry', ms: 100 },
        { why: 'retry', ms: 200 },
        { why: 'retry', ms: 400 },
      ]);
    });

    it('the push queue waits out the quota too: a push meanwhile is queued, not refused again', async () => {
      await new SyncEngine({
        api: countingApi(emu.url).api,
        store: opened.store,
        businessId: BUSINESS,
      }).pass();
      const now = await nearHourEnd(emu, 5_000);
      const chatId = [...messagesPerChat(emu).keys()][0]!;
      const first = await emu.admin.postMessage(BUSINESS, chatId, { sender: 'CUSTOMER', message: 'one' });
      await emu.admin.quotas({ limits: { getChatHistory: 1 } });
      await spend(emu, (api) => api.getChatHistory(BUSINESS, chatId));
      const { api } = refusingApi(emu, now);
      const failures: Failure[] = [];
      receiver = await startReceiver({
        api,
        store: opened.store,
        businessId: BUSINESS,
        reconcileMinutes: 0,
        now,
        onError: (error, where, wait) => failures.push({ error, where, wait }),
      });
      const deliver = (body: string) =>
        fetch(receiver!.endpoint, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      expect((await deliver(messageSentPush(chatId, first))).status).toBe(200);
      await until(async () => failures.length > 0, 'the refused history read');
      const second = await emu.admin.postMessage(BUSINESS, chatId, { sender: 'CUSTOMER', message: 'two' });
      expect((await deliver(messageSentPush(chatId, second))).status).toBe(200);
      await until(
        async () => (await opened.store.hasMessages(BigInt(BUSINESS), [BigInt(second.messageId)])) === true,
        'the pushed messages reaching the store',
      );
      await receiver.processor.idle();
      expect(failures).toHaveLength(1);
      expect(failures[0]).toMatchObject({ where: 'process', wait: { why: 'quota' } });
      expect(await opened.store.unprocessed()).toEqual([]);
    });

    it("a 420 for the 4-request cap is retried soon, never held to the hour's end", async () => {
      // One request in flight per business, and another client holding it for a few seconds.
      await emu.admin.quotas({ concurrency: 1 });
      await emu.admin.addFaults([{ operation: 'getChat', delayMs: 3_000, count: 1 }]);
      const chatId = [...messagesPerChat(emu).keys()][0]!;
      const holding = new ChatsApi({ apiKey: API_KEY, baseUrl: emu.url, pathPrefix: '/v2' }).getChat(
        BUSINESS,
        chatId,
      );
      await until(async () => {
        const { inFlight } = (await emu.admin.state()).quotas as { inFlight: Record<string, number> };
        return inFlight[String(BUSINESS)] === 1;
      }, 'the slot taken');
      const { api } = countingApi(emu.url, { maxRetries: 0 });
      const failures: Failure[] = [];
      let passed!: (result: PassResult) => void;
      const pass = new Promise<PassResult>((resolve) => {
        passed = resolve;
      });
      const runner = new BusinessRunner({
        api,
        store: opened.store,
        businessId: BUSINESS,
        policy: { trigger: 'watch', periodMs: HOUR, retryMs: 100 },
        onPass: passed,
        onError: (error, where, wait) => failures.push({ error, where, wait }),
      });
      runners.push(runner);
      void runner.start();
      const result = await pass;
      await holding;
      expect(failures.length).toBeGreaterThan(0);
      expect(failures[0]!.error).toBeInstanceOf(RateLimitError);
      expect(failures[0]).toMatchObject({ where: 'pass', wait: { why: 'busy', ms: 100 } });
      expect(result.chatsSeen).toBe(12);
    });

    it('a stop hands the business over: whatever the queue still holds, the next holder acts on', async () => {
      const { api } = countingApi(emu.url);
      await new SyncEngine({ api, store: opened.store, businessId: BUSINESS }).pass();
      const position = await opened.store.lastPosition();
      const handler = new NotificationHandler({ store: opened.store, businessId: BigInt(BUSINESS) });
      let sent = 0;
      for (const chatId of messagesPerChat(emu).keys()) {
        for (let i = 0; i < 3; i++) {
          const m = await emu.admin.postMessage(BUSINESS, chatId, { sender: 'CUSTOMER', message: `m${i}` });
          expect((await handler.handle(messageSentPush(chatId, m))).status).toBe(200);
          sent += 1;
        }
      }
      const holder = () =>
        new BusinessRunner({ api, store: opened.store, businessId: BUSINESS, policy: { periodMs: 0 } });
      const first = holder();
      void first.start();
      await first.stop();
      const second = holder();
      runners.push(second);
      void second.start();
      await until(async () => (await opened.store.unprocessed()).length === 0, 'the queue emptying');
      await second.processor.idle();
      expect((await mirrorState(opened.store)).messages).toEqual(emulatorState(emu).messages);
      // Each new message published once, whichever holder stored it.
      expect(await opened.store.eventsAfter(position, 1000)).toHaveLength(sent);
      expect(await opened.store.integrityProblems()).toEqual([]);
    });
  },
  'sqlite',
);
