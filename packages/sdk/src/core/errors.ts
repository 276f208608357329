import { OPERATIONS, type OperationId, type OperationSpec } from '../operations.js';
import type { ApiErrorItem } from '../types.js';
import { networkErrorCode, provablyNotSent, TransportTimeout, unbuildable } from './http.js';
import type { QuotaState } from './quota-store.js';
import type { Redactor } from './redact.js';

export interface ErrorDetails {
  operation?: OperationId;
  status?: number;
  errors?: ApiErrorItem[];
  requestId?: string;
  /** True when a send failed in a way that leaves open whether the platform delivered it. */
  maybeSent?: boolean;
  /** How many HTTP attempts were made before giving up. */
  attempts?: number;
  cause?: unknown;
}

/**
 * Base of everything the SDK throws. Carries what a caller needs to decide what to do next, and never the
 * credential: messages and causes are redacted before they are attached.
 */
export class ChatsApiError extends Error {
  override name = 'ChatsApiError';
  /** HTTP status, when a response arrived. */
  readonly status: number | undefined;
  /** The API's own error list (`errors[]` of the response body); empty when there was no such body. */
  readonly errors: ApiErrorItem[];
  readonly operation: OperationId | undefined;
  /** The server's request id header, for support tickets. */
  readonly requestId: string | undefined;
  /**
   * For sendMessageToChat and sendFileToChat: the request may have reached the platform, so the buyer may
   * already have the message. Check the chat history before sending again.
   */
  readonly maybeSent: boolean;
  readonly attempts: number;

  constructor(message: string, details: ErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.status = details.status;
    this.errors = details.errors ?? [];
    this.operation = details.operation;
    this.requestId = details.requestId;
    this.maybeSent = details.maybeSent ?? false;
    this.attempts = details.attempts ?? 0;
  }

  /**
   * The error for an HTTP response that is not 2xx: the class for its status, the API's `errors[]`, and a
   * message that names the failure. Everything taken from the response is masked before it is cut short.
   */
  static fromResponse(response: {
    operation: OperationId;
    status: number;
    text: string;
    requestId: string | undefined;
    quota: QuotaState | undefined;
    attempts: number;
    redactor: Redactor;
  }): ChatsApiError {
    const { operation, status, redactor } = response;
    const errors = parseErrors(response.text).map((e) => {
      const code = redactor.text(e.code);
      return e.message === undefined ? { code } : { code, message: redactor.text(e.message) };
    });
    const detail =
      errors.length > 0
        ? errors.map((e) => (e.message ? `${e.code}: ${e.message}` : e.code)).join('; ')
        : redactor.excerpt(response.text, 200) || 'no body';
    const details = { operation, status, errors, requestId: response.requestId, attempts: response.attempts };
    if (status === 420 || status === 429) {
      const resetAt = response.quota ? new Date(response.quota.resetAt) : undefined;
      const when = resetAt ? `; usable again at ${resetAt.toISOString()}` : '';
      return new RateLimitError(`${operation}: rate limit hit (HTTP ${status}) — ${detail}${when}`, {
        ...details,
        resetAt,
        limit: response.quota?.limit,
        remaining: response.quota?.remaining,
      });
    }
    const scopes = (OPERATIONS[operation] as OperationSpec).scopes;
    if (status === 403 && scopes !== undefined) {
      return new MissingScopeError(
        `${operation}: HTTP 403 — ${detail} — the credential lacks a scope this method needs (one of: ` +
          `${scopes.join(', ')}; a chat-only key has only "communication"), or has no access to this ` +
          'business or campaign. Chat methods are not affected.',
        { ...details, scopes },
      );
    }
    return new (errorClassForStatus(status))(
      `${operation}: HTTP ${status} — ${detail}${hintFor(status)}`,
      details,
    );
  }

  /**
   * The error for a request that got no response: a timeout, the caller's abort, a refused or dropped
   * connection, or a request Node refused to build. `notSent` is true only when the request provably never
   * left this machine; only such a failure of a send may be repeated (policy.ts). Internal.
   */
  static fromTransport(failure: {
    operation: OperationId;
    thrown: unknown;
    timeoutMs: number;
    abortedBeforeSending: boolean;
    aborted: boolean;
    redactor: Redactor;
  }): { error: ChatsApiError; notSent: boolean } {
    const { operation, thrown, redactor } = failure;
    if (failure.abortedBeforeSending)
      return {
        error: new AbortError(`${operation}: aborted by the caller before sending`, { operation }),
        notSent: true,
      };
    if (thrown instanceof TransportTimeout) {
      const error = new TimeoutError(`${operation}: no response within ${failure.timeoutMs} ms`, {
        operation,
      });
      return { error, notSent: false };
    }
    if (failure.aborted)
      return { error: new AbortError(`${operation}: aborted by the caller`, { operation }), notSent: false };
    const code = networkErrorCode(thrown);
    const cause = redactor.cause(thrown);
    if (unbuildable(code)) {
      // E.g. a header value with a line break: nothing was sent, and repeating it cannot help.
      const message = `${operation}: the request could not be built (${code}); nothing was sent`;
      return { error: new ChatsApiError(message, { operation, cause }), notSent: true };
    }
    const notSent = provablyNotSent(thrown);
    const reason = redactor.text(code ?? (thrown instanceof Error ? thrown.message : 'unknown'));
    const message = `${operation}: connection failed (${reason})${notSent ? ' before the request was sent' : ''}`;
    return { error: new ConnectionError(message, { operation, cause }), notSent };
  }

  /** A copy of this error with another message and outcome (same class, same response details). */
  withOutcome(change: { message?: string; maybeSent: boolean; attempts: number }): ChatsApiError {
    if (
      change.message === undefined &&
      change.maybeSent === this.maybeSent &&
      change.attempts === this.attempts
    )
      return this;
    const copy = Object.create(Object.getPrototypeOf(this) as object) as ChatsApiError;
    Object.assign(copy, this, { maybeSent: change.maybeSent, attempts: change.attempts });
    const message = change.message ?? this.message;
    Object.defineProperty(copy, 'message', { value: message, writable: true, configurable: true });
    Object.defineProperty(copy, 'stack', {
      value: `${this.name}: ${message}\n${(this.stack ?? '').split('\n').slice(1).join('\n')}`,
      writable: true,
      configurable: true,
    });
    if (this.cause !== undefined)
      Object.defineProperty(copy, 'cause', { value: this.cause, writable: true, configurable: true });
    return copy;
  }

  /** A plain object for structured logs; contains nothing secret. */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      message: this.message,
      status: this.status,
      errors: this.errors,
      operation: this.operation,
      requestId: this.requestId,
      maybeSent: this.maybeSent,
      attempts: this.attempts,
    };
  }
}

/** Bad input, found by the SDK before anything was sent. Nothing reached the platform. */
export class ValidationError extends ChatsApiError {
  override name = 'ValidationError';
  /** The argument or field at fault, e.g. `chatId` or `sendMessageToChatRequest.message`. */
  readonly field: string;
  constructor(field: string, message: string, operation?: OperationId) {
    super(`${field}: ${message}`, operation === undefined ? {} : { operation });
    this.field = field;
  }
}

/** 400: the platform rejected the request's data. */
export class BadRequestError extends ChatsApiError {
  override name = 'BadRequestError';
}

/** 401: credentials missing, invalid or revoked. */
export class AuthenticationError extends ChatsApiError {
  override name = 'AuthenticationError';
}

/** 403: the credential is valid but may not act for this business, or lacks the `communication` scope. */
export class PermissionDeniedError extends ChatsApiError {
  override name = 'PermissionDeniedError';
}

/**
 * 403 from a method that needs a scope beyond chats (the order and return reads): the key was most likely
 * issued for chats only. `scopes` lists the ones that would open the method; any one is enough. A 403
 * cannot tell this from a key without access to the business or campaign: the message says both.
 */
export class MissingScopeError extends PermissionDeniedError {
  override name = 'MissingScopeError';
  readonly scopes: readonly string[];
  constructor(message: string, details: ErrorDetails & { scopes: readonly string[] }) {
    super(message, details);
    this.scopes = details.scopes;
  }
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), scopes: [...this.scopes] };
  }
}

/** 404: no such business, chat, message, order or return. */
export class NotFoundError extends ChatsApiError {
  override name = 'NotFoundError';
}

export interface RateLimitDetails extends ErrorDetails {
  /** When the quota is usable again, if known. */
  resetAt?: Date | undefined;
  limit?: number | undefined;
  remaining?: number | undefined;
  /** True when the SDK's own limiter refused the call before sending, to avoid a 420. */
  local?: boolean;
}

/** 420 from the platform, or the SDK's limiter refusing a call that would exceed the quota. */
export class RateLimitError extends ChatsApiError {
  override name = 'RateLimitError';
  readonly resetAt: Date | undefined;
  readonly limit: number | undefined;
  readonly remaining: number | undefined;
  readonly local: boolean;
  constructor(message: string, details: RateLimitDetails = {}) {
    super(message, details);
    this.resetAt = details.resetAt;
    this.limit = details.limit;
    this.remaining = details.remaining;
    this.local = details.local ?? false;
  }
  override toJSON(): Record<string, unknown> {
    return {
      ...super.toJSON(),
      resetAt: this.resetAt?.toISOString(),
      limit: this.limit,
      remaining: this.remaining,
      local: this.local,
    };
  }
}

/** 5xx: the platform failed. */
export class InternalServerError extends ChatsApiError {
  override name = 'InternalServerError';
}

/** The connection failed or dropped before a response arrived. */
export class ConnectionError extends ChatsApiError {
  override name = 'ConnectionError';
}

/** No response within `timeoutMs`. */
export class TimeoutError extends ChatsApiError {
  override name = 'TimeoutError';
}

/** The caller's `AbortSignal` fired. */
export class AbortError extends ChatsApiError {
  override name = 'AbortError';
}

type HttpErrorClass = new (message: string, details: ErrorDetails) => ChatsApiError;

/** The error class for an HTTP status; statuses without a class of their own get the base class. */
export function errorClassForStatus(status: number): HttpErrorClass {
  if (status === 400) return BadRequestError;
  if (status === 401) return AuthenticationError;
  if (status === 403) return PermissionDeniedError;
  if (status === 404) return NotFoundError;
  if (status === 420 || status === 429) return RateLimitError;
  if (status >= 500) return InternalServerError;
  return ChatsApiError;
}

function parseErrors(text: string): { code: string; message?: string }[] {
  try {
    const body = JSON.parse(text) as { errors?: unknown };
    if (!Array.isArray(body.errors)) return [];
    return body.errors
      .filter((e): e is { code: unknown; message?: unknown } => typeof e === 'object' && e !== null)
      .map((e) =>
        typeof e.message === 'string'
          ? { code: String(e.code), message: e.message }
          : { code: String(e.code) },
      );
  } catch {
    return [];
  }
}

function hintFor(status: number): string {
  if (status === 401) return ' — check the Api-Key / OAuth token: missing, invalid or revoked.';
  if (status === 403) {
    return ' — the credential cannot act for this business or lacks the "communication" scope (an invalid OAuth token also gives 403).';
  }
  return '';
}
