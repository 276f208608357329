export { ChatsApi, type IterateOptions } from './client.js';
export {
  AbortError,
  AuthenticationError,
  BadRequestError,
  ChatsApiError,
  ConnectionError,
  InternalServerError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  TimeoutError,
  ValidationError,
} from './core/errors.js';
export type { FetchLike } from './core/http.js';
export type { ClientOptions, Credential, Logger, LogLevel, RequestOptions } from './core/options.js';
export { DEFAULT_BASE_URL } from './core/options.js';
export {
  defaultLimits,
  MemoryQuotaStore,
  type QuotaSnapshot,
  type QuotaState,
  type QuotaStore,
  quotaFromHeaders,
  type RateLimitOptions,
} from './core/rate-limit.js';
export type { RetryOptions } from './core/retry.js';
export { FILE_MAX_BYTES, MESSAGE_MAX_LENGTH, PAGE_LIMITS } from './core/validate.js';
export { CHAT_CONTEXT_TYPES, CHAT_STATUSES, CHAT_TYPES, MESSAGE_SENDERS } from './enums.js';
export { MAX_CONCURRENT_PER_BUSINESS, OPERATION_IDS, OPERATIONS, type OperationId } from './operations.js';
export type * from './types.js';
