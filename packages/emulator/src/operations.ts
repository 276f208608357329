/**
 * The seven chat operations as data, the one place for what differs between them: method and path (the
 * router), how much body is kept in memory, and the hourly quota. Paths are relative to
 * `[/v2]/businesses/{businessId}/`.
 */
import { JSON_BODY_LIMIT, MULTIPART_BODY_LIMIT } from './body.js';
import type { OperationId } from './types.js';

export interface Operation {
  method: 'GET' | 'POST';
  path: string;
  /** Body bytes kept in memory; the rest is drained and counted, so the client still gets its 400. */
  bodyLimit: number;
  /** Requests per business per hour (the platform's figures). */
  hourlyQuota: number;
  /** List operations: the `limit` query parameter's maximum (above it is a 400) and default. */
  page?: { max: number; default: number };
}

export const OPERATIONS: Readonly<Record<OperationId, Operation>> = {
  createChat: { method: 'POST', path: 'chats/new', bodyLimit: JSON_BODY_LIMIT, hourlyQuota: 1000 },
  getChats: {
    method: 'POST',
    path: 'chats',
    bodyLimit: JSON_BODY_LIMIT,
    hourlyQuota: 5000,
    page: { max: 20, default: 10 },
  },
  getChat: { method: 'GET', path: 'chat', bodyLimit: 0, hourlyQuota: 1000 },
  getChatHistory: {
    method: 'POST',
    path: 'chats/history',
    bodyLimit: JSON_BODY_LIMIT,
    hourlyQuota: 10000,
    page: { max: 100, default: 50 },
  },
  sendMessageToChat: { method: 'POST', path: 'chats/message', bodyLimit: JSON_BODY_LIMIT, hourlyQuota: 1000 },
  getChatMessage: { method: 'GET', path: 'chats/message', bodyLimit: 0, hourlyQuota: 1000 },
  sendFileToChat: {
    method: 'POST',
    path: 'chats/file/send',
    bodyLimit: MULTIPART_BODY_LIMIT,
    hourlyQuota: 1000,
  },
};

/** The hourly quotas alone, as the admin namespace and the load tests show them. */
export const DEFAULT_LIMITS: Readonly<Record<OperationId, number>> = Object.fromEntries(
  Object.entries(OPERATIONS).map(([op, o]) => [op, o.hourlyQuota]),
) as Record<OperationId, number>;
