/**
 * `@ym-chats/workers`: many businesses synced by N processes over one PostgreSQL store and one shared
 * quota — a business registry with sealed credentials, leases, and the worker loop `ym-chats serve` and
 * `ym-chats sync --watch` run with `--registered`.
 */

// The one business runner is the sync package's; re-exported for code that took it from here.
export { BusinessRunner, type BusinessRunnerOptions } from '@ym-chats/sync';
export {
  RegistryChatsApi,
  type RegistryClientOptions,
  UnregisteredBusinessError,
} from './business-clients.js';
export {
  type Credential,
  CredentialKeyError,
  type CredentialKind,
  credentialKey,
  KEY_VARIABLE,
  mask,
  open as openCredential,
  seal as sealCredential,
} from './credentials.js';
export { Gate } from './gate.js';
export { LeaseBook } from './leases.js';
export { migrateWorkers, WORKERS_MIGRATIONS, WORKERS_SCHEMA_VERSION } from './migrations.js';
export { RegisteredIds, type RegisteredIdsOptions } from './registered-ids.js';
export { type BusinessEntry, BusinessRegistry } from './registry.js';
export {
  type RegisteredBusinesses,
  type RegisteredServeOptions,
  registeredBusinesses,
} from './serve-registered.js';
export {
  DEFAULT_LEASE_MS,
  type RunMode,
  SecondWorkerError,
  Worker,
  type WorkerEvent,
  type WorkerOptions,
  WrongKeyError,
} from './worker.js';
