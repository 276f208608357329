/** What every admin handler gets: a narrow view of the emulator (like the API's ApiDeps) and its request. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Auth } from './auth.js';
import { type ApiError, apiError, FieldErrors } from './errors.js';
import type { Faults } from './faults.js';
import { parseIdJson, parseIdText } from './ids.js';
import type { Notifier } from './notifications.js';
import type { Quotas } from './quotas.js';
import type { Store } from './store.js';
import type { Clock } from './time.js';
import type { ChatRow } from './types.js';

export type Json = Record<string, unknown>;

export interface AdminDeps {
  store: Store;
  clock: Clock;
  notifier: Notifier;
  quotas: Quotas;
  faults: Faults;
  auth: Auth;
  baseUrl(): string;
  /** Clears data, counters, rules, the delivery log and the clock offset. */
  reset(): void;
}

export interface AdminContext {
  req: IncomingMessage;
  res: ServerResponse;
  params: string[];
  query: URLSearchParams;
  body: Json;
}

export type AdminHandler = (deps: AdminDeps, ctx: AdminContext) => unknown;

export function bad(message: string): ApiError {
  return apiError(400, 'BAD_REQUEST', message);
}

export function businessParam(raw: string): number {
  const errors = new FieldErrors();
  const id = parseIdText(raw, 'businessId', errors, 'INVALID_PARAMETER');
  errors.throwIfAny();
  return id!;
}

export function chatParam(deps: AdminDeps, businessId: number, raw: string): ChatRow {
  const errors = new FieldErrors();
  const id = parseIdText(raw, 'chatId', errors, 'INVALID_PARAMETER');
  errors.throwIfAny();
  const chat = deps.store.getChat(businessId, id!);
  if (!chat) throw apiError(404, 'NOT_FOUND', `chat ${raw} not found in business ${businessId}`);
  return chat;
}

export function optionalId(body: Json, field: string): number | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  const errors = new FieldErrors();
  const id = parseIdJson(value, field, errors);
  errors.throwIfAny();
  return id;
}

export function numberField(body: Json, field: string): number | undefined {
  const v = body[field];
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw bad(`${field}: must be a number`);
  return v;
}
