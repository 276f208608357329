import { RateLimitError, TimeoutError } from '@ym-chats/sdk';
import { describe, expect, it } from 'vitest';
import { BUSINESS, startEmulator } from './emulator.js';

const HOUR_MS = 3_600_000;

describe('the SDK limiter keeps a business under its quota and cap on the real emulator', () => {
  it('learns the quota from headers and refuses locally instead of provoking a 420', async () => {
    const env = await startEmulator(
      { quotas: { limits: { getChat: 5 } } },
      { rateLimit: { mode: 'reject' } },
    );
    try {
      const { chatId } = await env.newChat();
      for (let i = 0; i < 5; i++) await env.api.getChat(BUSINESS, chatId);
      const quota = (await env.api.quotaState(BUSINESS)).find((q) => q.operation === 'getChat')!;
      expect(quota).toMatchObject({ limit: 5, remaining: 0 });
      const error = (await env.api.getChat(BUSINESS, chatId).catch((e: unknown) => e)) as RateLimitError;
      expect(error).toBeInstanceOf(RateLimitError);
      expect(error.local).toBe(true);
      // The emulator never answered 420: the sixth request was not sent.
      const calls = (await env.admin.state()).quotas;
      expect(calls.limits.getChat).toBe(5);
    } finally {
      await env.close();
    }
  });

  it("queue mode does not wait for a reset that comes after the call's deadline", async () => {
    const env = await startEmulator(
      { quotas: { limits: { getChat: 1 } } },
      { rateLimit: { mode: 'queue', maxWaitMs: 7_200_000 } },
    );
    try {
      // Quota windows are aligned to the hour of the emulator's clock: in an hour's last minute the reset
      // falls inside the call's deadline and the call rightly waits for it. One second into an hour, the
      // reset is 59 minutes away whatever the time of the run.
      const { now } = await env.admin.clock({ advanceMs: 0 });
      await env.admin.clock({ advanceMs: HOUR_MS - (now % HOUR_MS) + 1_000 });
      const { chatId } = await env.newChat();
      await env.api.getChat(BUSINESS, chatId);
      // The window resets within the hour, well inside maxWaitMs' reach but not this call's deadline.
      const error = await env.api.getChat(BUSINESS, chatId, { deadlineMs: 60_000 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RateLimitError);
      expect((error as RateLimitError).local).toBe(true);
      expect((error as Error).message).toMatch(/after the call's deadline/);
    } finally {
      await env.close();
    }
  });

  it('a timed-out attempt keeps its slot while the platform may still be working on it', async () => {
    // The emulator, like the platform, counts a request whose client hung up until it is handled.
    const env = await startEmulator(
      { seed: 3, countAbandonedInFlight: true },
      { maxRetries: 0, timeoutMs: 200 },
    );
    try {
      // A first answer places the window (until then it is a probe: one request at a time).
      await env.api.getChats(BUSINESS);
      await env.admin.addFaults([{ operation: 'getChats', delayMs: 2_000 }]);
      const timedOut = await Promise.all(
        Array.from({ length: 4 }, () => env.api.getChats(BUSINESS).catch((e: unknown) => e)),
      );
      for (const error of timedOut) expect(error).toBeInstanceOf(TimeoutError);
      // Freeing those slots now would send a fifth request while four are in flight: a 420.
      const fifth = await env.api
        .getChats(BUSINESS, {}, undefined, undefined, { deadlineMs: 600 })
        .catch((e: unknown) => e);
      expect(fifth).not.toBeInstanceOf(RateLimitError);
      expect(fifth).toBeInstanceOf(TimeoutError);
      expect((fifth as Error).message).toMatch(/nothing was sent/);
    } finally {
      await env.close();
    }
  });

  it('many parallel calls never trip the 4-request cap', async () => {
    const env = await startEmulator({ seed: 3 }, { maxRetries: 0 });
    try {
      // Slow every getChats a little so requests overlap; without the limiter the fifth would get 420.
      await env.admin.addFaults([{ operation: 'getChats', delayMs: 30 }]);
      const pages = await Promise.all(
        Array.from({ length: 16 }, () => env.api.getChats(BUSINESS, {}, undefined, 5)),
      );
      expect(pages.every((p) => p.status === 'OK')).toBe(true);
    } finally {
      await env.close();
    }
  });
});
