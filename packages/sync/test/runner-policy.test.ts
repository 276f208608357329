/** The runner's decisions, pure: when the next pass runs and how long a failure waits. */
import { ConnectionError, RateLimitError } from '@ym-chats/sdk';
import { failureWait, MAX_RETRY_MS, nextStep, type RunPolicy } from '@ym-chats/sync';
import { describe, expect, it } from 'vitest';

const NOW = Date.parse('2026-11-25T10:59:55Z');
const RESET = new Date('2026-11-25T11:00:00Z');
const policy: RunPolicy = {
  trigger: 'watch',
  periodMs: 60_000,
  retryMs: 2_000,
  pushRetryMs: 5_000,
  onFailure: 'retry',
};
const usedUp = new RateLimitError('quota', { resetAt: RESET, limit: 5000, remaining: 0 });
const refusedHere = new RateLimitError('quota', { resetAt: RESET, limit: 5000, remaining: 0, local: true });
const fifthRequest = new RateLimitError('cap', { resetAt: RESET, limit: 5000, remaining: 4200 });
const down = new ConnectionError('refused');

describe('nextStep', () => {
  it('passes on start, then every period, and stops after maxPasses', () => {
    expect(nextStep(policy, { kind: 'started' }, NOW)).toEqual({ kind: 'pass', inMs: 0, why: 'start' });
    expect(nextStep(policy, { kind: 'passed', passes: 1 }, NOW)).toEqual({
      kind: 'pass',
      inMs: 60_000,
      why: 'period',
    });
    expect(nextStep({ ...policy, maxPasses: 2 }, { kind: 'passed', passes: 2 }, NOW)).toEqual({
      kind: 'stop',
      why: 'done',
    });
  });

  it('runs no passes with no period (serve --reconcile 0)', () => {
    expect(nextStep({ ...policy, periodMs: 0 }, { kind: 'started' }, NOW)).toEqual({
      kind: 'stop',
      why: 'no-passes',
    });
  });

  it("waits a used-up quota out to the window's end, even in a runner that stops on failures", () => {
    for (const p of [policy, { ...policy, onFailure: 'stop' as const }]) {
      for (const error of [usedUp, refusedHere]) {
        expect(nextStep(p, { kind: 'failed', error }, NOW)).toMatchObject({
          kind: 'pass',
          inMs: 5_050,
          why: 'after-failure',
          failure: { why: 'quota', resumeAt: new Date(NOW + 5_050) },
        });
      }
    }
  });

  it('retries other failures after retryMs, or stops with them', () => {
    expect(nextStep(policy, { kind: 'failed', error: down }, NOW)).toMatchObject({
      kind: 'pass',
      inMs: 2_000,
      failure: { why: 'retry' },
    });
    expect(nextStep({ ...policy, onFailure: 'stop' }, { kind: 'failed', error: down }, NOW)).toEqual({
      kind: 'stop',
      why: 'failed',
      error: down,
    });
  });
});

describe('failureWait', () => {
  it('doubles the wait for each failure in a row, up to a quarter of an hour; a quota wait does not grow', () => {
    const waits = [1, 2, 3, 4, 5, 6, 50].map((n) => failureWait(down, 60_000, NOW, n).ms);
    expect(waits).toEqual([60_000, 120_000, 240_000, 480_000, MAX_RETRY_MS, MAX_RETRY_MS, MAX_RETRY_MS]);
    // A retry longer than the ceiling is kept as configured, not shortened.
    expect(failureWait(down, 3_600_000, NOW, 3).ms).toBe(3_600_000);
    expect(failureWait(usedUp, 60_000, NOW, 9).ms).toBe(5_050);
    expect(nextStep(policy, { kind: 'failed', error: down, failures: 3 }, NOW)).toMatchObject({
      inMs: 8_000,
      failure: { why: 'retry', ms: 8_000 },
    });
  });

  it('treats a 420 with quota left as the 4-request cap: retried soon, not at the hour', () => {
    expect(failureWait(fifthRequest, 2_000, NOW)).toEqual({ why: 'busy', ms: 2_000 });
  });

  it('is not floored by retryMs, and tries a reset already past again after a second', () => {
    expect(failureWait(usedUp, 60_000, NOW).ms).toBe(5_050);
    expect(failureWait(usedUp, 60_000, RESET.getTime() + 3_000).ms).toBe(1_000);
  });
});
