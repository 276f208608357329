import { Core } from './core/attempts.js';
import { type ClientOptions, DEFAULT_BASE_URL, type RequestOptions } from './core/options.js';
import { paginate } from './core/pagination.js';
import type { SendFingerprint } from './core/policy.js';
import type { QuotaSnapshot } from './core/rate-limit.js';
import { multipartFile } from './core/upload.js';
import { checkId, checkLimit, checkMessageText, checkObject, checkPageToken } from './core/validate.js';
import { SendGuard } from './core/verified-send.js';
import {
  encodeBusinessOrdersRequest,
  encodeChatsFilter,
  encodeCreateChat,
  encodeHistoryRequest,
  rejectUnknown,
} from './encode.js';
import type { OperationId } from './operations.js';
import type {
  BusinessOrder,
  GetBusinessOrdersRequest,
  GetBusinessOrdersResponse,
  GetReturnResponse,
} from './order-types.js';
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
  /** Page size: getChats 1–20, getChatHistory 1–100, getBusinessOrders 1–50. */
  limit?: number;
  /** Resume from a token saved earlier. */
  pageToken?: string;
  signal?: AbortSignal;
}

const INSPECT = Symbol.for('nodejs.util.inspect.custom');

/**
 * The Yandex Market Partner API chat methods, and the order and return reads a chat's context points at
 * (`getBusinessOrders`, `getReturn`). Method names and parameter order follow the official generated
 * clients (path ids, then the body, then query parameters); every method also takes per-call options last.
 *
 * ```ts
 * const api = new ChatsApi({ apiKey: process.env.YM_API_KEY });
 * for await (const chat of api.iterateChats(businessId, { statuses: ['WAITING_FOR_PARTNER'] })) { … }
 * ```
 *
 * Printing or serializing a client (`console.log`, `util.inspect`, `JSON.stringify`, `String`) shows its
 * base URL and path prefix only: credentials live in private fields.
 */
export class ChatsApi {
  readonly #core: Core;
  readonly #sends: SendGuard;
  readonly #tokenParam: string;
  readonly #describe: { baseUrl: string; pathPrefix: string };

  constructor(options: ClientOptions) {
    this.#core = new Core(options);
    this.#sends = new SendGuard(
      this.#core,
      (business, chat, messageIdFrom, page) => this.#history(business, chat, messageIdFrom, page),
      options.verifiedResend ?? false,
    );
    const pathPrefix = options.pathPrefix ?? '/v2';
    // The seed documented `page_token`; the current API names it `pageToken` (and still accepts the alias).
    this.#tokenParam = pathPrefix === '' ? 'page_token' : 'pageToken';
    this.#describe = { baseUrl: options.baseUrl ?? DEFAULT_BASE_URL, pathPrefix };
  }

  toJSON(): { baseUrl: string; pathPrefix: string } {
    return { ...this.#describe };
  }

  toString(): string {
    return `ChatsApi(${this.#describe.baseUrl}${this.#describe.pathPrefix})`;
  }

  [INSPECT](): string {
    return `ChatsApi { baseUrl: '${this.#describe.baseUrl}', pathPrefix: '${this.#describe.pathPrefix}' }`;
  }

  /** Starts a chat about an order or a return, or returns the existing one for that context. */
  async createChat(
    businessId: Id,
    createChatRequest: CreateChatRequest,
    options?: RequestOptions,
  ): Promise<CreateChatResponse> {
    const business = checkId(businessId, 'businessId', 'createChat');
    const body = encodeCreateChat(createChatRequest);
    return this.#json('createChat', business, '', body, options);
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
    const query = this.#pageQuery(
      `chatId=${checkId(chatId, 'chatId', op)}`,
      op,
      pageToken,
      checkLimit(limit, op),
    );
    return this.#json(op, business, query, encodeHistoryRequest(getChatHistoryRequest), options);
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
    const query = this.#pageQuery('', op, pageToken, checkLimit(limit, op));
    return this.#json(op, business, query, encodeChatsFilter(getChatsRequest), options);
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
    return this.#send(op, business, chat, multipart, options, {
      kind: 'file',
      name: multipart.name,
      size: multipart.size,
    });
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
    return this.#send(op, business, chat, { body, contentType: 'application/json' }, options, {
      kind: 'text',
      text: message,
    });
  }

  /** One chat by id (current API). */
  async getChat(businessId: Id, chatId: Id, options?: RequestOptions): Promise<GetChatResponse> {
    const op = 'getChat';
    const business = checkId(businessId, 'businessId', op);
    return this.#core.call({
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
    return this.#core.call({ operation: op, business, query, options });
  }

  /**
   * One page of the business's orders, filtered: by `orderIds` (at most 50), the orders a chat names.
   * Counted per business (10 000 an hour, 6 in parallel apart from the chat methods' 4). A key issued
   * for chats only gets a `MissingScopeError`.
   */
  async getBusinessOrders(
    businessId: Id,
    getBusinessOrdersRequest: GetBusinessOrdersRequest = {},
    pageToken?: string,
    limit?: number,
    options?: RequestOptions,
  ): Promise<GetBusinessOrdersResponse> {
    const op = 'getBusinessOrders';
    const business = checkId(businessId, 'businessId', op);
    const query = this.#pageQuery('', op, pageToken, checkLimit(limit, op));
    const body = encodeBusinessOrdersRequest(getBusinessOrdersRequest);
    return this.#core.call({
      operation: op,
      business,
      pathIds: [business],
      query,
      body,
      contentType: 'application/json',
      options,
    });
  }

  /**
   * One return (or unredeemed order) of an order, as a RETURN chat's context names it (`campaignId`,
   * `orderId`, `returnId`). Counted per campaign (7 000 an hour). A key issued for chats only gets a
   * `MissingScopeError`.
   */
  async getReturn(
    campaignId: Id,
    orderId: Id,
    returnId: Id,
    options?: RequestOptions,
  ): Promise<GetReturnResponse> {
    const op = 'getReturn';
    const campaign = checkId(campaignId, 'campaignId', op);
    const pathIds = [campaign, checkId(orderId, 'orderId', op), checkId(returnId, 'returnId', op)];
    return this.#core.call({ operation: op, business: campaign, pathIds, query: '', options });
  }

  /** Every order matching the filter, page after page. */
  iterateBusinessOrders(
    businessId: Id,
    filter: GetBusinessOrdersRequest = {},
    options: IterateOptions = {},
  ): AsyncGenerator<BusinessOrder> {
    checkLimit(options.limit, 'getBusinessOrders');
    return paginate(
      async ({ pageToken, signal }) => {
        const page = await this.getBusinessOrders(
          businessId,
          filter,
          pageToken,
          options.limit,
          signalOnly(signal),
        );
        return { items: page.orders, nextPageToken: page.paging?.nextPageToken };
      },
      this.#iterateOptions(options, 'getBusinessOrders'),
    );
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
      this.#iterateOptions(options, 'getChats'),
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
      this.#iterateOptions(options, 'getChatHistory'),
    );
  }

  /**
   * Quota figures per operation counted per business (the chat methods, getBusinessOrders), as the limiter
   * knows them (from response headers).
   */
  quotaState(businessId: Id): Promise<QuotaSnapshot[]> {
    return this.#core.quota(checkId(businessId, 'businessId'));
  }

  /** Quota figures of the operations counted per campaign (getReturn) for one campaign. */
  campaignQuotaState(campaignId: Id): Promise<QuotaSnapshot[]> {
    return this.#core.quota(checkId(campaignId, 'campaignId'), 'campaign');
  }

  /** A send, plain or verified (see `verified-send.ts`): every attempt goes through the core. */
  #send(
    operation: 'sendMessageToChat' | 'sendFileToChat',
    business: string,
    chat: string,
    encoded: { body: string | Uint8Array<ArrayBuffer>; contentType: string },
    options: RequestOptions | undefined,
    fingerprint: SendFingerprint,
  ): Promise<EmptyApiResponse> {
    const { body, contentType } = encoded;
    return this.#sends.send({
      business,
      chat,
      options,
      fingerprint,
      attempt: (deadline, trace) =>
        this.#core.call<EmptyApiResponse>({
          operation,
          business,
          query: `chatId=${chat}`,
          body,
          contentType,
          options,
          deadline,
          trace,
        }),
    });
  }

  /** The history reads of a verified send: pages of 100, within the send's deadline. */
  #history(
    business: string,
    chat: string,
    messageIdFrom: number | undefined,
    options: RequestOptions,
  ): AsyncGenerator<ChatMessage> {
    const request = messageIdFrom === undefined ? {} : { messageIdFrom };
    return paginate(
      async ({ pageToken }) => {
        const { result } = await this.getChatHistory(
          BigInt(business),
          BigInt(chat),
          request,
          pageToken,
          100,
          options,
        );
        return { items: result.messages, nextPageToken: result.paging?.nextPageToken };
      },
      this.#iterateOptions({ signal: options.signal }, 'getChatHistory'),
    );
  }

  #json<T>(
    operation: OperationId,
    business: string,
    query: string,
    body: string,
    options: RequestOptions | undefined,
  ): Promise<T> {
    return this.#core.call<T>({ operation, business, query, body, contentType: 'application/json', options });
  }

  #pageQuery(
    base: string,
    op: OperationId,
    pageToken: string | undefined,
    limit: number | undefined,
  ): string {
    const parts = base === '' ? [] : [base];
    const token = checkPageToken(pageToken, op);
    if (token !== undefined) parts.push(`${this.#tokenParam}=${encodeURIComponent(token)}`);
    if (limit !== undefined) parts.push(`limit=${limit}`);
    return parts.join('&');
  }

  #iterateOptions(options: IterateOptions, op: OperationId) {
    return {
      pageToken: checkPageToken(options.pageToken, op),
      signal: options.signal,
      onRepeatedToken: (token: string) =>
        this.#core.log('warn', `${op}: the server repeated page token ${token}; stopping the iteration`, {
          operation: op,
        }),
    };
  }
}

function signalOnly(signal: AbortSignal | undefined): { signal: AbortSignal } | undefined {
  return signal === undefined ? undefined : { signal };
}
