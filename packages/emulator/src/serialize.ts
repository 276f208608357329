/** Rows → the current spec's DTOs (exact field sets; deprecated `orderId` kept where production sends it). */
import { isoMsk } from './time.js';
import type { ChatRow, MessageRow, StoredPayload } from './types.js';

export interface ChatContextJson {
  type: string;
  customer?: { name: string; publicId: string };
  campaignId?: number;
  orderId?: number;
  returnId?: number;
}

export interface ChatJson {
  chatId: number;
  orderId?: number;
  context: ChatContextJson;
  type: string;
  status: string;
  createdAt: string;
  updatedAt: string;
}

export interface PayloadJson {
  name: string;
  url: string;
  size: number;
}

export interface MessageJson {
  messageId: number;
  createdAt: string;
  sender: string;
  message?: string;
  payload?: PayloadJson[];
}

export function contextJson(row: ChatRow): ChatContextJson {
  const context: ChatContextJson = { type: row.context_type };
  if (row.customer_name && row.customer_public_id) {
    context.customer = { name: row.customer_name, publicId: row.customer_public_id };
  }
  if (row.campaign_id !== null) context.campaignId = row.campaign_id;
  if (row.order_id !== null) context.orderId = row.order_id;
  if (row.return_id !== null) context.returnId = row.return_id;
  return context;
}

export function chatJson(row: ChatRow): ChatJson {
  // The deprecated top-level orderId comes right after chatId, where production puts it.
  const chat: ChatJson =
    row.order_id !== null
      ? {
          chatId: row.chat_id,
          orderId: row.order_id,
          context: contextJson(row),
          type: row.type,
          status: row.status,
          createdAt: '',
          updatedAt: '',
        }
      : {
          chatId: row.chat_id,
          context: contextJson(row),
          type: row.type,
          status: row.status,
          createdAt: '',
          updatedAt: '',
        };
  chat.createdAt = isoMsk(row.created_at);
  chat.updatedAt = isoMsk(row.updated_at);
  return chat;
}

/** Download URL of a stored file; the name is for humans, the id is what the server looks up. */
export function fileUrl(baseUrl: string, fileId: number, name: string): string {
  return `${baseUrl}/_emulator/files/${fileId}/${encodeURIComponent(name || 'file')}`;
}

export function messageJson(row: MessageRow, baseUrl: string): MessageJson {
  const message: MessageJson = {
    messageId: row.message_id,
    createdAt: isoMsk(row.created_at),
    sender: row.sender,
  };
  if (row.text !== null) message.message = row.text;
  if (row.payload !== null) {
    const stored = JSON.parse(row.payload) as StoredPayload[];
    message.payload = stored.map((p) => ({ name: p.n, url: fileUrl(baseUrl, p.f, p.n), size: p.s }));
  }
  return message;
}
