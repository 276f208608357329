/**
 * Retry and send-safety policy, in one place and free of I/O: whether a failed attempt is repeated and
 * after how long, whether a failed send may have reached the buyer (`maybeSent`), and what a verified
 * resend concludes from the chat history. The attempt loop (`attempts.ts`) and the verified resend
 * (`verified-send.ts`) only carry these decisions out.
 *
 * The platform model everything here rests on: the platform acts on a request within 10 s of its arrival
 * or never. A request it has held 10 s without acting is abandoned (answered 5xx if the connection is still
 * open) and is never carried out later. A 420 is answered before any processing.
 */
import type { RetryClass } from '../operations.js';
import type { ChatMessage } from '../types.js';
import {
  type ChatsApiError,
  ConnectionError,
  InternalServerError,
  RateLimitError,
  TimeoutError,
} from './errors.js';

/** Extra attempts after the first, for failures that are safe to repeat. */
export const DEFAULT_MAX_RETRIES = 3;
/** The platform acts on a request within this long of its arrival, or never. */
export const PLATFORM_WINDOW_MS = 10_000;
/** Slack on top of the platform window for delivery delays between the last byte leaving and arriving. */
export const SETTLE_MARGIN_MS = 1_000;
/** Default wait after a send's last attempt ended before the history is read to see whether it landed. */
export const DEFAULT_SETTLE_MS = PLATFORM_WINDOW_MS + SETTLE_MARGIN_MS;
/**
 * How long after sending an attempt that ended without a response keeps its parallel-request slot: the
 * platform may still count the request in flight until its window is over, so freeing the slot sooner
 * lets a fifth request in and earns a 420.
 */
export const UNANSWERED_HOLD_MS = PLATFORM_WINDOW_MS + SETTLE_MARGIN_MS;
/** Slack a slot's lease keeps over the longest its holder may hold it. */
export const LEASE_MARGIN_MS = 1_000;

/** The shortest `rateLimit.leaseMs` that outlasts every hold of a slot by a client with this timeout. */
export function minLeaseMs(timeoutMs: number): number {
  return Math.max(timeoutMs, UNANSWERED_HOLD_MS) + LEASE_MARGIN_MS;
}

export interface RetryOptions {
  /** First backoff step; later steps double it, with full jitter. Default 500. */
  baseDelayMs?: number;
  /** Ceiling of one backoff step. Default 8000. */
  maxDelayMs?: number;
  /**
   * Longest the SDK sleeps for a 420's quota reset or a server's `Retry-After`. A longer wait is not
   * slept through silently: the error surfaces (a RateLimitError with `resetAt`). Default 60 000.
   */
  maxRateLimitWaitMs?: number;
  /**
   * With `verifiedResend`: how long after the send's last attempt ended the SDK waits before reading the
   * history. Default 11 000: the platform's 10 s window plus a 1 s margin. Shorten it only against a
   * server known to act faster (e.g. the emulator without delay faults).
   */
  verifySettleMs?: number;
}

/**
 * Whether a failed attempt may have been acted on by the platform. The one rule: only a send can message
 * a buyer; it provably did not when the connection never opened (`notSent`), when the SDK refused it
 * before sending, or when the platform answered a status it gives before processing (420, 4xx).
 */
export function maybeSent(retryClass: RetryClass, error: ChatsApiError, notSent: boolean): boolean {
  if (retryClass !== 'send' || notSent) return false;
  if (error instanceof RateLimitError) return false;
  return error.status === undefined || error.status >= 500;
}

export type RetryDecision = { retry: true; delayMs: number } | { retry: false; why: 'final' | 'deadline' };

const FINAL = { retry: false, why: 'final' } as const;

/**
 * Whether a failed attempt is repeated, and after how long.
 *
 * Reads and createChat (which answers with the existing chat) repeat on 420, 5xx, timeouts and dropped
 * connections. Sends repeat only when the platform provably did not act (see `maybeSent`): a 420, or a
 * connection that never opened. A repeat that could not start before the call's deadline is not made.
 */
export function decideRetry(input: {
  retryClass: RetryClass;
  error: ChatsApiError;
  notSent: boolean;
  attempt: number;
  maxRetries: number;
  /** Wait the server asked for (Retry-After or the quota reset), if any. */
  serverWaitMs: number | undefined;
  /** Milliseconds left before the call's deadline. */
  deadlineLeftMs: number;
  options: RetryOptions;
  random?: () => number;
}): RetryDecision {
  const delay = retryDelay(input);
  if (delay === undefined || input.attempt > input.maxRetries) return FINAL;
  return delay >= input.deadlineLeftMs ? { retry: false, why: 'deadline' } : { retry: true, delayMs: delay };
}

function retryDelay(input: Parameters<typeof decideRetry>[0]): number | undefined {
  const { error, options } = input;
  const backoff = backoffMs(input.attempt, options, input.random ?? Math.random);
  const cap = options.maxRateLimitWaitMs ?? 60_000;
  if (error instanceof RateLimitError) {
    if (error.local) return undefined;
    if (input.serverWaitMs === undefined) return backoff;
    // A little slack past the reset so the retry lands in the new window, not at its edge.
    const wait = Math.max(input.serverWaitMs, 0) + 50;
    return wait > cap ? undefined : wait;
  }
  // A connection that never opened is worth another try; a request that could not even be built is not.
  if (input.notSent) return error instanceof ConnectionError ? backoff : undefined;
  if (maybeSent(input.retryClass, error, false)) return undefined;
  if (
    error instanceof InternalServerError ||
    error instanceof TimeoutError ||
    error instanceof ConnectionError
  ) {
    // A Retry-After longer than the cap is not slept through silently: the error surfaces instead.
    const asked = input.serverWaitMs;
    if (asked !== undefined && asked > cap) return undefined;
    return Math.max(backoff, asked ?? 0);
  }
  return undefined;
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

export const SEND_HINT =
  ' The request may have reached the platform, so the buyer may already have it: check the chat history ' +
  'before sending again, or pass verifiedResend: true to let the SDK check and resend.';

/** What one send puts in the chat, as the history shows it once delivered. */
export type SendFingerprint =
  | { kind: 'text'; text: string }
  | {
      kind: 'file';
      /** The name as the server stores it (`storedFileName`), which is also the name the SDK sent. */
      name: string;
      size: number;
    };

/**
 * What the history after the mark says about one ambiguous send:
 * - `delivered`: exactly one of the seller's messages after the mark is this send;
 * - `absent`: none is, and none could be: sending again cannot make a second copy;
 * - `unsure`: more than one exact match (another sender of the same content), or a message that could be
 *   this one but does not match exactly (an attachment of the same size under another or an empty name, a
 *   text equal up to spacing): the SDK does not guess.
 */
export type Verdict = 'delivered' | 'absent' | 'unsure';

/**
 * Judges the seller's messages that arrived after the mark (the chat's newest message id noted before the
 * first attempt). Pure: no clocks, no names other than the stored ones, and an identical earlier message
 * cannot match because it is at or before the mark.
 */
export function judgeHistory(after: readonly ChatMessage[], sent: SendFingerprint): Verdict {
  let exact = 0;
  let close = 0;
  for (const message of after) {
    if (message.sender !== 'PARTNER') continue;
    if (sent.kind === 'text') {
      if (message.message === sent.text) exact++;
      else if (message.message !== undefined && loose(message.message) === loose(sent.text)) close++;
      continue;
    }
    for (const file of message.payload ?? []) {
      if (file.size !== sent.size) continue;
      // Another name of the same size may be this file renamed by the platform (or sent without one).
      if (file.name === sent.name) exact++;
      else close++;
    }
  }
  if (exact === 1 && close === 0) return 'delivered';
  return exact === 0 && close === 0 ? 'absent' : 'unsure';
}

/** Text compared up to spacing and line endings, to notice a platform that reformats what it stores. */
function loose(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** What to do after a verified send failed with `maybeSent`. */
export type AmbiguousStep =
  | { step: 'surface'; why: 'no-mark' | 'deadline' }
  | { step: 'check'; waitMs: number };

/**
 * After an ambiguous send: wait until the request can no longer land and read the history, or surface the
 * error when no check could decide. The wait is measured from when the last attempt ended, which is after
 * its request was written (never from before the credential function, the limiter queue or 420 retries).
 */
export function afterAmbiguous(input: {
  /** Whether the chat's newest message id was noted before the first attempt. */
  markKnown: boolean;
  /** Milliseconds since the last attempt ended. */
  sinceLastAttemptMs: number;
  settleMs: number;
  deadlineLeftMs: number;
}): AmbiguousStep {
  if (!input.markKnown) return { step: 'surface', why: 'no-mark' };
  const waitMs = Math.max(0, input.settleMs - input.sinceLastAttemptMs);
  // The check itself and a resend need time too: a check that cannot finish in time decides nothing.
  if (waitMs >= input.deadlineLeftMs) return { step: 'surface', why: 'deadline' };
  return { step: 'check', waitMs };
}

/**
 * After the check: `done` (the message is there once), `resend` (it is not, and could not be: sending
 * again cannot make a second copy), or `surface` the ambiguous error (unsure, or no resends left).
 */
export function afterCheck(verdict: Verdict, resendsLeft: number): 'done' | 'resend' | 'surface' {
  if (verdict === 'delivered') return 'done';
  return verdict === 'absent' && resendsLeft > 0 ? 'resend' : 'surface';
}
