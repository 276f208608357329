/** `@ym-chats/emulator`: a stateful local Yandex Market Chats API with an admin namespace. */
import { type Emulator, type EmulatorOptions, EmulatorServer } from './emulator.js';

export { AdminClient, type AdminPayloadFile, type AdminState } from './admin-client.js';
export type { EmulatorCredential } from './auth.js';
export { exposureWarning, startBanner } from './banner.js';
export {
  DEFAULT_BUSINESS_ID,
  DEFAULT_CREDENTIALS,
  type Emulator,
  type EmulatorOptions,
  EmulatorServer,
} from './emulator.js';
export type { FaultPlan, FaultRule, FaultRuleInput } from './faults.js';
export { type ChatNotification, DEFAULT_RETRY_SCHEDULE_MS, type Delivery } from './notifications.js';
export { DEFAULT_LIMITS, OPERATIONS, type Operation } from './operations.js';
export {
  ORDER_STATUSES,
  ORDER_SUBSTATUSES,
  REFUND_STATUSES,
  RETURN_SHIPMENT_STATUSES,
} from './order-data.js';
export { PLATFORM_TIMEOUT_MS } from './platform-timeout.js';
export { DEFAULT_CONCURRENCY } from './quotas.js';
export { ADMIN_TOKEN_ENV, ADMIN_TOKEN_HEADER, isLoopbackName } from './request-guard.js';
export type { SeedSummary } from './seed.js';
export type { ChatJson, MessageJson, PayloadJson } from './serialize.js';
export {
  CHAT_STATUSES,
  CHAT_TYPES,
  CONTEXT_TYPES,
  OPERATION_IDS,
  type OperationId,
  ORDER_OPERATION_IDS,
  type OrderOperationId,
  SENDERS,
} from './types.js';

export { MESSAGE_MAX_LENGTH } from './validate.js';

export const DEFAULT_PORT = 8080;

export function createEmulator(options: EmulatorOptions = {}): Emulator & EmulatorServer {
  return new EmulatorServer(options);
}
