import type { OperationId } from '../operations.js';
import type { ApiErrorItem } from '../types.js';

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
