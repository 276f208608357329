/**
 * When a business's next pass runs, and how long a failure waits — the decisions every runner of a
 * business makes (`serve`, `sync --watch`, each worker's businesses), as data plus pure functions, so the
 * three front ends cannot drift apart again.
 *
 * The quota rule: a pass or push round that failed because the business's hourly window is used up waits
 * for the window's end (the 420's `Until`, or the limiter's own record of it) and resumes then — not after a
 * few seconds (every attempt before the reset is refused) and not at the next period (minutes of work lost
 * after the reset). A 420 for the 4-request cap also carries the window's figures, with quota left: that
 * is congestion, retried after `retryMs`, never a wait for the end of the hour.
 */
import { RateLimitError } from '@ym-chats/sdk';

export interface RunPolicy {
  /** How the passes are recorded (`sync_runs.trigger`). */
  trigger: 'watch' | 'reconcile';
  /** From the end of one pass to the start of the next (the first runs on start); 0 or less: no passes. */
  periodMs: number;
  /** After a pass failed for any reason but the quota (the API or the database away). */
  retryMs: number;
  /** After a push-queue round failed for any reason but the quota. */
  pushRetryMs: number;
  /** A failed pass, a 420 aside (always waited out): try again after `retryMs`, or stop with the error. */
  onFailure: 'retry' | 'stop';
  /** Stop after this many passes (`sync --watch --max-passes`); unbounded when absent. */
  maxPasses?: number;
}

/** A failed pass is retried after a minute: soon, without spending the listing quota on an API that is down. */
export const DEFAULT_PASS_RETRY_MS = 60_000;
/** The push processor's own retry (its reads are owed to buyers who are waiting). */
export const DEFAULT_PUSH_RETRY_MS = 5_000;
/**
 * The longest wait a repeated failure grows to: an API or database away for hours is asked about four times
 * an hour, not sixty, and a runner comes back within a quarter of an hour once it returns.
 */
export const MAX_RETRY_MS = 15 * 60_000;
/** Past the window's end, so the next attempt lands in the new window and not at its edge. */
const QUOTA_SLACK_MS = 50;
/** A reset already past by this clock (the platform's runs behind it) is tried again after a second. */
const QUOTA_MIN_WAIT_MS = 1_000;

/**
 * `quota`: the hourly window is used up, wait for its end; `busy`: the 4-request cap (other clients of the
 * business), retried soon; `retry`: anything else (the API or the database away).
 */
export type FailureWait =
  | { why: 'quota'; ms: number; resumeAt: Date }
  | { why: 'busy' | 'retry'; ms: number };

export type RunStep =
  | { kind: 'pass'; inMs: number; why: 'start' | 'period' }
  | { kind: 'pass'; inMs: number; why: 'after-failure'; failure: FailureWait }
  | { kind: 'stop'; why: 'no-passes' | 'done' }
  | { kind: 'stop'; why: 'failed'; error: unknown };

export type RunOutcome =
  | { kind: 'started' }
  | { kind: 'passed'; passes: number }
  /** `failures`: how many passes in a row have failed, this one included (1 when absent). */
  | { kind: 'failed'; error: unknown; failures?: number };

/** The end of the hourly window, when `error` says the business's quota for the call is used up. */
export function quotaResetAt(error: unknown): number | undefined {
  if (!(error instanceof RateLimitError) || error.resetAt === undefined) return undefined;
  // The limiter's own refusal always means a used-up window; the platform's 420 only with nothing left.
  if (!error.local && error.remaining !== 0) return undefined;
  return error.resetAt.getTime();
}

/**
 * How long to wait after a failure, by the platform's clock `now` (the one the client's limiter uses). The
 * `failures`-th failure in a row waits `retryMs` doubled for each before it, up to `MAX_RETRY_MS` (never below
 * `retryMs`); a used-up quota always waits exactly for its window's end.
 */
export function failureWait(error: unknown, retryMs: number, now: number, failures = 1): FailureWait {
  const resetAt = quotaResetAt(error);
  if (resetAt === undefined) {
    const grown = retryMs * 2 ** Math.min(Math.max(failures, 1) - 1, 20);
    const ms = Math.max(retryMs, Math.min(grown, MAX_RETRY_MS));
    return { why: error instanceof RateLimitError ? 'busy' : 'retry', ms };
  }
  // Not floored by `retryMs`: a pass retried after a minute still resumes the moment the window resets.
  const ms = Math.max(QUOTA_MIN_WAIT_MS, resetAt - now + QUOTA_SLACK_MS);
  return { why: 'quota', ms, resumeAt: new Date(now + ms) };
}

/** What the runner does next after `outcome`. */
export function nextStep(policy: RunPolicy, outcome: RunOutcome, now: number): RunStep {
  if (policy.periodMs <= 0) return { kind: 'stop', why: 'no-passes' };
  switch (outcome.kind) {
    case 'started':
      return { kind: 'pass', inMs: 0, why: 'start' };
    case 'passed':
      if (policy.maxPasses !== undefined && outcome.passes >= policy.maxPasses)
        return { kind: 'stop', why: 'done' };
      return { kind: 'pass', inMs: policy.periodMs, why: 'period' };
    case 'failed': {
      const failure = failureWait(outcome.error, policy.retryMs, now, outcome.failures);
      // The platform asking to wait is no fault of the runner's: even one that stops on failures waits.
      if (failure.why === 'retry' && policy.onFailure === 'stop')
        return { kind: 'stop', why: 'failed', error: outcome.error };
      return { kind: 'pass', inMs: failure.ms, why: 'after-failure', failure };
    }
  }
}
