/**
 * Request and response shapes of the chat methods, covering both the seed (2024) and the current (2026)
 * API descriptions. Enumerations are open (`| (string & {})`): the platform adds values over time and a
 * response with a value this version does not know is passed through, never rejected.
 */

import type { CHAT_CONTEXT_TYPES, CHAT_STATUSES, CHAT_TYPES, MESSAGE_SENDERS } from './enums.js';

/** A positive 64-bit id. Numbers must be safe integers; use `bigint` for ids above 2^53 − 1. */
export type Id = number | bigint;

/** Keeps autocompletion for the known values while accepting any string the platform may add. */
type Open<T extends string> = T | (string & {});

/** What a chat is about: an order, a return, or a conversation the buyer started without either. */
export type ChatContextType = Open<(typeof CHAT_CONTEXT_TYPES)[number]>;
/** A plain conversation, or a dispute in which Market arbitrates. */
export type ChatType = Open<(typeof CHAT_TYPES)[number]>;
/** Whose turn it is in the chat, or that it is closed. */
export type ChatStatus = Open<(typeof CHAT_STATUSES)[number]>;
/** Who wrote a message: the seller (PARTNER), the buyer, an automatic Market notice, or Market support. */
export type MessageSender = Open<(typeof MESSAGE_SENDERS)[number]>;
export type ResponseStatus = Open<'OK' | 'ERROR'>;

/** Points at the order or return a seller-started chat belongs to (sellers cannot start DIRECT chats). */
export interface ChatContextRef {
  type: 'ORDER' | 'RETURN';
  /** The order id for ORDER, the return id for RETURN. */
  id: Id;
}

/** The buyer as shown publicly in Yandex services. */
export interface ChatCustomer {
  /** Public display name. */
  name?: string;
  /** Public Yandex ID of the buyer, usable in public profile links. */
  publicId?: string;
}

/** Everything the platform tells about what a chat is attached to. */
export interface ChatContext {
  type: ChatContextType;
  customer?: ChatCustomer;
  /** The shop (campaign) the order or return belongs to; present for ORDER and RETURN chats. */
  campaignId?: number;
  /** Present for ORDER and RETURN chats. */
  orderId?: number;
  /** Present for RETURN chats only. */
  returnId?: number;
}

export interface CreateChatRequest {
  /** The chat's subject. Prefer this over `orderId`. */
  context?: ChatContextRef;
  /** @deprecated Use `context: { type: 'ORDER', id }`. The seed API required this field. */
  orderId?: Id;
}

export interface CreateChatResult {
  chatId: number;
}

/** Filters for getChats; every field is optional and `{}` returns all chats. */
export interface GetChatsRequest {
  /** @deprecated Use `contexts` with type ORDER. */
  orderIds?: Id[];
  /** Only chats about these orders or returns. */
  contexts?: ChatContextRef[];
  /** Only chats of these context types. */
  contextTypes?: ChatContextType[];
  types?: ChatType[];
  statuses?: ChatStatus[];
}

export interface Chat {
  chatId: number;
  /** @deprecated Read `context.orderId`. Absent for DIRECT chats. */
  orderId?: number;
  /** Present in the current API; absent from seed-era responses. */
  context?: ChatContext;
  type: ChatType;
  status: ChatStatus;
  /** ISO 8601 with a UTC offset. */
  createdAt: string;
  /** Time of the last message, ISO 8601 with a UTC offset. */
  updatedAt: string;
}

export interface Paging {
  /** Pass back as `pageToken` for the next page; absent on the last page. */
  nextPageToken?: string;
}

export interface ChatsPage {
  chats: Chat[];
  paging?: Paging;
}

export interface GetChatHistoryRequest {
  /** Start the history at this message (inclusive). Omit to start at the oldest message. */
  messageIdFrom?: Id;
}

/** A file attached to a message. */
export interface MessageAttachment {
  /** May be empty. */
  name: string;
  /** Download link; the platform requires authorization to fetch it. */
  url: string;
  /** Bytes. */
  size: number;
}

export interface ChatMessage {
  messageId: number;
  /** ISO 8601 with a UTC offset. */
  createdAt: string;
  sender: MessageSender;
  /** Text; may be absent when the message only carries files. */
  message?: string;
  /** Attached files; may be absent when the message is text only. */
  payload?: MessageAttachment[] | null;
}

export interface ChatHistoryPage {
  /** @deprecated Read `context.orderId`. */
  orderId?: number;
  context?: ChatContext;
  messages: ChatMessage[];
  paging?: Paging;
}

export interface SendMessageToChatRequest {
  /** 1 to 4096 characters (UTF-16 code units, as JavaScript counts `length`). */
  message: string;
}

/** One entry of a failed response's `errors` list. */
export interface ApiErrorItem {
  code: string;
  message?: string;
}

/** The envelope every JSON response shares. */
export interface ApiResponse<T> {
  status: ResponseStatus;
  result: T;
}

/** Send operations answer with the status only. */
export interface EmptyApiResponse {
  status: ResponseStatus;
}

export type CreateChatResponse = ApiResponse<CreateChatResult>;
export type GetChatsResponse = ApiResponse<ChatsPage>;
export type GetChatResponse = ApiResponse<Chat>;
export type GetChatHistoryResponse = ApiResponse<ChatHistoryPage>;
export type GetChatMessageResponse = ApiResponse<ChatMessage>;

/**
 * A file to send: a path on disk, a `Blob`/`File`, or bytes with a name.
 * The platform accepts files up to 5 MB; larger ones are refused before any byte is sent.
 */
export type FileInput =
  | string
  | Blob
  | { data: Uint8Array | ArrayBuffer; name: string; contentType?: string };
