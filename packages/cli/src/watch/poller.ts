/**
 * Polling mode of `watch`: list every chat each interval, and read the history of only the chats whose
 * `updatedAt` moved, from the last message seen. Costs one getChats call per 20 chats per interval.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import {
  AbortError,
  AuthenticationError,
  type Chat,
  type ChatMessage,
  type ChatsApi,
  type Id,
  OPERATIONS,
  PermissionDeniedError,
  RateLimitError,
  ValidationError,
} from '@ym-chats/sdk';
import type { Output } from '../output/output.js';
import type { MessagePrinter } from './printer.js';
import { type ChatMark, ProgressLog, saveState, type WatchState } from './state-file.js';

const PAGE = 20;
/**
 * `updatedAt` has one-second resolution, so a message arriving in the same second as the one just read
 * leaves it unchanged. A changed chat is therefore read again for this long, and on one more poll.
 */
const RECHECK_MS = 1500;
/**
 * A chat whose `updatedAt` second began less than this before watching did may have got a message after
 * the start that left `updatedAt` in that second: its baseline second is "open" (every message in it is
 * news, see catchUp) and it gets the same recheck as a changed chat. One second for the second itself, one
 * more for the clocks of this machine and the platform to differ.
 */
const RECENT_MS = 2000;

/**
 * `updatedAt` is only ever the value up to which the chat has been read completely: it is set after a
 * catch-up ends, so a state saved in the middle of one (they are saved after every printed message) makes
 * a restarted watch read the chat again from `lastId`.
 */
interface Mark extends ChatMark {
  recheckUntil?: number;
  extraCheck?: boolean;
}

export interface PollerOptions {
  intervalMs: number;
  allHistory: boolean;
  statePath?: string;
  state?: WatchState;
  signal: AbortSignal;
}

export class Poller {
  private readonly marks = new Map<string, Mark>();
  private warnedQuota = false;
  private readonly business: string;
  private readonly progress: ProgressLog | undefined;

  constructor(
    private readonly api: ChatsApi,
    private readonly businessId: Id,
    private readonly printer: MessagePrinter,
    private readonly out: Output,
    private readonly options: PollerOptions,
  ) {
    this.business = String(businessId);
    this.progress = options.statePath === undefined ? undefined : new ProgressLog(options.statePath);
    for (const [id, saved] of Object.entries(options.state?.chats ?? {})) {
      const { recheck, ...mark } = saved;
      // A chat saved inside its recheck window may still get a message in the second it was read in: the
      // window starts again from now, which is later than that read, so it still covers the second.
      const resumedAt = Date.now();
      this.marks.set(
        id,
        recheck ? { ...mark, extraCheck: true, recheckUntil: resumedAt + RECHECK_MS } : mark,
      );
    }
  }

  /** Runs until the signal fires. Auth and input errors end it; network trouble and 420s only pause it. */
  async run(): Promise<void> {
    try {
      await this.loop();
    } finally {
      this.save();
      this.progress?.close();
    }
  }

  private async loop(): Promise<void> {
    const { signal } = this.options;
    const resumed = this.options.state !== undefined;
    // Taken before the listing: a chat read later in it cannot have a second that was over before this.
    const started = Date.now();
    const chats = await this.listChats();
    if (!resumed) {
      const recheckUntil = Date.now() + RECHECK_MS;
      for (const chat of chats) {
        if (this.options.allHistory) {
          const mark: Mark = { updatedAt: '' };
          this.marks.set(String(chat.chatId), mark);
          if (await this.catchUp(chat.chatId, mark)) mark.updatedAt = chat.updatedAt;
          continue;
        }
        const mark: Mark = { updatedAt: chat.updatedAt, baseline: chat.updatedAt };
        if (started - Date.parse(chat.updatedAt) < RECENT_MS) {
          mark.baselineOpen = true;
          mark.recheckUntil = recheckUntil;
          mark.extraCheck = true;
        }
        this.marks.set(String(chat.chatId), mark);
      }
      this.save();
    } else {
      await this.compare(chats);
    }
    this.checkCost(chats.length);
    this.out.info(
      `Watching ${chats.length} chats of business ${this.business}: polling every ${this.options.intervalMs / 1000} s` +
        `${this.options.allHistory || resumed ? '' : ', new messages only'}. Ctrl+C to stop.`,
    );
    while (!signal.aborted) {
      try {
        await sleep(this.options.intervalMs, undefined, { signal });
      } catch {
        return;
      }
      try {
        const current = await this.listChats();
        this.checkCost(current.length);
        await this.compare(current);
      } catch (error) {
        if (signal.aborted || error instanceof AbortError) return;
        await this.survive(error);
      }
    }
  }

  private async listChats(): Promise<Chat[]> {
    const chats: Chat[] = [];
    for await (const chat of this.api.iterateChats(
      this.businessId,
      {},
      { limit: PAGE, signal: this.options.signal },
    )) {
      chats.push(chat);
    }
    return chats;
  }

  private async compare(chats: Chat[]): Promise<void> {
    const now = Date.now();
    for (const chat of chats) {
      if (this.options.signal.aborted) return;
      const id = String(chat.chatId);
      const mark = this.marks.get(id);
      if (mark === undefined) {
        // A chat that appeared after watching began: all of it is new.
        const fresh: Mark = { updatedAt: '', recheckUntil: now + RECHECK_MS, extraCheck: true };
        this.marks.set(id, fresh);
        if (await this.catchUp(chat.chatId, fresh)) fresh.updatedAt = chat.updatedAt;
        continue;
      }
      let check = false;
      if (mark.updatedAt !== chat.updatedAt) {
        if (await this.catchUp(chat.chatId, mark)) mark.updatedAt = chat.updatedAt;
        mark.recheckUntil = now + RECHECK_MS;
        mark.extraCheck = true;
        continue;
      }
      if (mark.recheckUntil !== undefined && now < mark.recheckUntil) {
        check = true;
      } else if (mark.extraCheck) {
        mark.extraCheck = false;
        check = true;
      }
      if (check) await this.catchUp(chat.chatId, mark);
    }
    this.save();
  }

  /** Reads the chat from the last message seen and prints what is new, oldest first; false if stopped midway. */
  private async catchUp(chatId: Id, mark: Mark): Promise<boolean> {
    const from = mark.lastId;
    const baseline = from === undefined && mark.baseline !== undefined ? second(mark.baseline) : undefined;
    const open = mark.baselineOpen === true;
    const fresh: ChatMessage[] = [];
    let skipped = from ?? 0;
    const request = from === undefined ? {} : { messageIdFrom: from };
    for await (const message of this.api.iterateChatHistory(this.businessId, chatId, request, {
      limit: 100,
      signal: this.options.signal,
    })) {
      if (from !== undefined && message.messageId <= from) continue;
      // Without a last id, what was there when watching began is "old"; the rest is news. What is before the
      // baseline second is old, and so is all of that second when it was over when watching began. A second
      // still going on at the start is news as a whole: some of it may predate the start and print, but
      // nothing written after the start can be told apart from it and skipped.
      if (baseline !== undefined) {
        const time = second(message.createdAt);
        if (time < baseline || (time === baseline && !open)) {
          skipped = Math.max(skipped, message.messageId);
          continue;
        }
      }
      fresh.push(message);
    }
    if (skipped > 0) {
      mark.lastId = Math.max(mark.lastId ?? 0, skipped);
      forgetBaseline(mark);
    }
    fresh.sort((a, b) => a.messageId - b.messageId);
    for (const message of fresh) {
      if (this.options.signal.aborted) return false;
      // Logged one message at a time, right after it is printed, so a kill resumes after the last one.
      const log = this.progress;
      this.printer.print(chatId, message, log && (() => log.append(String(chatId), message.messageId)));
      mark.lastId = Math.max(mark.lastId ?? 0, message.messageId);
      forgetBaseline(mark);
    }
    return true;
  }

  private save(): void {
    if (this.options.statePath === undefined) return;
    const chats: Record<string, ChatMark> = {};
    for (const [id, mark] of this.marks) {
      const entry: ChatMark = { updatedAt: mark.updatedAt };
      if (mark.lastId !== undefined) entry.lastId = mark.lastId;
      if (mark.baseline !== undefined) entry.baseline = mark.baseline;
      if (mark.baseline !== undefined && mark.baselineOpen) entry.baselineOpen = true;
      if (mark.extraCheck || (mark.recheckUntil !== undefined && Date.now() < mark.recheckUntil))
        entry.recheck = true;
      chats[id] = entry;
    }
    saveState(this.options.statePath, { version: 1, businessId: this.business, chats });
    this.progress?.clear();
  }

  /** Warns once when the interval would spend more getChats calls an hour than the quota allows. */
  private checkCost(chatCount: number): void {
    if (this.warnedQuota) return;
    const pages = Math.max(1, Math.ceil(chatCount / PAGE));
    const perHour = Math.ceil((pages * 3_600_000) / this.options.intervalMs);
    const limit = OPERATIONS.getChats.hourlyQuota;
    if (perHour <= limit) return;
    this.warnedQuota = true;
    const minimum = Math.ceil((pages * 3600) / limit);
    this.out.warn(
      `polling every ${this.options.intervalMs / 1000} s reads ${pages} page${pages === 1 ? '' : 's'} of chats each time: ` +
        `about ${perHour} getChats calls an hour, over the quota of ${limit}. Use --interval ${minimum} or more ` +
        '(other tools share the quota), or --listen to be pushed notifications instead.',
    );
  }

  private async survive(error: unknown): Promise<void> {
    if (
      error instanceof AuthenticationError ||
      error instanceof PermissionDeniedError ||
      error instanceof ValidationError
    ) {
      throw error;
    }
    const { signal } = this.options;
    if (error instanceof RateLimitError) {
      const wait = error.resetAt
        ? Math.max(error.resetAt.getTime() - Date.now(), this.options.intervalMs)
        : 60_000;
      this.out.warn(
        `quota used up (${error.message}); pausing until ${new Date(Date.now() + wait).toISOString()}.`,
      );
      await sleep(wait, undefined, { signal }).catch(() => undefined);
      return;
    }
    const message = error instanceof Error ? error.message : String(error);
    this.out.warn(`${message}; trying again in ${this.options.intervalMs / 1000} s.`);
  }
}

/** Start of the second of an API time (they have one-second resolution; this ignores any finer part). */
function second(time: string): number {
  return Math.floor(Date.parse(time) / 1000) * 1000;
}

function forgetBaseline(mark: Mark): void {
  delete mark.baseline;
  delete mark.baselineOpen;
}
