/**
 * Every reply goes out here, once, and only after the chat was read from the platform itself:
 *
 * 1. a draft id already in the ledger gets its recorded outcome (a double click, a page that lost the
 *    answer and asks again, another process's send) — never a second request to the API;
 * 2. a chat assigned to a colleague asks first, unless the agent accepted that very assignee;
 * 3. the chat's send lock (the ledger's one open row per chat; a dead holder's row is settled first);
 * 4. one getChatHistory after the newest message the page showed: a seller message there that this page
 *    did not make (the cabinet, another integration, a colleague, the agent's other tab) asks first;
 * 5. the send, with the newest message id as its mark; `maybeSent` is settled the SDK's way (after the
 *    platform's 10 s window, the history after the mark) in the background while the page asks again;
 * 6. the reply and the chat's new status read back into the store, so every page shows them at once.
 */
import { createHash, randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { type ChatsApi, SEND_SETTLE_MS } from '@ym-chats/sdk';
import { HttpError } from '../http/respond.js';
import type { LiveBus } from '../live/bus.js';
import type { AuditAction, TeamStore } from '../team/team-store.js';
import type { ChatKey, InboxSource } from '../types.js';
import type { SendLedgerStore, SendRecord, Settled } from './ledger.js';
import { type AfterRead, findSend, fingerprintOf, readAfter } from './platform.js';
import { type ReplyContent, sendReply } from './send.js';

export interface ReplyRequest extends ChatKey {
  login: string;
  /** The page (tab) sending; its own earlier replies are not "someone else's". */
  page: string;
  draftId: string;
  content: ReplyContent;
  /** The newest message the page showed when the draft was started. */
  seenMessageId: number;
  /** The assignee the agent agreed to reply over ("Assigned to Anna — reply anyway?"). */
  acceptAssignee?: string;
  /**
   * "Send again" of this page's earlier draft: that draft's message, if it did arrive, is not the page's
   * own any more but exactly what the agent must be shown.
   */
  resendOf?: string;
}

export interface SeenMessage {
  messageId: number;
  sender: string;
  text?: string;
  createdAt: string;
}

export type DeskAnswer =
  | { state: 'sent'; messageId?: number }
  /** May be at the platform; the outcome is being settled: ask again with the same draft id. */
  | { state: 'checking' }
  | { state: 'maybeSent'; code: string; message: string }
  | { state: 'notSent'; code: string; message: string }
  /** No such draft here (a status asked for a send that never arrived): sending it is safe. */
  | { state: 'unknown' }
  | {
      state: 'conflict';
      code: 'REPLIED_MEANWHILE';
      /** Agents whose sends through this inbox are among them (the same agent's other tab too). */
      by: string[];
      /** Whether some came from elsewhere (the seller cabinet, another integration). */
      outside: boolean;
      messages: SeenMessage[];
      newestMessageId: number;
    }
  | { state: 'conflict'; code: 'ASSIGNED'; assignee: string }
  | { state: 'conflict'; code: 'BUSY'; by: string };

export interface DeskOptions {
  api: ChatsApi;
  ledger: SendLedgerStore;
  team: TeamStore;
  source: InboxSource;
  bus: LiveBus;
  /** How often this process renews the ledger rows it holds. Default 2 s. */
  heartbeatMs?: number;
  /** A row not renewed for this long belongs to a process that is gone. Default 10 s. */
  staleAfterMs?: number;
  /** How long after a send's request it can no longer land (the platform's window + margin). Default 11 s. */
  settleMs?: number;
  /** How long a send waits for another one to the same chat. Default 20 s. */
  lockWaitMs?: number;
  now?: () => number;
  onError?: (error: unknown) => void;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

function finalAnswer(record: SendRecord): DeskAnswer {
  switch (record.state) {
    case 'sent':
      return record.messageId === undefined
        ? { state: 'sent' }
        : { state: 'sent', messageId: record.messageId };
    case 'maybeSent':
    case 'notSent':
      return { state: record.state, code: record.errorCode ?? 'UNKNOWN', message: record.errorMessage ?? '' };
    default:
      return { state: 'checking' };
  }
}

export class ReplyDesk {
  /** Which process holds a ledger row (unique per start, so a restarted process is someone else). */
  readonly owner = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private readonly held = new Set<string>();
  private readonly running = new Map<string, Promise<DeskAnswer>>();
  private readonly background = new Set<Promise<unknown>>();
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly now: () => number;
  private readonly heartbeatMs: number;
  private readonly staleAfterMs: number;
  private readonly settleMs: number;
  private readonly lockWaitMs: number;

  constructor(private readonly options: DeskOptions) {
    this.now = options.now ?? Date.now;
    this.heartbeatMs = options.heartbeatMs ?? 2000;
    this.staleAfterMs = options.staleAfterMs ?? 10_000;
    this.settleMs = options.settleMs ?? SEND_SETTLE_MS;
    this.lockWaitMs = options.lockWaitMs ?? 20_000;
  }

  /** Sends a reply once (see the module comment); the same draft id always gets the same outcome. */
  async send(request: ReplyRequest): Promise<DeskAnswer> {
    const known = await this.options.ledger.get(request.draftId);
    if (known) {
      const answer = await this.answerFor(this.check(known, request));
      // A dead process's row that never reached the API is gone now: this request sends it.
      if (answer.state !== 'unknown') return answer;
    }
    const assignee = await this.options.team.assignee(request);
    if (assignee !== undefined && assignee !== request.login && request.acceptAssignee !== assignee) {
      return { state: 'conflict', code: 'ASSIGNED', assignee };
    }
    const locked = await this.lock(request);
    if (locked !== undefined) return locked;
    const run = this.checkAndSend(request);
    this.running.set(request.draftId, run);
    try {
      return await run;
    } finally {
      this.running.delete(request.draftId);
    }
  }

  /** What became of a draft (the page asks while it shows "checking"). */
  async status(login: string, chat: ChatKey, draftId: string): Promise<DeskAnswer> {
    const known = await this.options.ledger.get(draftId);
    if (!known) return { state: 'unknown' };
    return this.answerFor(this.check(known, { ...chat, login, draftId }));
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.allSettled([...this.running.values(), ...this.background]);
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** A draft id belongs to one agent and one chat; anyone else's use of it is refused. */
  private check(record: SendRecord, request: ChatKey & { login: string; draftId: string }): SendRecord {
    if (
      record.login !== request.login ||
      record.businessId !== request.businessId ||
      record.chatId !== request.chatId
    ) {
      throw new HttpError(409, 'DRAFT_ID_TAKEN', 'this draft id belongs to another send; make a new one');
    }
    return record;
  }

  private async answerFor(record: SendRecord): Promise<DeskAnswer> {
    const inFlight = this.running.get(record.draftId);
    // A repeat of a send still being checked here waits the few moments for its answer (a double click).
    if (inFlight && record.state === 'checking') return inFlight;
    if (record.state !== 'checking' && record.state !== 'pending') return finalAnswer(record);
    if (!this.isStale(record)) return { state: 'checking' };
    // Its process is gone: settle it here (a pending one after the platform's window).
    const recovered = await this.recover(record, false);
    return recovered ?? { state: 'checking' };
  }

  private isStale(record: SendRecord): boolean {
    return record.owner !== this.owner && record.heartbeatMs < this.now() - this.staleAfterMs;
  }

  /** Takes the chat's send lock: undefined once held, or the answer to give instead. */
  private async lock(request: ReplyRequest): Promise<DeskAnswer | undefined> {
    const { ledger } = this.options;
    const content = request.content;
    const waitUntil = this.now() + this.lockWaitMs;
    for (;;) {
      const now = this.now();
      const begun = await ledger.begin({
        draftId: request.draftId,
        businessId: request.businessId,
        chatId: request.chatId,
        login: request.login,
        page: request.page,
        kind: 'text' in content ? 'text' : 'file',
        content: 'text' in content ? content.text : content.file.name,
        contentSha256: createHash('sha256')
          .update('text' in content ? content.text : content.file.data)
          .digest('hex'),
        ...('file' in content ? { fileSize: content.file.data.length } : {}),
        owner: this.owner,
        heartbeatMs: now,
        createdMs: now,
      });
      if (begun.begun) {
        this.hold(request.draftId);
        return undefined;
      }
      if ('existing' in begun) {
        const answer = await this.answerFor(this.check(begun.existing, request));
        if (answer.state === 'unknown') continue;
        return answer;
      }
      const holder = begun.busy;
      if (this.isStale(holder)) {
        await this.recover(holder, true);
        continue;
      }
      if (this.now() >= waitUntil) return { state: 'conflict', code: 'BUSY', by: holder.login };
      await sleep(200);
    }
  }

  private async checkAndSend(request: ReplyRequest): Promise<DeskAnswer> {
    const { ledger, api } = this.options;
    let read: AfterRead;
    try {
      read = await readAfter(api, request, request.seenMessageId);
    } catch (error) {
      await this.drop(request.draftId);
      return {
        state: 'notSent',
        code: 'CHECK_FAILED',
        message: `the chat could not be read before sending, so nothing was sent: ${messageOf(error)}`,
      };
    }
    const conflict = await this.repliedMeanwhile(request, read);
    if (conflict) {
      await this.drop(request.draftId);
      return conflict;
    }
    if (!(await ledger.markPending(request.draftId, this.owner, read.newest))) {
      this.release(request.draftId);
      return { state: 'checking' };
    }
    const outcome = await sendReply(api, request, request.content);
    const action: AuditAction =
      outcome.outcome === 'sent'
        ? 'text' in request.content
          ? 'sent'
          : 'file_sent'
        : outcome.outcome === 'maybeSent'
          ? 'maybe_sent'
          : 'send_failed';
    const describe =
      'text' in request.content
        ? request.content.text
        : `${request.content.file.name} (${request.content.file.data.length} B)`;
    const entry = await this.options.team.audit({
      login: request.login,
      action,
      businessId: request.businessId,
      chatId: request.chatId,
      detail: describe,
    });
    if (outcome.outcome === 'notSent') {
      await this.finish(request.draftId, {
        state: 'notSent',
        errorCode: outcome.code,
        errorMessage: outcome.message,
      });
      return { state: 'notSent', code: outcome.code, message: outcome.message };
    }
    await this.tookChat(request, request.login, entry.id);
    const record = await ledger.get(request.draftId);
    if (outcome.outcome === 'maybeSent') {
      // The page shows "may have been sent — checking…" and asks again; the answer comes from the history.
      if (record) this.inBackground(this.verify(record, this.now() + this.settleMs));
      return { state: 'checking' };
    }
    const messageId = await this.readBack(request, read.newest, request.content);
    await this.finish(
      request.draftId,
      messageId === undefined ? { state: 'sent' } : { state: 'sent', messageId },
    );
    return messageId === undefined ? { state: 'sent' } : { state: 'sent', messageId };
  }

  /** Seller messages after what the page showed that this page did not make; undefined when none. */
  private async repliedMeanwhile(request: ReplyRequest, read: AfterRead): Promise<DeskAnswer | undefined> {
    const sends = await this.options.ledger.sentIn(request, request.seenMessageId);
    const byMessage = new Map(sends.map((s) => [s.messageId, s]));
    const others = read.messages.filter((m) => {
      if (m.sender !== 'PARTNER') return false;
      const send = byMessage.get(Number(m.messageId));
      const ownEarlier = send && send.page === request.page && send.login === request.login;
      return !(ownEarlier && send.draftId !== request.resendOf);
    });
    if (others.length === 0) return undefined;
    const by = new Set<string>();
    let outside = false;
    for (const m of others) {
      const login = byMessage.get(Number(m.messageId))?.login;
      if (login === undefined) outside = true;
      else by.add(login);
    }
    return {
      state: 'conflict',
      code: 'REPLIED_MEANWHILE',
      by: [...by],
      outside,
      messages: read.messages.map((m) => ({
        messageId: Number(m.messageId),
        sender: m.sender,
        ...(m.message === undefined ? {} : { text: m.message }),
        createdAt: m.createdAt,
      })),
      newestMessageId: read.newest,
    };
  }

  /**
   * After a send: the chat's state and new messages into the store (every page re-reads from there), then
   * the send's own message id from what the store now holds, or from the platform when there is no store.
   */
  private async readBack(chat: ChatKey, mark: number, content: ReplyContent): Promise<number | undefined> {
    const fingerprint = fingerprintOf(content);
    try {
      const { source, api } = this.options;
      if (await this.refreshStore(chat)) {
        const recent = await source.history(chat.businessId, chat.chatId, { limit: 50 });
        const after = recent
          .filter((m) => m.messageId > mark)
          .map((m) => ({
            messageId: m.messageId,
            sender: m.sender as 'PARTNER',
            createdAt: m.createdAt,
            ...(m.text === undefined ? {} : { message: m.text }),
            payload: m.files.map((f) => ({ name: f.name, size: f.size, url: f.url })),
          }));
        const found = findSend(after, fingerprint).messageId;
        if (found !== undefined) return found;
      }
      return findSend((await readAfter(api, chat, mark)).messages, fingerprint).messageId;
    } catch (error) {
      // Sent is sent: a failed read-back only delays what the pages show until the next push or pass.
      this.options.onError?.(error);
      return undefined;
    }
  }

  /**
   * Settles a pending send from the history after its mark once the platform's window is over: the SDK's
   * verdict decides sent (once), failed (absent: sending again cannot make a second copy) or maybe.
   */
  private async verify(record: SendRecord, notBefore: number): Promise<Settled> {
    await sleep(notBefore - this.now());
    const fingerprint = fingerprintOf(
      record.kind === 'text'
        ? { text: record.content }
        : { file: { name: record.content, data: new Uint8Array(record.fileSize ?? 0) } },
    );
    let settled: Settled | undefined;
    for (let attempt = 0; attempt < 3 && settled === undefined; attempt++) {
      try {
        const found = findSend(
          (await readAfter(this.options.api, record, record.mark ?? 0)).messages,
          fingerprint,
        );
        if (found.verdict === 'delivered') {
          settled =
            found.messageId === undefined ? { state: 'sent' } : { state: 'sent', messageId: found.messageId };
        } else if (found.verdict === 'absent') {
          settled = {
            state: 'notSent',
            errorCode: 'NOT_SENT',
            errorMessage:
              'the platform did not take this reply (its history shows no copy); nothing reached the buyer',
          };
        } else {
          settled = {
            state: 'maybeSent',
            errorCode: 'UNSURE',
            errorMessage:
              'the chat has a message that may be this reply: look at the chat before sending again',
          };
        }
      } catch (error) {
        this.options.onError?.(error);
        if (attempt < 2) await sleep(this.heartbeatMs * 2);
      }
    }
    settled ??= {
      state: 'maybeSent',
      errorCode: 'UNVERIFIED',
      errorMessage: 'the chat could not be read to check this reply: look at the chat before sending again',
    };
    await this.finish(record.draftId, settled);
    if (settled.state === 'sent') await this.refreshStore(record);
    return settled;
  }

  /** The chat's state and new messages into the store; false when the source cannot (no store). */
  private async refreshStore(chat: ChatKey): Promise<boolean> {
    const refresh = this.options.source.refresh;
    if (!refresh) return false;
    try {
      await refresh.call(this.options.source, { businessId: chat.businessId, chatId: chat.chatId });
      return true;
    } catch (error) {
      this.options.onError?.(error);
      return false;
    }
  }

  /**
   * A row whose process is gone: take it (one taker wins), then a checking row is dropped (nothing of it
   * reached the API) and a pending one settled after the platform's window counted from its last sign of
   * life. `wait`: settle before returning (a send to the same chat waits for it); else in the background.
   */
  private async recover(record: SendRecord, wait: boolean): Promise<DeskAnswer | undefined> {
    const { ledger } = this.options;
    const lastAlive = record.heartbeatMs + this.heartbeatMs;
    if (!(await ledger.takeOver(record.draftId, this.owner, this.now() - this.staleAfterMs, this.now()))) {
      return undefined;
    }
    this.hold(record.draftId);
    if (record.state === 'checking') {
      await this.drop(record.draftId);
      return { state: 'unknown' };
    }
    const settling = this.verify(record, lastAlive + this.settleMs);
    if (!wait) {
      this.inBackground(settling);
      return { state: 'checking' };
    }
    await settling;
    return undefined;
  }

  private async finish(draftId: string, outcome: Settled): Promise<void> {
    try {
      await this.options.ledger.settle(draftId, this.owner, outcome, this.now());
    } finally {
      this.release(draftId);
    }
  }

  private async drop(draftId: string): Promise<void> {
    try {
      await this.options.ledger.discard(draftId, this.owner);
    } finally {
      this.release(draftId);
    }
  }

  /** Replying takes an unassigned chat; every page hears of the send. */
  private async tookChat(chat: ChatKey, login: string, auditId: number): Promise<void> {
    const { team, bus } = this.options;
    const before = await team.assignee(chat);
    if (before === undefined && (await team.claim(chat, login))) {
      bus.publish({ type: 'assigned', ...chat, assignee: login, by: login });
    }
    bus.publish({ type: 'sent', businessId: chat.businessId, chatId: chat.chatId, by: login, auditId });
  }

  private inBackground(work: Promise<unknown>): void {
    const tracked = work.catch((error: unknown) => this.options.onError?.(error));
    this.background.add(tracked);
    void tracked.finally(() => this.background.delete(tracked));
  }

  private hold(draftId: string): void {
    this.held.add(draftId);
    if (this.timer || this.closed) return;
    this.timer = setInterval(() => {
      this.options.ledger
        .heartbeat(this.owner, this.now())
        .catch((error: unknown) => this.options.onError?.(error));
    }, this.heartbeatMs);
    this.timer.unref();
  }

  private release(draftId: string): void {
    this.held.delete(draftId);
    if (this.held.size > 0 || !this.timer) return;
    clearInterval(this.timer);
    this.timer = undefined;
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
