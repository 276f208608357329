/**
 * Every reply goes out here, once, and only after the chat was read from the platform itself:
 *
 * 1. a draft id already in the ledger gets its recorded outcome (a double click, a page that lost the
 *    answer and asks again, another process's send) — never a second request to the API;
 * 2. a chat assigned to a colleague asks first, unless the agent accepted that very assignee;
 * 3. the chat's send lock (the ledger's one open row per chat; a gone holder's row is settled first);
 * 4. one getChatHistory after the newest message the page showed: a seller message there that the page
 *    does not know as its own (the cabinet, another integration, a colleague, the agent's other tab, or
 *    an earlier send of its own it never saw arrive) asks first;
 * 5. the send, with the newest message id as its mark. From the moment the request may leave, the row is
 *    only ever settled, never dropped: `maybeSent`, or anything going wrong after, is settled the SDK's
 *    way (settle.ts) in the background while the page asks again;
 * 6. the reply and the chat's new status read back into the store, so every page shows them at once.
 */
import { createHash, randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { type ChatsApi, SEND_SETTLE_MS, type SendOutcome } from '@ym-chats/sdk';
import { HttpError } from '../http/respond.js';
import type { LiveBus } from '../live/bus.js';
import type { AuditAction, TeamStore } from '../team/team-store.js';
import type { ChatKey, InboxSource } from '../types.js';
import type { SendLedgerStore, SendRecord, Settled } from './ledger.js';
import { Heartbeat, Liveness } from './liveness.js';
import { type AfterRead, findSend, fingerprintOf, readAfter } from './platform.js';
import { type ReplyContent, sendReply } from './send.js';
import { judgeSend, type UnsettledSend } from './settle.js';

export interface ReplyRequest extends ChatKey {
  login: string;
  /** The page (tab) sending. */
  page: string;
  draftId: string;
  content: ReplyContent;
  /** The newest message the page showed when the draft was started. */
  seenMessageId: number;
  /**
   * Message ids this page was told it sent (answers of `sent`): not "someone else's" even before the
   * page shows them. A send of its own it never saw arrive is asked about like anyone's.
   */
  ownMessageIds?: readonly number[];
  /** The assignee the agent agreed to reply over ("Assigned to Anna — reply anyway?"). */
  acceptAssignee?: string;
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
      /** CHAT_MOVED_ON: more arrived than one check reads; nothing was judged, the agent decides. */
      code: 'REPLIED_MEANWHILE' | 'CHAT_MOVED_ON';
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
  /** A row whose heartbeat this process saw unchanged this long belongs to a process that is gone. Default 10 s. */
  staleAfterMs?: number;
  /** How long after a send's request it can no longer land (the platform's window + margin). Default 11 s. */
  settleMs?: number;
  /** How long a send waits for another one to the same chat. Default 20 s. */
  lockWaitMs?: number;
  now?: () => number;
  onError?: (error: unknown) => void;
  /**
   * Told once per reply that went to the send step, with the SDK's outcome (`notSent` too when the chat
   * could not be read first, so nothing left): what the composition counts (`serve`'s metrics).
   */
  onOutcome?: (outcome: SendOutcome['outcome'], chat: ChatKey) => void;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms)));

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

function unsettled(request: ReplyRequest, mark: number): UnsettledSend {
  const { content } = request;
  return {
    draftId: request.draftId,
    businessId: request.businessId,
    chatId: request.chatId,
    mark,
    ...('text' in content
      ? { kind: 'text' as const, content: content.text }
      : { kind: 'file' as const, content: content.file.name, fileSize: content.file.data.length }),
  };
}

export class ReplyDesk {
  /** Which process holds a ledger row (unique per start, so a restarted process is someone else). */
  readonly owner = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private readonly running = new Map<string, Promise<DeskAnswer>>();
  private readonly background = new Set<Promise<unknown>>();
  private readonly heartbeat: Heartbeat;
  private readonly liveness: Liveness;
  private readonly now: () => number;
  private readonly onError: (error: unknown) => void;
  private readonly heartbeatMs: number;
  private readonly settleMs: number;
  private readonly lockWaitMs: number;

  constructor(private readonly options: DeskOptions) {
    this.now = options.now ?? Date.now;
    this.onError = options.onError ?? (() => undefined);
    this.heartbeatMs = options.heartbeatMs ?? 2000;
    this.settleMs = options.settleMs ?? SEND_SETTLE_MS;
    this.lockWaitMs = options.lockWaitMs ?? 20_000;
    this.heartbeat = new Heartbeat(options.ledger, this.owner, this.heartbeatMs, this.now, this.onError);
    this.liveness = new Liveness(this.heartbeat, options.staleAfterMs ?? 10_000, this.heartbeatMs, this.now);
  }

  /** Sends a reply once (see the module comment); the same draft id always gets the same outcome. */
  async send(request: ReplyRequest): Promise<DeskAnswer> {
    const known = await this.options.ledger.get(request.draftId);
    if (known) {
      const answer = await this.answerFor(this.check(known, request));
      // A gone process's row that never reached the API is dropped now: this request sends it.
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
    await Promise.allSettled([...this.running.values(), ...this.background]);
    this.heartbeat.stop();
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
    const goneSince = this.liveness.goneSince(record);
    if (goneSince === undefined) return { state: 'checking' };
    return (await this.recover(record, goneSince, false)) ?? { state: 'checking' };
  }

  /** Takes the chat's send lock: undefined once held, or the answer to give instead. */
  private async lock(request: ReplyRequest): Promise<DeskAnswer | undefined> {
    const { content } = request;
    const waitUntil = this.now() + this.lockWaitMs;
    for (;;) {
      const now = this.now();
      const begun = await this.options.ledger.begin({
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
        this.heartbeat.hold(request.draftId);
        return undefined;
      }
      if ('existing' in begun) {
        const answer = await this.answerFor(this.check(begun.existing, request));
        if (answer.state === 'unknown') continue;
        return answer;
      }
      const holder = begun.busy;
      const goneSince = this.liveness.goneSince(holder);
      if (goneSince !== undefined) {
        await this.recover(holder, goneSince, true);
        continue;
      }
      if (this.now() >= waitUntil) return { state: 'conflict', code: 'BUSY', by: holder.login };
      await sleep(200);
    }
  }

  private async checkAndSend(request: ReplyRequest): Promise<DeskAnswer> {
    const { ledger, api } = this.options;
    // Until the row is pending nothing can have left: any failure drops it and says so.
    let read: AfterRead | undefined;
    try {
      read = await readAfter(api, request, request.seenMessageId);
      const question = read && (await this.question(request, read));
      if (!read || question) {
        await this.drop(request.draftId);
        if (question) return question;
        throw new HttpError(
          409,
          'BAD_SEEN',
          'the newest message the page showed is not in this chat on the platform; reload the chat',
        );
      }
      if (!(await ledger.markPending(request.draftId, this.owner, read.newest))) {
        this.heartbeat.release(request.draftId);
        return { state: 'checking' };
      }
    } catch (error) {
      await this.drop(request.draftId).catch(this.onError);
      if (error instanceof HttpError) throw error;
      this.tell('notSent', request);
      return {
        state: 'notSent',
        code: 'CHECK_FAILED',
        message: `the chat could not be read before sending, so nothing was sent: ${messageOf(error)}`,
      };
    }
    // From here the request may reach the platform: the row is settled, never dropped.
    const mark = read.newest;
    let outcome: SendOutcome;
    try {
      outcome = await sendReply(api, request, request.content);
    } catch (error) {
      // Not an answer from the API (a bug): whether it left is unknown, so the history will tell.
      this.onError(error);
      this.tell('maybeSent', request);
      this.settleLater(unsettled(request, mark), this.now() + this.settleMs);
      return { state: 'checking' };
    }
    this.tell(outcome.outcome, request);
    // A reply that went out is read back while its row still holds the chat's lock, and its message id is
    // written with the outcome: the send that waited for the lock, asking who replied meanwhile, then
    // names this agent rather than "someone outside the inbox".
    const messageId =
      outcome.outcome === 'sent' ? await this.readBack(request, mark, request.content) : undefined;
    const settled: Settled | undefined =
      outcome.outcome === 'sent'
        ? messageId === undefined
          ? { state: 'sent' }
          : { state: 'sent', messageId }
        : outcome.outcome === 'notSent'
          ? { state: 'notSent', errorCode: outcome.code, errorMessage: outcome.message }
          : undefined;
    if (settled === undefined || !(await this.finish(request.draftId, settled))) {
      // maybeSent, or the outcome could not be written: the page shows "checking" and asks again.
      this.settleLater(unsettled(request, mark), this.now() + this.settleMs);
    }
    await this.afterSend(request, outcome);
    if (outcome.outcome === 'notSent') {
      return { state: 'notSent', code: outcome.code, message: outcome.message };
    }
    if (outcome.outcome === 'maybeSent') return { state: 'checking' };
    return messageId === undefined ? { state: 'sent' } : { state: 'sent', messageId };
  }

  /** The composition's observer; its failure is reported, never the send's. */
  private tell(outcome: SendOutcome['outcome'], chat: ChatKey): void {
    try {
      this.options.onOutcome?.(outcome, { businessId: chat.businessId, chatId: chat.chatId });
    } catch (error) {
      this.onError(error);
    }
  }

  /** The audit trail, taking an unassigned chat, the live event: after the fact, never failing the send. */
  private async afterSend(request: ReplyRequest, outcome: SendOutcome): Promise<void> {
    const { team, bus } = this.options;
    const action: AuditAction =
      outcome.outcome === 'sent'
        ? 'text' in request.content
          ? 'sent'
          : 'file_sent'
        : outcome.outcome === 'maybeSent'
          ? 'maybe_sent'
          : 'send_failed';
    const detail =
      'text' in request.content
        ? request.content.text
        : `${request.content.file.name} (${request.content.file.data.length} B)`;
    try {
      const chat = { businessId: request.businessId, chatId: request.chatId };
      const entry = await team.audit({ login: request.login, action, ...chat, detail });
      if (outcome.outcome === 'notSent') return;
      // Replying takes the chat when nobody holds it.
      if ((await team.assignee(chat)) === undefined && (await team.claim(chat, request.login))) {
        bus.publish({ type: 'assigned', ...chat, assignee: request.login, by: request.login });
      }
      bus.publish({ type: 'sent', ...chat, by: request.login, auditId: entry.id });
    } catch (error) {
      this.onError(error);
    }
  }

  /** A question for the agent instead of a send, when the chat moved on since the page looked. */
  private async question(request: ReplyRequest, read: AfterRead): Promise<DeskAnswer | undefined> {
    const sends = await this.options.ledger.sentIn(request, request.seenMessageId);
    const byMessage = new Map(sends.map((s) => [s.messageId, s]));
    const own = new Set(request.ownMessageIds ?? []);
    const others = read.messages.filter((m) => {
      if (m.sender !== 'PARTNER') return false;
      const id = Number(m.messageId);
      const send = byMessage.get(id);
      return !(own.has(id) && send?.page === request.page && send.login === request.login);
    });
    if (others.length === 0 && read.complete) return undefined;
    const by = new Set<string>();
    let outside = false;
    for (const m of others) {
      const login = byMessage.get(Number(m.messageId))?.login;
      if (login === undefined) outside = true;
      else by.add(login);
    }
    return {
      state: 'conflict',
      code: read.complete ? 'REPLIED_MEANWHILE' : 'CHAT_MOVED_ON',
      by: [...by],
      outside,
      messages: read.messages.slice(-50).map((m) => ({
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
      const read = await readAfter(api, chat, mark);
      return read && findSend(read.messages, fingerprint).messageId;
    } catch (error) {
      // Sent is sent: a failed read-back only delays what the pages show until the next push or pass.
      this.onError(error);
      return undefined;
    }
  }

  /** The chat's state and new messages into the store; false when the source cannot (no store). */
  private async refreshStore(chat: ChatKey): Promise<boolean> {
    const { source } = this.options;
    if (!source.refresh) return false;
    try {
      await source.refresh({ businessId: chat.businessId, chatId: chat.chatId });
      return true;
    } catch (error) {
      this.onError(error);
      return false;
    }
  }

  /** Settles a pending send from the history once the platform's window is over, in the background. */
  private settleLater(send: UnsettledSend, notBefore: number): void {
    this.heartbeat.hold(send.draftId);
    this.inBackground(this.settleFromHistory(send, notBefore));
  }

  private async settleFromHistory(send: UnsettledSend, notBefore: number): Promise<void> {
    await sleep(notBefore - this.now());
    const settled = await judgeSend(this.options.api, send, sleep, this.heartbeatMs * 2, this.onError);
    // Not written (the database is away): the row's heartbeat stops, and whoever meets it next settles it.
    if (!(await this.finish(send.draftId, settled))) return;
    if (settled.state === 'sent') await this.refreshStore(send);
  }

  /**
   * A row whose process is gone: take it (one taker wins: its heartbeat must still be the one watched),
   * then a checking row is dropped (nothing of it reached the API) and a pending one settled after the
   * platform's window counted from its holder's last possible request. `wait`: settle before returning
   * (a send to the same chat waits for it); else in the background.
   */
  private async recover(
    record: SendRecord,
    goneSince: number,
    wait: boolean,
  ): Promise<DeskAnswer | undefined> {
    const took = await this.options.ledger.takeOver(
      record.draftId,
      this.owner,
      record.heartbeatMs,
      this.now(),
    );
    this.liveness.forget(record.draftId);
    if (!took) return undefined;
    this.heartbeat.hold(record.draftId);
    if (record.state === 'checking' || record.mark === undefined) {
      await this.drop(record.draftId);
      return { state: 'unknown' };
    }
    const send: UnsettledSend = {
      draftId: record.draftId,
      businessId: record.businessId,
      chatId: record.chatId,
      kind: record.kind,
      content: record.content,
      mark: record.mark,
      ...(record.fileSize === undefined ? {} : { fileSize: record.fileSize }),
    };
    if (!wait) {
      this.settleLater(send, goneSince + this.settleMs);
      return { state: 'checking' };
    }
    await this.settleFromHistory(send, goneSince + this.settleMs);
    return undefined;
  }

  /** Writes a pending row's outcome; false when it could not be written. Releases the row either way. */
  private async finish(draftId: string, outcome: Settled): Promise<boolean> {
    try {
      return await this.options.ledger.settle(draftId, this.owner, outcome, this.now());
    } catch (error) {
      this.onError(error);
      return false;
    } finally {
      this.heartbeat.release(draftId);
    }
  }

  private async drop(draftId: string): Promise<void> {
    try {
      await this.options.ledger.discard(draftId, this.owner);
    } finally {
      this.heartbeat.release(draftId);
    }
  }

  private inBackground(work: Promise<unknown>): void {
    const tracked = work.catch(this.onError);
    this.background.add(tracked);
    void tracked.finally(() => this.background.delete(tracked));
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
