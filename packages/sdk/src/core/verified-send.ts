/**
 * Carries out a send, and for `verifiedResend` the check that decides whether an ambiguous one is sent
 * again. Every decision comes from `policy.ts`; this module only does the I/O:
 *
 * 1. before the first attempt, note the chat's newest message id (the mark);
 * 2. after an ambiguous failure, wait until the last attempt's request can no longer land (the platform
 *    acts within 10 s of a request's arrival or never), measured from when that attempt ended;
 * 3. read the seller's messages after the mark and judge them: delivered → OK; absent → send again;
 *    unsure → the `maybeSent` error.
 *
 * Identical sends to one chat from one client run one after another, so each one's check sees the others'
 * messages before its own mark.
 */

import type { ChatMessage, EmptyApiResponse } from '../types.js';
import type { Core } from './attempts.js';
import { monotonicMs } from './clock.js';
import { ChatsApiError } from './errors.js';
import type { RequestOptions } from './options.js';
import {
  afterAmbiguous,
  afterCheck,
  DEFAULT_SETTLE_MS,
  judgeHistory,
  type SendFingerprint,
  type Verdict,
} from './policy.js';
import type { Redactor } from './redact.js';
import { sleep } from './sleep.js';

/** Reads a chat's messages from `messageIdFrom` (inclusive), or from the oldest, within the deadline. */
export type HistoryReader = (
  business: string,
  chat: string,
  messageIdFrom: number | undefined,
  options: RequestOptions,
) => AsyncIterable<ChatMessage>;

export interface SendPlan {
  business: string;
  chat: string;
  fingerprint: SendFingerprint;
  options: RequestOptions | undefined;
  /** One run of the attempt loop for the send. */
  attempt: (deadline: number, trace: { lastAttemptEnded: number }) => Promise<EmptyApiResponse>;
}

const NEXT = {
  done: 'the send is done',
  resend: 'sending it again',
  surface: 'not sending again; the error says the message may have been sent',
} as const;

/** How many chats' newest message ids a client remembers, to read only the tail next time. */
const MARKS_KEPT = 1_000;

export class SendGuard {
  readonly #core: Core;
  readonly #read: HistoryReader;
  readonly #verifyByDefault: boolean;
  /** `business:chat` → the newest message id seen; reading from it finds the current newest quickly. */
  readonly #marks = new Map<string, number>();
  /** `business:chat:content` → the last send of that content to that chat still running. */
  readonly #queue = new Map<string, Promise<unknown>>();

  constructor(core: Core, read: HistoryReader, verifyByDefault: boolean) {
    this.#core = core;
    this.#read = read;
    this.#verifyByDefault = verifyByDefault;
  }

  send(plan: SendPlan): Promise<EmptyApiResponse> {
    const verify = plan.options?.verifiedResend ?? this.#verifyByDefault;
    // From the call, not from when its turn comes: time spent behind an identical send counts too.
    const deadline = this.#core.deadline(plan.options);
    if (!verify) return plan.attempt(deadline, { lastAttemptEnded: 0 });
    const f = plan.fingerprint;
    const key = `${plan.business}:${plan.chat}:${f.kind === 'text' ? `t:${f.text}` : `f:${f.size}:${f.name}`}`;
    const before = this.#queue.get(key);
    const run = (before ?? Promise.resolve()).then(
      () => this.#verified(plan, deadline),
      () => this.#verified(plan, deadline),
    );
    const tail = run.then(
      () => undefined,
      () => undefined,
    );
    this.#queue.set(key, tail);
    void tail.then(() => {
      if (this.#queue.get(key) === tail) this.#queue.delete(key);
    });
    return run;
  }

  async #verified(plan: SendPlan, deadline: number): Promise<EmptyApiResponse> {
    const core = this.#core;
    const { business, chat, options } = plan;
    const signal = options?.signal;
    const settleMs = core.retry.verifySettleMs ?? DEFAULT_SETTLE_MS;
    const mark = await this.#newest(business, chat, signal, deadline);
    let resendsLeft = options?.maxRetries ?? core.maxRetries;
    let ambiguous: ChatsApiError | undefined;
    for (;;) {
      const trace = { lastAttemptEnded: monotonicMs() };
      let error: ChatsApiError;
      try {
        return await plan.attempt(deadline, trace);
      } catch (thrown) {
        if (!(thrown instanceof ChatsApiError) || !thrown.maybeSent) {
          // A clean failure after an earlier ambiguous attempt: report the ambiguity, never less.
          if (ambiguous) throw alsoFailed(ambiguous, thrown, core.redactor);
          throw thrown;
        }
        error = thrown;
      }
      ambiguous = error;
      const step = afterAmbiguous({
        markKnown: mark !== undefined,
        sinceLastAttemptMs: monotonicMs() - trace.lastAttemptEnded,
        settleMs,
        deadlineLeftMs: deadline - monotonicMs(),
      });
      if (step.step === 'surface') {
        core.log('warn', `send: cannot check the history (${step.why}); the message may have been sent`, {
          chatId: chat,
          why: step.why,
        });
        throw error;
      }
      let verdict: Verdict;
      try {
        await sleep(step.waitMs, signal);
        verdict = judgeHistory(await this.#after(business, chat, mark!, signal, deadline), plan.fingerprint);
      } catch {
        throw error;
      }
      const next = afterCheck(verdict, resendsLeft);
      core.log(
        next === 'resend' ? 'warn' : 'info',
        `send: the history check after an ambiguous failure says ${verdict}; ${NEXT[next]}`,
        { chatId: chat, verdict },
      );
      if (next === 'done') return { status: 'OK' };
      if (next === 'surface') throw error;
      resendsLeft -= 1;
    }
  }

  /**
   * The chat's newest message id before the first attempt (0 for an empty chat), or undefined when it
   * could not be read: the send still goes, and an ambiguous failure then surfaces as `maybeSent`.
   */
  async #newest(
    business: string,
    chat: string,
    signal: AbortSignal | undefined,
    deadline: number,
  ): Promise<number | undefined> {
    const key = `${business}:${chat}`;
    const known = this.#marks.get(key);
    let newest = 0;
    try {
      for await (const m of this.#read(business, chat, known, readOptions(signal, deadline)))
        newest = Math.max(newest, m.messageId);
    } catch (error) {
      if (signal?.aborted) throw error;
      this.#core.log('warn', "send: could not note the chat's newest message before sending", {
        chatId: chat,
      });
      return undefined;
    }
    this.#remember(key, newest);
    return newest;
  }

  /** Messages after the mark, oldest first. */
  async #after(
    business: string,
    chat: string,
    mark: number,
    signal: AbortSignal | undefined,
    deadline: number,
  ): Promise<ChatMessage[]> {
    const after: ChatMessage[] = [];
    for await (const m of this.#read(
      business,
      chat,
      mark > 0 ? mark : undefined,
      readOptions(signal, deadline),
    ))
      if (m.messageId > mark) after.push(m);
    const last = after[after.length - 1];
    if (last) this.#remember(`${business}:${chat}`, last.messageId);
    return after;
  }

  #remember(key: string, id: number): void {
    if (id <= 0 || (this.#marks.get(key) ?? 0) >= id) return;
    this.#marks.delete(key);
    this.#marks.set(key, id);
    if (this.#marks.size > MARKS_KEPT) this.#marks.delete(this.#marks.keys().next().value as string);
  }
}

function readOptions(signal: AbortSignal | undefined, deadline: number): RequestOptions {
  const deadlineMs = Math.max(1, deadline - monotonicMs());
  return signal === undefined ? { deadlineMs } : { signal, deadlineMs };
}

/** The earlier ambiguous error, noting what ended the call after it. */
function alsoFailed(ambiguous: ChatsApiError, later: unknown, redactor: Redactor): ChatsApiError {
  const reason = redactor.text(later instanceof Error ? later.message : String(later));
  return ambiguous.withOutcome({
    message: `${ambiguous.message} Sending it again then failed: ${reason}`,
    maybeSent: true,
    attempts: ambiguous.attempts,
  });
}
