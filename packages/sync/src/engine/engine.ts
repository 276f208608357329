/**
 * The sync engine. A pass pages getChats (20 a page), writes each page with its cursor, and reads history
 * (100 a page) only for the chats the store says changed, starting at the last stored message
 * (`messageIdFrom` is inclusive, hence one message read twice). Every call goes through the SDK client
 * given, so its limiter spends the business's quota.
 *
 * Crash safety: a pass's listing position and the chats it owes a history read live in the store and
 * move in the same transactions as the data, so a restarted process resumes where it stopped. A reader
 * requests its next page only once its previous page is committed, so at any instant each reader has at
 * most one page whose call a restart repeats: the one in flight, or the one waiting for its commit.
 * Finishing a pass whose listing began before the restart is not enough to be current (the chats listed
 * before it may have changed meanwhile), so `pass()` then runs a fresh one: one more listing.
 */
import { BadRequestError, type ChatsApi, type Id, NotFoundError, type QuotaSnapshot } from '@ym-chats/sdk';
import { OrderFill, type OrderFillOptions, type OrderFillResult } from '../orders/order-fill.js';
import { pause } from '../pause.js';
import { DEFAULT_INBOUND_RETENTION_DAYS } from '../store/inbound.js';
import type { PendingChat } from '../store/mirror.js';
import { toId } from '../store/records.js';
import type { RunTrigger } from '../store/runs.js';
import type { SyncStore } from '../store/store.js';
import { isoNow } from '../time.js';
import { DEFAULT_SETTLE_MS } from './changes.js';
import { PageWriter, type ReadChain } from './page-writer.js';
import { estimateEta, type PassResult, type SyncProgress } from './progress.js';

export const CHATS_PAGE = 20;
export const HISTORY_PAGE = 100;

export interface SyncEngineOptions {
  api: ChatsApi;
  store: SyncStore;
  businessId: Id;
  /** See `needsHistory`: how long after a chat's updatedAt a read settles it. Default 5 s. */
  settleMs?: number;
  /** History readers working at once (the platform allows 4 requests in flight per business). */
  concurrency?: number;
  onProgress?: (progress: SyncProgress) => void;
  now?: () => number;
  /**
   * Processed push notifications older than this are deleted after each pass (their redeliveries are no
   * longer expected). Default `DEFAULT_INBOUND_RETENTION_DAYS` (15); 0 keeps them forever.
   */
  inboundRetentionDays?: number;
  /**
   * Read the orders and returns behind the ORDER/RETURN chats after each pass (`src/orders/order-fill.ts`:
   * chats first, at most once per order per window, a 403 remembered per key). Off when absent.
   */
  orders?: OrderFillOptions;
}

/** A reader's page write not yet committed (at most one: see `readChat`). */
interface WriteGate {
  pending: Promise<unknown> | undefined;
}

/** A pass's readers: their gates, the commits of the chats they read, the first commit that failed. */
interface Readers {
  gates: WriteGate[];
  commits: Promise<void>[];
  failure: { error: unknown } | undefined;
}

/** Waits for every commit of the pass; throws the first failure. */
async function settle(readers: Readers): Promise<void> {
  await Promise.allSettled(readers.commits);
  if (readers.failure !== undefined) throw readers.failure.error;
  await Promise.all(readers.commits);
}

export interface HistoryReadResult {
  pages: number;
  added: bigint[];
}

export class SyncEngine {
  readonly businessId: bigint;
  private readonly settleMs: number;
  private readonly concurrency: number;
  private readonly now: () => number;
  private readonly writer: PageWriter;
  private readonly orders: OrderFill | undefined;

  constructor(private readonly options: SyncEngineOptions) {
    this.businessId = toId(options.businessId);
    this.settleMs = options.settleMs ?? DEFAULT_SETTLE_MS;
    this.concurrency = Math.max(1, Math.min(4, options.concurrency ?? 4));
    this.now = options.now ?? Date.now;
    this.writer = new PageWriter(options.store);
    this.orders =
      options.orders === undefined
        ? undefined
        : new OrderFill(options.api, options.store.database(), this.businessId, this.now, options.orders);
  }

  get store(): SyncStore {
    return this.options.store;
  }

  /**
   * One pass over the business. An interrupted pass (killed, or stopped by an error) is finished first,
   * and when part of its listing was read before this call a fresh pass follows: the chats listed back
   * then may have changed since. So once this resolves, every message written before the call is stored.
   */
  async pass(trigger: RunTrigger = 'once', signal?: AbortSignal): Promise<PassResult> {
    const progress: SyncProgress = {
      runId: 0n,
      chatsSeen: 0,
      chatsChanged: 0,
      chatsDone: 0,
      messagesAdded: 0,
      calls: { getChats: 0, getChatHistory: 0 },
      quotaLeft: { getChats: null, getChatHistory: null },
      etaSeconds: null,
      elapsedMs: 0,
    };
    const started = this.now();
    let resumedRunId: bigint | null = null;
    // Twice at most: the fresh pass finds no cursor (one writer per store and business), so it lists it all.
    for (;;) {
      const run = await this.runPass(trigger, progress, started, signal);
      if (run.resumed) resumedRunId ??= progress.runId;
      if (run.listedInFull) {
        const result: PassResult = { ...progress, resumed: resumedRunId !== null, resumedRunId };
        if (this.orders !== undefined) result.orders = await this.fillOrders(signal);
        return result;
      }
    }
  }

  /**
   * Reads the orders and returns the chats are owed (a pass does it at its end; see order-fill.ts). Never
   * fails for the API's or the store's sake: the result says what stopped it.
   */
  async fillOrders(signal?: AbortSignal): Promise<OrderFillResult | undefined> {
    if (this.orders === undefined) return undefined;
    try {
      return await this.orders.fill(signal);
    } catch (error) {
      if (signal?.aborted) throw error;
      return {
        calls: { getBusinessOrders: 0, getReturn: 0 },
        ordersRead: 0,
        returnsRead: 0,
        owed: 0,
        stopped: 'error',
        error: error instanceof Error ? error.message : String(error),
      };
    }
  }

  /**
   * Runs the pass the store's cursor names (or a new one) to its end. `listedInFull`: every chat was listed
   * during this call, not partly before an interruption.
   */
  private async runPass(
    trigger: RunTrigger,
    progress: SyncProgress,
    started: number,
    signal: AbortSignal | undefined,
  ): Promise<{ resumed: boolean; listedInFull: boolean }> {
    const { store, api } = this.options;
    const b = this.businessId;
    const runStarted = this.now();
    const { cursor, resumed } = await store.beginPass(b, trigger, isoNow(this.now));
    const previous = (await store.runs(b, 5)).find((r) => r.state === 'done' && r.runId !== cursor.runId);
    const expected = previous?.chatsSeen ?? null;
    progress.runId = cursor.runId;
    progress.chatsSeen = 0;
    /** `last`: the pass's result is made of it, so it is filled in even with nobody listening. */
    const report = async (last = false) => {
      // Nobody listening: the quota lookup (once per chat read) is skipped until the end.
      if (!last && this.options.onProgress === undefined) return;
      const now = this.now();
      progress.elapsedMs = now - started;
      progress.etaSeconds = estimateEta(now - runStarted, progress.chatsSeen, expected);
      for (const q of await quotaState(api, b)) {
        if (q.operation === 'getChats' || q.operation === 'getChatHistory')
          progress.quotaLeft[q.operation] = q.remaining;
      }
      this.options.onProgress?.({
        ...progress,
        calls: { ...progress.calls },
        quotaLeft: { ...progress.quotaLeft },
      });
    };
    // One gate per reader for the whole pass: a reader's last page of one listing page must commit before
    // its first request for the next.
    const readers: Readers = {
      gates: Array.from({ length: this.concurrency }, () => ({ pending: undefined })),
      commits: [],
      failure: undefined,
    };
    try {
      // Chats an interrupted pass (or a push) left owing a read come first.
      await this.readOwed(await store.pendingChats(b), cursor.runId, progress, readers, signal);
      let token = cursor.chatsPageToken;
      let done = cursor.listingDone;
      let listedInFull = token === null && !done;
      const seenTokens = new Set<string>();
      while (!done) {
        signal?.throwIfAborted();
        // The listing call goes out while the last pages still commit (their chats stay marked in the store
        // until then), but only once a reader's page has committed: calls at risk never exceed the readers.
        await this.listingSlot(readers);
        let page: Awaited<ReturnType<ChatsApi['getChats']>>;
        try {
          progress.calls.getChats += 1;
          page = await api.getChats(b, {}, token ?? undefined, CHATS_PAGE, signal ? { signal } : undefined);
        } catch (error) {
          // A saved token the platform no longer accepts (expired, another deployment): list from the top.
          if (token !== null && error instanceof BadRequestError) {
            await store.restartListing(b);
            token = null;
            listedInFull = true;
            continue;
          }
          throw error;
        }
        let next = page.result.paging?.nextPageToken ?? null;
        if (next !== null && seenTokens.has(next)) next = null; // a server repeating itself must not loop us
        if (next !== null) seenTokens.add(next);
        const owed = await store.writeChatPageOwing({
          businessId: b,
          runId: cursor.runId,
          chats: page.result.chats,
          nextPageToken: next,
          settleMs: this.settleMs,
        });
        progress.chatsSeen += page.result.chats.length;
        await report();
        await this.readOwed(owed, cursor.runId, progress, readers, signal, report);
        token = next;
        done = next === null;
      }
      await settle(readers);
      await store.finishPass(b, cursor.runId, isoNow(this.now));
      const retentionDays = this.options.inboundRetentionDays ?? DEFAULT_INBOUND_RETENTION_DAYS;
      if (retentionDays > 0) {
        await store.pruneNotifications(
          b,
          isoNow(() => this.now() - retentionDays * 86_400_000),
        );
      }
      await report(true);
      return { resumed, listedInFull };
    } catch (error) {
      await Promise.allSettled(readers.commits);
      await store
        .failPass(cursor.runId, error instanceof Error ? error.message : String(error), isoNow(this.now))
        .catch(() => undefined);
      throw error;
    }
  }

  /** Waits until fewer than all readers have a page waiting for its commit (and throws a failed commit). */
  private async listingSlot(readers: Readers): Promise<void> {
    for (;;) {
      if (readers.failure !== undefined) throw readers.failure.error;
      const pending = readers.gates.flatMap((g) => (g.pending === undefined ? [] : [g.pending]));
      if (pending.length < readers.gates.length) return;
      await Promise.race(pending).catch(() => undefined);
    }
  }

  /**
   * Reads the chats owing a history read (all the store marks at a pass's start, then those each listing
   * page marked), a few at a time. Resolves once every read is answered; the commits are in
   * `readers.commits` (see `settle`).
   */
  private async readOwed(
    owed: PendingChat[],
    runId: bigint,
    progress: SyncProgress,
    readers: Readers,
    signal: AbortSignal | undefined,
    report?: () => Promise<void>,
  ): Promise<void> {
    progress.chatsChanged += owed.length;
    // Their orders are owed a read, recorded now (the chats are committed) so a crash keeps it.
    if (owed.length > 0) await this.orders?.want(owed.map((c) => c.chatId));
    // Readers overlap each other's commits: one reads while another's page commits, and pages finished
    // together share a commit.
    let next = 0;
    const worker = async (gate: WriteGate) => {
      while (next < owed.length && readers.failure === undefined) {
        const chat = owed[next++]!;
        const read = await this.readChat(
          chat.chatId,
          runId,
          signal,
          () => {
            progress.calls.getChatHistory += 1;
          },
          chat,
          gate,
        );
        const commit = read.added.then(async (added) => {
          progress.chatsDone += 1;
          progress.messagesAdded += added.length;
          await report?.();
        });
        commit.catch((error: unknown) => {
          readers.failure ??= { error };
        });
        readers.commits.push(commit);
      }
    };
    await Promise.all(readers.gates.slice(0, Math.min(readers.gates.length, owed.length)).map(worker));
    if (readers.failure !== undefined) throw readers.failure.error;
  }

  /**
   * Reads one chat's history from its last stored message to the end, one transaction per page; the last
   * page marks the chat in sync. Used by passes and by the notification processor alike.
   */
  async readHistory(
    chatId: bigint,
    runId: bigint | null,
    signal?: AbortSignal,
    onCall?: () => void,
  ): Promise<HistoryReadResult> {
    const read = await this.readChat(chatId, runId, signal, onCall);
    const added = await read.added;
    await this.orders?.want([chatId]);
    return { pages: read.pages, added };
  }

  /**
   * `readHistory` without waiting for the commits: resolves once the last page is requested and queued,
   * with the ids its pages add once committed. `start` (from `pendingChats` or the listing) saves a query.
   */
  private async readChat(
    chatId: bigint,
    runId: bigint | null,
    signal?: AbortSignal,
    onCall?: () => void,
    start?: { lastMessageId: bigint | null; syncedAt: string | null },
    gate: WriteGate = { pending: undefined },
  ): Promise<{ pages: number; added: Promise<bigint[]> }> {
    const { api, store } = this.options;
    const b = this.businessId;
    const { lastMessageId: from, syncedAt: previousSyncedAt } =
      start ?? (await store.historyStart(b, chatId));
    const request = from === null ? {} : { messageIdFrom: from };
    const chain: ReadChain = { failed: undefined };
    const writes: Promise<bigint[]>[] = [];
    const all = () => Promise.all(writes).then((pages) => pages.flat());
    let token: string | undefined;
    let pages = 0;
    try {
      for (;;) {
        signal?.throwIfAborted();
        // The reader's previous page (of this chat or its last one) commits before the next request, so a
        // kill repeats at most one call per reader. A failed commit surfaces through that chat's read.
        if (gate.pending !== undefined) await gate.pending.catch(() => undefined);
        gate.pending = undefined;
        if (chain.failed !== undefined) throw chain.failed;
        const requestedAt = isoNow(this.now);
        let messages: Awaited<ReturnType<ChatsApi['getChatHistory']>>['result']['messages'];
        let next: string | undefined;
        try {
          onCall?.();
          const { result } = await api.getChatHistory(
            b,
            chatId,
            request,
            token,
            HISTORY_PAGE,
            signal ? { signal } : undefined,
          );
          messages = result.messages;
          next = result.paging?.nextPageToken;
        } catch (error) {
          // A chat that no longer exists owes nothing; anything else is retried by the next pass.
          if (!(error instanceof NotFoundError)) throw error;
          messages = [];
          next = undefined;
        }
        pages += 1;
        if (next === token) next = undefined;
        const last = next === undefined;
        // The settle rule on the last page counts what the whole read added (earlier pages are committed).
        const addedBefore = last && previousSyncedAt !== null && writes.length > 0 ? (await all()).length : 0;
        const write = this.writer.write(
          {
            businessId: b,
            chatId,
            runId,
            messages,
            completedAt: last ? requestedAt : null,
            settleMs: this.settleMs,
            previousSyncedAt,
            addedBefore,
            now: isoNow(this.now),
          },
          chain,
        );
        write.catch(() => undefined); // observed through `added`
        writes.push(write);
        gate.pending = write;
        write.then(
          () => {
            if (gate.pending === write) gate.pending = undefined;
          },
          () => undefined, // kept pending: the reader meets the failure before its next request
        );
        if (last) return { pages, added: all() };
        token = next;
      }
    } catch (error) {
      // Pages already queued still commit (each is whole); the read stops here.
      await Promise.allSettled(writes);
      throw error;
    }
  }

  /** Passes one after another, `intervalMs` apart, until the signal aborts. */
  async watch(intervalMs: number, signal: AbortSignal, onPass?: (result: PassResult) => void): Promise<void> {
    while (!signal.aborted) {
      const result = await this.pass('watch', signal);
      onPass?.(result);
      await pause(intervalMs, signal);
    }
  }
}

/** What the SDK's limiter knows of the quota; nothing when the client runs without a limiter. */
async function quotaState(api: ChatsApi, businessId: bigint): Promise<QuotaSnapshot[]> {
  try {
    return await api.quotaState(businessId);
  } catch (error) {
    if (error instanceof TypeError) return [];
    throw error;
  }
}
