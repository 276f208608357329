/** The send-safety policy, tested directly: pure functions, no server. */
import {
  type ChatMessage,
  ConnectionError,
  InternalServerError,
  NotFoundError,
  RateLimitError,
  TimeoutError,
} from '@ym-chats/sdk';
import { describe, expect, it } from 'vitest';
import { afterAmbiguous, afterCheck, decideRetry, judgeHistory, maybeSent } from '../src/core/policy.js';

const e500 = new InternalServerError('x', { status: 500 });
const e404 = new NotFoundError('x', { status: 404 });
const e420 = new RateLimitError('x', { status: 420 });
const timeout = new TimeoutError('x');
const dropped = new ConnectionError('x');

const retry = (over: Partial<Parameters<typeof decideRetry>[0]>) =>
  decideRetry({
    retryClass: 'read',
    error: e500,
    notSent: false,
    attempt: 1,
    maxRetries: 3,
    serverWaitMs: undefined,
    deadlineLeftMs: 60_000,
    options: { baseDelayMs: 100, maxDelayMs: 1000 },
    random: () => 1,
    ...over,
  });

describe('maybeSent: the one rule for whether a failed send may have reached the buyer', () => {
  it('a send answered 5xx, timed out or dropped may have; one refused before processing has not', () => {
    for (const error of [e500, timeout, dropped]) expect(maybeSent('send', error, false)).toBe(true);
    expect(maybeSent('send', e420, false)).toBe(false);
    expect(maybeSent('send', e404, false)).toBe(false);
    expect(maybeSent('send', dropped, true)).toBe(false);
  });

  it('reads and createChat never message anyone', () => {
    expect(maybeSent('read', e500, false)).toBe(false);
    expect(maybeSent('idempotent', timeout, false)).toBe(false);
  });
});

describe('decideRetry', () => {
  it('reads repeat 5xx, timeouts and drops with backoff; not 4xx', () => {
    expect(retry({})).toEqual({ retry: true, delayMs: 100 });
    expect(retry({ error: timeout, attempt: 3 })).toEqual({ retry: true, delayMs: 400 });
    expect(retry({ error: e404 })).toEqual({ retry: false, why: 'final' });
  });

  it('sends repeat only what provably did not reach the platform', () => {
    expect(retry({ retryClass: 'send' })).toEqual({ retry: false, why: 'final' });
    expect(retry({ retryClass: 'send', error: dropped })).toEqual({ retry: false, why: 'final' });
    expect(retry({ retryClass: 'send', error: dropped, notSent: true })).toEqual({
      retry: true,
      delayMs: 100,
    });
    expect(retry({ retryClass: 'send', error: e420, serverWaitMs: 2000 })).toEqual({
      retry: true,
      delayMs: 2050,
    });
  });

  it('a wait past the cap or past the deadline is not slept through', () => {
    expect(retry({ error: e420, serverWaitMs: 120_000 })).toEqual({ retry: false, why: 'final' });
    expect(retry({ deadlineLeftMs: 50 })).toEqual({ retry: false, why: 'deadline' });
    expect(retry({ attempt: 4 })).toEqual({ retry: false, why: 'final' });
  });
});

const msg = (over: Partial<ChatMessage>): ChatMessage => ({
  messageId: 1,
  createdAt: '2026-11-25T10:00:00+03:00',
  sender: 'PARTNER',
  ...over,
});

describe('judgeHistory: what the messages after the mark say about one send', () => {
  const text = { kind: 'text', text: 'Здравствуйте!' } as const;
  const file = { kind: 'file', name: 'report _final_.pdf', size: 10 } as const;

  it('exactly one exact match is delivered; none is absent', () => {
    expect(judgeHistory([msg({ message: 'Здравствуйте!' })], text)).toBe('delivered');
    expect(judgeHistory([], text)).toBe('absent');
    expect(
      judgeHistory([msg({ message: 'other' }), msg({ sender: 'CUSTOMER', message: 'Здравствуйте!' })], text),
    ).toBe('absent');
    expect(judgeHistory([msg({ payload: [{ name: 'report _final_.pdf', size: 10, url: '' }] })], file)).toBe(
      'delivered',
    );
  });

  it('two exact matches, or a near match, is unsure: the SDK does not guess', () => {
    const twice = [msg({ message: 'Здравствуйте!' }), msg({ messageId: 2, message: 'Здравствуйте!' })];
    expect(judgeHistory(twice, text)).toBe('unsure');
    expect(judgeHistory([msg({ message: ' Здравствуйте! ' })], text)).toBe('unsure');
    expect(judgeHistory([msg({ payload: [{ name: '', size: 10, url: '' }] })], file)).toBe('unsure');
    expect(judgeHistory([msg({ payload: [{ name: 'other.pdf', size: 10, url: '' }] })], file)).toBe('unsure');
    expect(judgeHistory([msg({ payload: [{ name: 'other.pdf', size: 11, url: '' }] })], file)).toBe('absent');
  });
});

describe('afterAmbiguous and afterCheck: when the history is read, and what follows', () => {
  const base = { markKnown: true, sinceLastAttemptMs: 2_000, settleMs: 11_000, deadlineLeftMs: 40_000 };

  it('waits the settle time measured from when the last attempt ended', () => {
    expect(afterAmbiguous(base)).toEqual({ step: 'check', waitMs: 9_000 });
    expect(afterAmbiguous({ ...base, sinceLastAttemptMs: 20_000 })).toEqual({ step: 'check', waitMs: 0 });
  });

  it('surfaces the maybeSent error when no check could decide', () => {
    expect(afterAmbiguous({ ...base, markKnown: false })).toEqual({ step: 'surface', why: 'no-mark' });
    expect(afterAmbiguous({ ...base, deadlineLeftMs: 5_000 })).toEqual({ step: 'surface', why: 'deadline' });
  });

  it('resends only an absent message, and only while resends are left', () => {
    expect(afterCheck('delivered', 0)).toBe('done');
    expect(afterCheck('absent', 1)).toBe('resend');
    expect(afterCheck('absent', 0)).toBe('surface');
    expect(afterCheck('unsure', 3)).toBe('surface');
  });
});
