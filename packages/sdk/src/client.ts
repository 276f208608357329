import { ChatsApiError } from './core/errors.js';
import type { ClientOptions, RequestOptions } from './core/options.js';
import { paginate } from './core/pagination.js';
import type { QuotaSnapshot } from './core/rate-limit.js';
import { Core } from './core/request.js';
import { sleep } from './core/sleep.js';
import { multipartFile } from './core/upload.js';
import { checkId, checkLimit, checkMessageText, checkObject, checkPageToken } from './core/validate.js';
import { encodeChatsFilter, encodeCreateChat, encodeHistoryRequest, rejectUnknown } from './encode.js';
import type { OperationId } from './operations.js';
import type {
  Chat,
  ChatMessage,
  CreateChatRequest,
  CreateChatResponse,
  EmptyApiResponse,
  FileInput,
  GetChatHistoryRequest,
  GetChatHistoryResponse,
  GetChatMessageResponse,
  GetChatResponse,
  GetChatsRequest,
  GetChatsResponse,
  Id,
  SendMessageToChatRequest,
} from './types.js';

export interface IterateOptions {
  /** Page size: getChats 1–20, getChatHistory 1–100. */
  limit?: number;
  /** Resume from a token saved earlier. */
  pageToken?: string;
  signal?: AbortSignal;
}

/** How far back the verified resend looks for a message, allowing for clock skew with the platform. */
const VERIFY_SKEW_MS = 5 * 60_000;
/** The platform gives up on a request after 10 s; after that an unanswered send can no longer land. */
const PLATFORM_TIMEOUT_MS = 10_000;

/**
 * The Yandex Market Partner API chat methods. Method names and parameter order follow the official
 * generated `ChatsApi`; every method also takes per-call options last.
 *
 * ```ts
 * const api = new ChatsApi({ apiKey: process.env.YM_API_KEY, pathPrefix: '/v2' });
 * for await (const chat of api.iterateChats(businessId, { statuses: ['WAITING_FOR_PARTNER'] })) { … }
 * ```
 */
export class ChatsApi {
  private readonly core: Core;
  private readonly tokenParam: string;

  constructor(private readonly options: ClientOptions) {
    this.core = new Core(options);
    // The seed documented `page_token`; the current API names it `pageToken` (and still accepts the alias).
    this.tokenParam = options.pathPrefix === '/v2' ? 'pageToken' : 'page_token';
  }

  /** Starts a chat about an order or a return, or returns the existing one for that context. */
  async createChat(
    businessId: Id,
    createChatRequest: CreateChatRequest,
    options?: RequestOptions,
  ): Promise<CreateChatResponse> {
    const business = checkId(businessId, 'businessId', 'createChat');
    const body = encodeCreateChat(createChatRequest);
    return this.json('createChat', business, '', body, options);
  }

  /** One page of a chat's messages, oldest first. */
  async getChatHistory(
    businessId: Id,
    chatId: Id,
    getChatHistoryRequest: GetChatHistoryRequest = {},
    pageToken?: string,
    limit?: number,
    options?: RequestOptions,
  ): Promise<GetChatHistoryResponse> {
    const op = 'getChatHistory';
    const business = checkId(businessId, 'businessId', op);
    const query = this.pageQuery(
      `chatId=${checkId(chatId, 'chatId', op)}`,
      op,
      pageToken,
      checkLimit(limit, op),
    );
    return this.json(op, business, query, encodeHistoryRequest(getChatHistoryRequest), options);
  }

  /** One page of the business's chats, filtered. */
  async getChats(
    businessId: Id,
    getChatsRequest: GetChatsRequest = {},
    pageToken?: string,
    limit?: number,
    options?: RequestOptions,
  ): Promise<GetChatsResponse> {
    const op = 'getChats';
    const business = checkId(businessId, 'businessId', op);
    const query = this.pageQuery('', op, pageToken, checkLimit(limit, op));
    return this.json(op, business, query, encodeChatsFilter(getChatsRequest), options);
  }

  /**
   * Sends a file (at most 5 MB) to the buyer. `file` is a path, a `Blob`/`File`, or `{ data, name }`.
   * Never repeated after the request may have reached the platform (see `verifiedResend`).
   */
  async sendFileToChat(
    businessId: Id,
    chatId: Id,
    file: FileInput,
    options?: RequestOptions,
  ): Promise<EmptyApiResponse> {
    const op = 'sendFileToChat';
    const business = checkId(businessId, 'businessId', op);
    const chat = checkId(chatId, 'chatId', op);
    const multipart = await multipartFile(file);
    const send = () =>
      this.core.call<EmptyApiResponse>({
        operation: op,
        business,
        query: `chatId=${chat}`,
        body: multipart.body,
        contentType: multipart.contentType,
        options,
      });
    return this.sendOnce(business, chat, send, options, (m) =>
      (m.payload ?? []).some(
        (p) => p.size === multipart.size && (p.name === multipart.name || p.name === ''),
      ),
    );
  }

  /**
   * Sends a text message (1–4096 characters) to the buyer. Never repeated after the request may have
   * reached the platform (see `verifiedResend`).
   */
  async sendMessageToChat(
    businessId: Id,
    chatId: Id,
    sendMessageToChatRequest: SendMessageToChatRequest,
    options?: RequestOptions,
  ): Promise<EmptyApiResponse> {
    const op = 'sendMessageToChat';
    const business = checkId(businessId, 'businessId', op);
    const chat = checkId(chatId, 'chatId', op);
    const request = checkObject(sendMessageToChatRequest, 'sendMessageToChatRequest', op);
    rejectUnknown(request, ['message'], 'sendMessageToChatRequest', op);
    const message = checkMessageText(request.message, 'sendMessageToChatRequest.message');
    const body = JSON.stringify({ message });
    const send = () => this.json<EmptyApiResponse>(op, business, `chatId=${chat}`, body, options);
    return this.sendOnce(business, chat, send, options, (m) => m.message === message);
  }

  /** One chat by id (current API). */
  async getChat(businessId: Id, chatId: Id, options?: RequestOptions): Promise<GetChatResponse> {
    const op = 'getChat';
    const business = checkId(businessId, 'businessId', op);
    return this.core.call({
      operation: op,
      business,
      query: `chatId=${checkId(chatId, 'chatId', op)}`,
      options,
    });
  }

  /** One message by id (current API); the usual answer to a CHAT_MESSAGE_SENT notification. */
  async getChatMessage(
    businessId: Id,
    chatId: Id,
    messageId: Id,
    options?: RequestOptions,
  ): Promise<GetChatMessageResponse> {
    const op = 'getChatMessage';
    const business = checkId(businessId, 'businessId', op);
    const query = `chatId=${checkId(chatId, 'chatId', op)}&messageId=${checkId(messageId, 'messageId', op)}`;
    return this.core.call({ operation: op, business, query, options });
  }

  /** Every chat matching the filter, page after page. */
  iterateChats(
    businessId: Id,
    filter: GetChatsRequest = {},
    options: IterateOptions = {},
  ): AsyncGenerator<Chat> {
    checkLimit(options.limit, 'getChats');
    return paginate(
      async ({ pageToken, signal }) => {
        const { result } = await this.getChats(
          businessId,
          filter,
          pageToken,
          options.limit,
          signalOnly(signal),
        );
        return { items: result.chats, nextPageToken: result.paging?.nextPageToken };
      },
      this.iterateOptions(options, 'getChats'),
    );
  }

  /** Every message of a chat from `messageIdFrom` (inclusive) or the oldest, page after page. */
  iterateChatHistory(
    businessId: Id,
    chatId: Id,
    request: GetChatHistoryRequest = {},
    options: IterateOptions = {},
  ): AsyncGenerator<ChatMessage> {
    checkLimit(options.limit, 'getChatHistory');
    return paginate(
      async ({ pageToken, signal }) => {
        const page = signalOnly(signal);
        const { result } = await this.getChatHistory(
          businessId,
          chatId,
          request,
          pageToken,
          options.limit,
          page,
        );
        return { items: result.messages, nextPageToken: result.paging?.nextPageToken };
      },
      this.iterateOptions(options, 'getChatHistory'),
    );
  }

  /** Quota figures per operation for a business, as the limiter knows them (from response headers). */
  quotaState(businessId: Id): Promise<QuotaSnapshot[]> {
    return this.core.quota(checkId(businessId, 'businessId'));
  }

  private json<T>(
    operation: OperationId,
    business: string,
    query: string,
    body: string,
    options: RequestOptions | undefined,
  ): Promise<T> {
    return this.core.call<T>({ operation, business, query, body, contentType: 'application/json', options });
  }

  private pageQuery(
    base: string,
    op: OperationId,
    pageToken: string | undefined,
    limit: number | undefined,
  ): string {
    const parts = base === '' ? [] : [base];
    const token = checkPageToken(pageToken, op);
    if (token !== undefined) parts.push(`${this.tokenParam}=${encodeURIComponent(token)}`);
    if (limit !== undefined) parts.push(`limit=${limit}`);
    return parts.join('&');
  }

  private iterateOptions(options: IterateOptions, op: OperationId) {
    return {
      pageToken: checkPageToken(options.pageToken, op),
      signal: options.signal,
      onRepeatedToken: (token: string) =>
        this.core.log('warn', `${op}: the server repeated page token ${token}; stopping the iteration`, {
          operation: op,
        }),
    };
  }

  /**
   * Runs a send. If it fails in a way that leaves delivery unknown and verified resend is on, looks for
   * the message in the chat history and sends again only when it is not there.
   */
  private async sendOnce(
    business: string,
    chat: string,
    send: () => Promise<EmptyApiResponse>,
    options: RequestOptions | undefined,
    matches: (message: ChatMessage) => boolean,
  ): Promise<EmptyApiResponse> {
    const verify = options?.verifiedResend ?? this.options.verifiedResend ?? false;
    const settleMs = this.options.retry?.verifySettleMs ?? PLATFORM_TIMEOUT_MS;
    const since = Date.now() - VERIFY_SKEW_MS;
    let resends = options?.maxRetries ?? this.options.maxRetries ?? 3;
    let ambiguous: ChatsApiError | undefined;
    for (;;) {
      const attemptStarted = Date.now();
      try {
        return await send();
      } catch (error) {
        if (!(error instanceof ChatsApiError)) throw error;
        if (!error.maybeSent) {
          // A clean failure after an earlier ambiguous attempt: that attempt may still be delivered.
          throw ambiguous ?? error;
        }
        if (!verify || resends <= 0) throw error;
        ambiguous = error;
        resends -= 1;
        // The platform may still be processing the request: look only once it can no longer land.
        const wait = settleMs - (Date.now() - attemptStarted);
        let delivered: boolean;
        try {
          if (wait > 0) await sleep(wait, options?.signal);
          delivered = await this.findSent(business, chat, since, matches, options?.signal);
        } catch {
          throw error;
        }
        if (delivered) {
          this.core.log('info', 'send: after an ambiguous failure the history check found the message', {
            chatId: chat,
          });
          return { status: 'OK' };
        }
        this.core.log('warn', 'send: the history check did not find the message; sending it again', {
          chatId: chat,
        });
      }
    }
  }

  private async findSent(
    business: string,
    chat: string,
    since: number,
    matches: (message: ChatMessage) => boolean,
    signal: AbortSignal | undefined,
  ): Promise<boolean> {
    for await (const message of this.iterateChatHistory(
      BigInt(business),
      BigInt(chat),
      {},
      { limit: 100, ...signalOnly(signal) },
    )) {
      if (message.sender === 'PARTNER' && Date.parse(message.createdAt) >= since && matches(message))
        return true;
    }
    return false;
  }
}

function signalOnly(signal: AbortSignal | undefined): { signal: AbortSignal } | undefined {
  return signal === undefined ? undefined : { signal };
}
