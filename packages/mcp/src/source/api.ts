/**
 * Reading through the API. History comes oldest first and cannot be read backwards, so "the newest N"
 * and "since when has the buyer waited" walk every page: pages of 100 (the maximum) keep calls few, and a
 * cap keeps one tool call from eating the hourly quota on a huge chat.
 */
import type { ChatsApi, GetChatsRequest, Id } from '@ym-chats/sdk';
import { chatOut, messageOut } from '../shapes.js';
import {
  type ChatFilter,
  type ChatSource,
  type ChatsPage,
  type MessagesPage,
  type Tail,
  UnansweredTracker,
} from './source.js';

export const HISTORY_PAGE = 100;
/** 30 pages = 3000 messages; far beyond a normal buyer conversation. */
export const MAX_HISTORY_PAGES = 30;

export class ApiSource implements ChatSource {
  readonly kind = 'api';

  constructor(
    private readonly api: ChatsApi,
    private readonly businessId: Id,
  ) {}

  async listChats(filter: ChatFilter, pageToken: string | undefined, limit: number): Promise<ChatsPage> {
    const request: GetChatsRequest = {};
    if (filter.statuses) request.statuses = filter.statuses;
    if (filter.types) request.types = filter.types;
    if (filter.contextTypes) request.contextTypes = filter.contextTypes;
    const { result } = await this.api.getChats(this.businessId, request, pageToken, limit);
    const next = result.paging?.nextPageToken;
    const chats = result.chats.map(chatOut);
    return next === undefined ? { chats } : { chats, nextPageToken: next };
  }

  async getChat(chatId: number) {
    return chatOut((await this.api.getChat(this.businessId, chatId)).result);
  }

  async tail(chatId: number, keep: number): Promise<Tail> {
    const messages: Tail['messages'] = [];
    const unanswered = new UnansweredTracker();
    let total = 0;
    let pageToken: string | undefined;
    let pages = 0;
    do {
      const { result } = await this.api.getChatHistory(this.businessId, chatId, {}, pageToken, HISTORY_PAGE);
      pages++;
      for (const message of result.messages) {
        total++;
        messages.push(messageOut(message));
        if (messages.length > keep) messages.shift();
        unanswered.see(message.sender, message.createdAt);
      }
      pageToken = result.paging?.nextPageToken;
    } while (pageToken !== undefined && pages < MAX_HISTORY_PAGES);
    return { messages, total, complete: pageToken === undefined, unanswered: unanswered.value };
  }

  async page(
    chatId: number,
    from: { fromMessageId?: number; pageToken?: string },
    pageSize: number,
  ): Promise<MessagesPage> {
    const request = from.fromMessageId === undefined ? {} : { messageIdFrom: from.fromMessageId };
    const { result } = await this.api.getChatHistory(
      this.businessId,
      chatId,
      request,
      from.pageToken,
      pageSize,
    );
    const messages = result.messages.map(messageOut);
    const next = result.paging?.nextPageToken;
    return next === undefined ? { messages } : { messages, nextPageToken: next };
  }
}
