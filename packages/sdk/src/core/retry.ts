import type { RetryClass } from '../operations.js';
import {
  type ChatsApiError,
  ConnectionError,
  InternalServerError,
  RateLimitError,
  TimeoutError,
} from './errors.js';

export interface RetryOptions {
  /** First backoff step; later steps double it, with full jitter. */
  baseDelayMs?: number;
  /** Ceiling of one backoff step. */
  maxDelayMs?: number;
  /**
   * Longest the SDK sleeps for a 420's quota reset or a server's `Retry-After`. A longer wait is not
   * slept through silently: the error surfaces (a RateLimitError with `resetAt`).
   */
  maxRateLimitWaitMs?: number;
  /**
   * With `verifiedResend`, how long after an ambiguous send to wait before reading the history: the
   * platform's own request timeout (10 000 ms), after which the first request can no longer land.
   */
  verifySettleMs?: number;
}

export interface RetryDecision {
  retry: boolean;
  delayMs: number;
}

const NO = { retry: false, delayMs: 0 } as const;

/**
 * Whether a failed attempt may be repeated, and after how long.
 *
 * Reads and createChat (which answers with the existing chat) repeat on 420, 5xx, timeouts and dropped
 * connections. Sends repeat only when the platform provably did not act on the request: a 420, or a
 * connection that was never opened (`notSent`). A 5xx, a timeout or a dropped connection after a send
 * leaves the buyer possibly messaged, so the error surfaces instead.
 */
export function decideRetry(input: {
  retryClass: RetryClass;
  error: ChatsApiError;
  notSent: boolean;
  attempt: number;
  maxRetries: number;
  /** Wait the server asked for (Retry-After or the quota reset), if any. */
  serverWaitMs: number | undefined;
  options: RetryOptions;
  random?: () => number;
}): RetryDecision {
  const { error, attempt, options } = input;
  if (attempt > input.maxRetries) return NO;
  const backoff = backoffMs(attempt, options, input.random ?? Math.random);
  if (error instanceof RateLimitError) {
    if (error.local) return NO;
    if (input.serverWaitMs === undefined) return { retry: true, delayMs: backoff };
    const cap = options.maxRateLimitWaitMs ?? 60_000;
    // A little slack past the reset so the retry lands in the new window, not at its edge.
    const wait = Math.max(input.serverWaitMs, 0) + 50;
    return wait > cap ? NO : { retry: true, delayMs: wait };
  }
  if (input.notSent) return { retry: true, delayMs: backoff };
  if (input.retryClass === 'send') return NO;
  if (
    error instanceof InternalServerError ||
    error instanceof TimeoutError ||
    error instanceof ConnectionError
  ) {
    // A Retry-After longer than the cap is not slept through silently: the error surfaces instead.
    const asked = input.serverWaitMs;
    if (asked !== undefined && asked > (options.maxRateLimitWaitMs ?? 60_000)) return NO;
    return { retry: true, delayMs: Math.max(backoff, asked ?? 0) };
  }
  return NO;
}

export function backoffMs(attempt: number, options: RetryOptions, random: () => number): number {
  const base = options.baseDelayMs ?? 500;
  const max = options.maxDelayMs ?? 8_000;
  const ceiling = Math.min(max, base * 2 ** (attempt - 1));
  return Math.round(ceiling * random());
}

/** `Retry-After` in seconds or as an HTTP date, in milliseconds from now. */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (value === undefined) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return seconds * 1000;
  const at = Date.parse(value);
  return Number.isFinite(at) ? at - now : undefined;
}
