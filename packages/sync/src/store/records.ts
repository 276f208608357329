/**
 * What the store holds, as the library hands it out: ids as `bigint` (64-bit, never rounded), times as
 * ISO 8601 UTC text, enum values exactly as the platform sent them.
 */
import type { Chat, ChatMessage } from '@ym-chats/sdk';
import type { SqlValue } from '../db/sql.js';
import { isoUtc } from '../time.js';

export interface ChatRecord {
  businessId: bigint;
  chatId: bigint;
  type: string;
  status: string;
  contextType: string | null;
  /** The order id of an ORDER chat, the return id of a RETURN chat; null for DIRECT. */
  contextId: bigint | null;
  orderId: bigint | null;
  returnId: bigint | null;
  campaignId: bigint | null;
  customerName: string | null;
  customerPublicId: string | null;
  createdAt: string;
  /** The platform's updatedAt (time of the last message), as last listed or read. */
  updatedAt: string;
  lastMessageId: bigint | null;
  /** When this mirror last finished reading the chat's history (its own clock); null = never. */
  syncedAt: string | null;
}

export interface FileRecord {
  position: number;
  name: string;
  url: string;
  size: number;
}

export interface MessageRecord {
  businessId: bigint;
  chatId: bigint;
  messageId: bigint;
  sender: string;
  text: string | null;
  createdAt: string;
  files: FileRecord[];
}

/** Accepts what the SDK parsed (a number) or a bigint, and refuses anything that is not a whole id. */
export function toId(value: number | bigint | string): bigint {
  if (typeof value === 'number' && !Number.isSafeInteger(value)) {
    throw new RangeError(`id ${value} is not a safe integer; it was rounded before reaching the store`);
  }
  return BigInt(value);
}

/**
 * Text as both engines keep it: PostgreSQL refuses the NUL character in text, and one buyer's message
 * holding it must not stop a business's sync, so it becomes U+FFFD (the replacement character) in both.
 */
export function storableText(text: string): string {
  return text.includes('\u0000') ? text.replaceAll('\u0000', '\uFFFD') : text;
}

const storableOrNull = (text: string | null | undefined): string | null =>
  text === undefined || text === null ? null : storableText(text);

function optionalId(value: number | bigint | undefined | null): bigint | null {
  return value === undefined || value === null ? null : toId(value);
}

/** The columns of a chat row, in the order `CHAT_COLUMNS` names them (engine columns excluded). */
export function chatValues(businessId: bigint, chat: Chat): SqlValue[] {
  const context = chat.context;
  const orderId = optionalId(context?.orderId ?? chat.orderId);
  const returnId = optionalId(context?.returnId);
  const contextType = context?.type ?? (orderId !== null ? 'ORDER' : null);
  const contextId = contextType === 'RETURN' ? returnId : contextType === 'ORDER' ? orderId : null;
  return [
    businessId,
    toId(chat.chatId),
    chat.type,
    chat.status,
    contextType,
    contextId,
    orderId,
    returnId,
    optionalId(context?.campaignId),
    storableOrNull(context?.customer?.name),
    storableOrNull(context?.customer?.publicId),
    isoUtc(chat.createdAt),
    isoUtc(chat.updatedAt),
  ];
}

export const CHAT_COLUMNS = [
  'business_id',
  'chat_id',
  'type',
  'status',
  'context_type',
  'context_id',
  'order_id',
  'return_id',
  'campaign_id',
  'customer_name',
  'customer_public_id',
  'created_at',
  'updated_at',
] as const;

export function messageValues(businessId: bigint, chatId: bigint, message: ChatMessage): SqlValue[] {
  return [
    businessId,
    chatId,
    toId(message.messageId),
    storableText(message.sender),
    storableOrNull(message.message),
    isoUtc(message.createdAt),
  ];
}

/** A message's files as stored, in their order; a payload that is not a list holds none. */
export function messageFiles(message: ChatMessage): FileRecord[] {
  const payload = message.payload;
  if (!Array.isArray(payload)) return [];
  return payload.map((f, position) => ({
    position,
    name: storableText(f.name),
    url: storableText(f.url),
    size: f.size,
  }));
}

type DbRow = Record<string, SqlValue>;

const big = (v: SqlValue): bigint => BigInt(v as bigint | number | string);
const bigOrNull = (v: SqlValue): bigint | null => (v === null ? null : big(v));
const textOrNull = (v: SqlValue): string | null => (v === null ? null : String(v));

export function chatFromRow(row: DbRow): ChatRecord {
  return {
    businessId: big(row.business_id!),
    chatId: big(row.chat_id!),
    type: String(row.type),
    status: String(row.status),
    contextType: textOrNull(row.context_type ?? null),
    contextId: bigOrNull(row.context_id ?? null),
    orderId: bigOrNull(row.order_id ?? null),
    returnId: bigOrNull(row.return_id ?? null),
    campaignId: bigOrNull(row.campaign_id ?? null),
    customerName: textOrNull(row.customer_name ?? null),
    customerPublicId: textOrNull(row.customer_public_id ?? null),
    createdAt: String(row.created_at),
    updatedAt: String(row.updated_at),
    lastMessageId: bigOrNull(row.last_message_id ?? null),
    syncedAt: textOrNull(row.synced_at ?? null),
  };
}

export function messageFromRow(row: DbRow, files: FileRecord[]): MessageRecord {
  return {
    businessId: big(row.business_id!),
    chatId: big(row.chat_id!),
    messageId: big(row.message_id!),
    sender: String(row.sender),
    text: textOrNull(row.text ?? null),
    createdAt: String(row.created_at),
    files,
  };
}

export function fileFromRow(row: DbRow): FileRecord {
  return {
    position: Number(row.position),
    name: String(row.name),
    url: String(row.url),
    size: Number(row.size),
  };
}
