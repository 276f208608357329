/**
 * The public surface of @ym-chats/sdk. Everything else under `src/core/` is internal: the attempt loop,
 * transports, the limiter's machinery and the send-safety policy may change without notice.
 */
export { ChatsApi, type IterateOptions } from './client.js';
export {
  AbortError,
  AuthenticationError,
  BadRequestError,
  ChatsApiError,
  ConnectionError,
  InternalServerError,
  MissingScopeError,
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
  DEFAULT_SETTLE_MS as SEND_SETTLE_MS,
  judgeHistory,
  PLATFORM_WINDOW_MS,
  type RetryOptions,
  type SendFingerprint,
  type Verdict,
} from './core/policy.js';
export {
  type AcquireRequest,
  type AcquireResult,
  HOUR_MS,
  type HoldRequest,
  MemoryQuotaStore,
  mergeReport,
  openWindow,
  type QuotaState,
  type QuotaStore,
  type QuotaWindow,
  type ReleaseRequest,
} from './core/quota-store.js';
export type { QuotaSnapshot, RateLimitOptions } from './core/rate-limit.js';
export { storedFileName } from './core/upload.js';
export { FILE_MAX_BYTES, MESSAGE_MAX_LENGTH, PAGE_LIMITS } from './core/validate.js';
export { CHAT_CONTEXT_TYPES, CHAT_STATUSES, CHAT_TYPES, MESSAGE_SENDERS } from './enums.js';
export { addressFamily, addressKey, normalizeAddress, UNKNOWN_CLIENT } from './net/address.js';
export {
  clientAddress,
  dropUntrustedForwarding,
  forwardedClient,
  requestHost,
  TrustedProxies,
  type TrustProxy,
} from './net/client-address.js';
export { inNetworks, NetworkListError, parseNetworks } from './net/networks.js';
export { OPERATIONS, type OperationId, type OperationSpec } from './operations.js';
export type * from './order-types.js';
export {
  DEFAULT_INTEGRATION_NAME,
  type PushAnswer,
  type PushErrorAnswer,
  type PushErrorType,
  pushAnswer,
  pushBodyTooLarge,
  pushError,
  readPushBody,
  writePushAnswer,
} from './push/answer.js';
export {
  type ChatNotification,
  type ChatNotificationType,
  type ParsedNotification,
  PUSH_BODY_LIMIT_BYTES,
  parseNotification,
} from './push/parse.js';
export {
  type ConnectionEvent,
  createLimitedServer,
  DEFAULT_FILE_LIMIT,
  fileDescriptorLimit,
  type Judgement,
  judgeConnection,
  type LimitEvent,
  type LimitedServerOptions,
  type ServerLimits,
  serverLimits,
} from './push/server-limits.js';
export { outcomeOf, type SendOutcome, sendOutcome } from './send-outcome.js';
export type * from './types.js';
export {
  isWaitingStatus,
  type Unanswered,
  unansweredAfter,
  unansweredOf,
  WAIT_CLOSER,
  WAIT_OPENER,
  WAITING_STATUS,
} from './waiting.js';
