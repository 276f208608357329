/**
 * Reading from the sync store (`@ym-chats/sync`, filled by `ym-chats sync`): no API call, no quota. The
 * server does not depend on that package; it needs only these few reads, which `SyncStore` provides. Ids
 * come out of the store as bigint and are turned into numbers (every documented id fits).
 */
import { ToolError } from '../errors.js';
import type { ChatOut, MessageOut } from '../shapes.js';
import { WAITING_STATUS } from '../shapes.js';
import {
  type ChatFilter,
  type ChatSource,
  type ChatsPage,
  type MessagesPage,
  type SearchHit,
  type Tail,
  UnansweredTracker,
} from './source.js';

export interface StoredChat {
  chatId: bigint;
  type: string;
  status: string;
  contextType: string | null;
  orderId: bigint | null;
  returnId: bigint | null;
  customerName: string | null;
  customerPublicId: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface StoredMessage {
  messageId: bigint;
  sender: string;
  text: string | null;
  createdAt: string;
  files: { name: string; size: number }[];
}

/**
 * A word index over the store's messages (the sync store's read model, handed over by the CLI, since this
 * package reads no other of ours): candidates for a query, newest first, which search() still checks with
 * its own rule. `StoreMessageIndex` from @ym-chats/sync (re-exported by @ym-chats/inbox) is one.
 */
export interface MessageIndex {
  /**
   * Up to `limit` messages of the business that may contain `query`, newest first, older than
   * `beforeMessageId`; undefined when the index cannot help (never built for this store): then search scans.
   */
  candidates(
    businessId: bigint,
    query: string,
    options: { chatId?: bigint; sender?: string; beforeMessageId?: bigint; limit: number },
  ): Promise<(StoredMessage & { chatId: bigint })[] | undefined>;
  /**
   * The index's word rule for one text (word forms by Snowball stems: "возврата" matches "возврат"); a
   * message it matches is found beside those containing the query as written, whether search went
   * through the index or read every message.
   */
  matches?(text: string, query: string): boolean;
}

/** The reads the server needs; `SyncStore` from @ym-chats/sync has them (all but `index`). */
export interface ChatStore {
  chats(businessId: bigint, filter?: { statuses?: string[]; limit?: number }): Promise<StoredChat[]>;
  chat(businessId: bigint, chatId: bigint): Promise<StoredChat | undefined>;
  messages(
    businessId: bigint,
    chatId: bigint,
    options?: { afterMessageId?: bigint; limit?: number },
  ): Promise<StoredMessage[]>;
  runs(businessId: bigint, limit?: number): Promise<{ state: string; finishedAt: string | null }[]>;
  /** Makes search_messages read candidates from an index instead of every stored message. */
  index?: MessageIndex;
}

export function storedChatOut(chat: StoredChat): ChatOut {
  const out: ChatOut = {
    chatId: Number(chat.chatId),
    type: chat.type,
    status: chat.status,
    contextType: chat.contextType ?? (chat.orderId === null ? 'DIRECT' : 'ORDER'),
    createdAt: chat.createdAt,
    updatedAt: chat.updatedAt,
    waitingForSeller: chat.status === WAITING_STATUS,
  };
  if (chat.orderId !== null) out.orderId = Number(chat.orderId);
  if (chat.returnId !== null) out.returnId = Number(chat.returnId);
  if (chat.customerName !== null || chat.customerPublicId !== null) {
    out.customer = {};
    if (chat.customerName !== null) out.customer.name = chat.customerName;
    if (chat.customerPublicId !== null) out.customer.publicId = chat.customerPublicId;
  }
  return out;
}

export function storedMessageOut(message: StoredMessage): MessageOut {
  const out: MessageOut = {
    messageId: Number(message.messageId),
    createdAt: message.createdAt,
    sender: message.sender,
  };
  if (message.text !== null) out.text = message.text;
  if (message.files.length > 0) out.files = message.files.map((f) => ({ name: f.name, size: f.size }));
  return out;
}

/** Page tokens of this source: where the next page starts, in a shape no API token has. */
const CHATS_TOKEN = /^store-offset:(\d+)$/;
const MESSAGES_TOKEN = /^store-after:(\d+)$/;

function badToken(token: string): ToolError {
  return new ToolError(`pageToken "${token}" does not belong to this listing; start again without it.`);
}

export class StoreSource implements ChatSource {
  readonly kind = 'store';
  private readonly business: bigint;

  constructor(
    private readonly store: ChatStore,
    businessId: number | bigint,
  ) {
    this.business = BigInt(businessId);
  }

  /** When the mirror last finished a pass over this business (null: never). */
  async syncedAt(): Promise<string | null> {
    const runs = await this.store.runs(this.business, 20);
    return runs.find((run) => run.state === 'done' && run.finishedAt !== null)?.finishedAt ?? null;
  }

  async listChats(filter: ChatFilter, pageToken: string | undefined, limit: number): Promise<ChatsPage> {
    let offset = 0;
    if (pageToken !== undefined) {
      const match = CHATS_TOKEN.exec(pageToken);
      if (!match) throw badToken(pageToken);
      offset = Number(match[1]);
    }
    const rows = await this.store.chats(this.business, filter.statuses ? { statuses: filter.statuses } : {});
    const matching = rows.filter(
      (chat) =>
        (!filter.types || filter.types.includes(chat.type)) &&
        (!filter.contextTypes || filter.contextTypes.includes(storedChatOut(chat).contextType)),
    );
    const chats = matching.slice(offset, offset + limit).map(storedChatOut);
    const end = offset + limit;
    return end < matching.length ? { chats, nextPageToken: `store-offset:${end}` } : { chats };
  }

  async getChat(chatId: number): Promise<ChatOut> {
    const chat = await this.store.chat(this.business, BigInt(chatId));
    if (chat === undefined) {
      throw new ToolError(
        `Chat ${chatId} is not in the sync store (unknown, or newer than its last pass). Check the id with list_chats.`,
      );
    }
    return storedChatOut(chat);
  }

  async tail(chatId: number, keep: number): Promise<Tail> {
    await this.getChat(chatId);
    const all = await this.store.messages(this.business, BigInt(chatId));
    const unanswered = new UnansweredTracker();
    for (const message of all) unanswered.see(message.sender, message.createdAt);
    return {
      messages: all.slice(-keep).map(storedMessageOut),
      total: all.length,
      complete: true,
      unanswered: unanswered.value,
    };
  }

  async page(
    chatId: number,
    from: { fromMessageId?: number; pageToken?: string },
    pageSize: number,
  ): Promise<MessagesPage> {
    await this.getChat(chatId);
    let after = from.fromMessageId === undefined ? 0n : BigInt(from.fromMessageId) - 1n;
    if (from.pageToken !== undefined) {
      const match = MESSAGES_TOKEN.exec(from.pageToken);
      if (!match) throw badToken(from.pageToken);
      after = BigInt(match[1]!);
    }
    // One more than asked for tells whether a next page exists.
    const rows = await this.store.messages(this.business, BigInt(chatId), {
      afterMessageId: after,
      limit: pageSize + 1,
    });
    const messages = rows.slice(0, pageSize).map(storedMessageOut);
    const last = messages.at(-1);
    return rows.length > pageSize && last
      ? { messages, nextPageToken: `store-after:${last.messageId}` }
      : { messages };
  }

  /**
   * Case-insensitive substring search over message texts and file names, newest first, plus the index's
   * word forms when the store has an index (its `matches`: every query word as a word prefix or a form of
   * a word of the text). Through the index's candidates when it has been built, otherwise by reading every
   * message, with the same rule either way.
   */
  async search(
    query: string,
    options: { chatId?: number; sender?: string; limit: number },
  ): Promise<{ hits: SearchHit[]; scannedMessages: number }> {
    if (options.chatId !== undefined) await this.getChat(options.chatId);
    const matches = matcher(query, options.sender, this.store.index);
    const found = (await this.searchIndexed(query, options, matches)) ?? (await this.scan(options, matches));
    // Stored times are ISO 8601 UTC text of one shape, so text order is time order.
    found.hits.sort((a, b) =>
      a.createdAt === b.createdAt ? b.messageId - a.messageId : a.createdAt < b.createdAt ? 1 : -1,
    );
    return { hits: found.hits.slice(0, options.limit), scannedMessages: found.scannedMessages };
  }

  /** Candidates from the index, page by page, until `limit` of them match; undefined: no index. */
  private async searchIndexed(
    query: string,
    options: { chatId?: number; sender?: string; limit: number },
    matches: (message: StoredMessage) => boolean,
  ): Promise<{ hits: SearchHit[]; scannedMessages: number } | undefined> {
    const index = this.store.index;
    if (index === undefined) return undefined;
    const hits: SearchHit[] = [];
    let scannedMessages = 0;
    let before: bigint | undefined;
    for (;;) {
      const page = await index.candidates(this.business, query, {
        ...(options.chatId === undefined ? {} : { chatId: BigInt(options.chatId) }),
        ...(options.sender === undefined ? {} : { sender: options.sender }),
        ...(before === undefined ? {} : { beforeMessageId: before }),
        limit: INDEX_PAGE,
      });
      if (page === undefined) return undefined;
      scannedMessages += page.length;
      for (const message of page) {
        if (matches(message)) hits.push({ chatId: Number(message.chatId), ...storedMessageOut(message) });
      }
      if (hits.length >= options.limit || page.length < INDEX_PAGE) return { hits, scannedMessages };
      before = page.at(-1)!.messageId;
    }
  }

  /** Every message of the business (or of one chat), read chat by chat. */
  private async scan(
    options: { chatId?: number },
    matches: (message: StoredMessage) => boolean,
  ): Promise<{ hits: SearchHit[]; scannedMessages: number }> {
    const chatIds =
      options.chatId === undefined
        ? (await this.store.chats(this.business)).map((chat) => chat.chatId)
        : [BigInt(options.chatId)];
    const hits: SearchHit[] = [];
    let scannedMessages = 0;
    for (const chatId of chatIds) {
      for (const message of await this.store.messages(this.business, chatId)) {
        scannedMessages++;
        if (matches(message)) hits.push({ chatId: Number(chatId), ...storedMessageOut(message) });
      }
    }
    return { hits, scannedMessages };
  }
}

/** How many index candidates one read takes. */
const INDEX_PAGE = 200;

/**
 * What search_messages finds: from `sender`, the query in the text or a file name (case-insensitive), or
 * the text matching by the index's word rule.
 */
function matcher(
  query: string,
  sender: string | undefined,
  index: MessageIndex | undefined,
): (message: StoredMessage) => boolean {
  const needle = query.toLocaleLowerCase();
  return (message) =>
    (sender === undefined || message.sender === sender) &&
    ([message.text ?? '', ...message.files.map((f) => f.name)]
      .join('\n')
      .toLocaleLowerCase()
      .includes(needle) ||
      (message.text !== null && index?.matches?.(message.text, query) === true));
}
