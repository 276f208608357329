/**
 * Load: 20 clients over 5 businesses plus one client with 50 parallel calls, against a child-process
 * emulator with quotas scaled down to bite within the run. Every answer is OK or a documented error, the
 * parallel cap is never exceeded, every 420 is counted, and the emulator's memory stays flat.
 */
import { ChatsApiError } from '@ym-chats/sdk';
import { describe, expect, it } from 'vitest';
import { BUSINESS, startEmulator } from '../src/emulator-env.js';
import { runLoad } from '../src/load-driver.js';
import { ResultSink } from '../src/results.js';

const MB = 2 ** 20;

describe('load on one emulator', () => {
  it('stays correct, within the parallel cap and the hourly quotas, and flat in memory', {
    timeout: 90_000,
  }, async () => {
    const sink = new ResultSink('load');
    const report = await runLoad({
      durationMs: 10_000,
      businesses: 5,
      clientsPerBusiness: 4,
      highConcurrency: 50,
      quotaScale: 0.05,
    });
    sink.add(report.figures);
    sink.note(
      `statuses ${JSON.stringify(report.statuses)}; surfaced ${JSON.stringify(report.errors)}; incorrect ${report.incorrect}`,
    );
    sink.note(
      `emulator RSS after warm-up ${(report.rss.afterWarmUp / MB).toFixed(1)} MB, at the end ${(report.rss.end / MB).toFixed(1)} MB, peak ${(report.rss.peak / MB).toFixed(1)} MB`,
    );
    sink.note(
      `remote 420s: ${report.remote420.parallel} over the parallel cap, ${report.remote420.hourly} over an hourly quota`,
    );
    sink.save();
    expect(report.incorrect).toBe(0);
    expect(report.remote420.parallel).toBe(0);
    // The SDK limiter counts its own requests in flight, so no client goes over an hourly quota either.
    expect(report.remote420.hourly).toBe(0);
    expect(report.figures.quotaExceeded).toBe(report.remote420.parallel + report.remote420.hourly);
    expect(report.minRemaining).toBeGreaterThanOrEqual(0);
    // The quotas really bit: the limiters refused calls locally.
    expect(report.errors['RateLimitError (local)'] ?? 0).toBeGreaterThan(0);
    expect(report.statuses['200'] ?? 0).toBeGreaterThan(500);
    // Flat memory, with a generous margin for GC timing.
    expect(report.rss.end).toBeLessThan(
      Math.max(report.rss.afterWarmUp * 1.5, report.rss.afterWarmUp + 64 * MB),
    );
  });

  // Regression guard (found by this suite): the server's `remaining` does not count the client's other
  // requests in flight; a limiter that stored it as is handed out units it no longer had and got 420s.
  it('one client with 4 calls in flight never goes over an hourly quota', async () => {
    const env = await startEmulator({ quotas: { limits: { getChat: 30 } } });
    try {
      const order = await env.admin.createOrder(BUSINESS);
      const chatId = (await env.admin.createChat(BUSINESS, { context: { type: 'ORDER', id: order.orderId } }))
        .chat.chatId;
      // A little latency so four requests really overlap (faults apply after the quota is spent).
      await env.admin.addFaults([{ operation: 'getChat', delayMs: 15 }]);
      const api = env.client({ rateLimit: { mode: 'reject', limits: { getChat: 30 } }, maxRetries: 0 });
      let remote420 = 0;
      const loop = async () => {
        for (;;) {
          try {
            await api.getChat(BUSINESS, chatId);
          } catch (error) {
            if (!(error instanceof ChatsApiError)) throw error;
            if (error.status === 420) remote420++;
            return; // a local refusal or a 420: this loop is done
          }
        }
      };
      await Promise.all([loop(), loop(), loop(), loop()]);
      expect(remote420).toBe(0);
    } finally {
      await env.close();
    }
  });
});
