/** Names and enums shared by the API handlers, the store and the admin namespace. */

export type OperationId =
  | 'createChat'
  | 'getChats'
  | 'getChatHistory'
  | 'sendMessageToChat'
  | 'sendFileToChat'
  | 'getChat'
  | 'getChatMessage'
  | 'getBusinessOrders'
  | 'getReturn';

export const OPERATION_IDS: readonly OperationId[] = [
  'createChat',
  'getChats',
  'getChatHistory',
  'sendMessageToChat',
  'sendFileToChat',
  'getChat',
  'getChatMessage',
  'getBusinessOrders',
  'getReturn',
];

/** The operations that read orders and returns (the spec's `orders-returns` subset), not chats. */
export const ORDER_OPERATION_IDS = ['getBusinessOrders', 'getReturn'] as const;
export type OrderOperationId = (typeof ORDER_OPERATION_IDS)[number];

export const CONTEXT_TYPES = ['ORDER', 'RETURN', 'DIRECT'] as const;
export type ContextType = (typeof CONTEXT_TYPES)[number];

export const CHAT_TYPES = ['CHAT', 'ARBITRAGE'] as const;
export type ChatType = (typeof CHAT_TYPES)[number];

export const CHAT_STATUSES = [
  'NEW',
  'WAITING_FOR_CUSTOMER',
  'WAITING_FOR_PARTNER',
  'WAITING_FOR_ARBITER',
  'WAITING_FOR_MARKET',
  'FINISHED',
] as const;
export type ChatStatus = (typeof CHAT_STATUSES)[number];

export const SENDERS = ['PARTNER', 'CUSTOMER', 'MARKET', 'SUPPORT'] as const;
export type Sender = (typeof SENDERS)[number];

export interface Customer {
  name: string;
  publicId: string;
}

export interface ChatRow {
  chat_id: number;
  business_id: number;
  context_type: ContextType;
  order_id: number | null;
  return_id: number | null;
  campaign_id: number | null;
  customer_name: string | null;
  customer_public_id: string | null;
  type: ChatType;
  status: ChatStatus;
  created_at: number;
  updated_at: number;
}

/** One attachment as kept on the message row: file id, name, size. */
export interface StoredPayload {
  f: number;
  n: string;
  s: number;
}

export interface MessageRow {
  message_id: number;
  chat_id: number;
  business_id: number;
  sender: Sender;
  text: string | null;
  payload: string | null;
  created_at: number;
}

export interface OrderRow {
  business_id: number;
  order_id: number;
  campaign_id: number;
  customer_name: string;
  customer_public_id: string;
  created_at: number;
}

export interface ReturnRow {
  business_id: number;
  return_id: number;
  order_id: number;
  created_at: number;
}

export interface FileRow {
  file_id: number;
  business_id: number;
  chat_id: number;
  name: string;
  size: number;
  content_type: string;
  data: Buffer;
}

export function isOneOf<T extends string>(values: readonly T[], value: unknown): value is T {
  return typeof value === 'string' && (values as readonly string[]).includes(value);
}
