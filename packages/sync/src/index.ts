/** `@ym-chats/sync`: mirror buyer chats into SQLite or PostgreSQL and receive push notifications. */

// The push format is the SDK's; re-exported for code that took it from here.
// The address rules are the SDK's (one for the receiver, the inbox and the connection caps); re-exported
// for code that took them from here.
export {
  normalizeAddress,
  type ParsedNotification,
  parseNetworks,
  parseNotification,
  type TrustProxy,
} from '@ym-chats/sdk';
export type { Dialect, Row, Sql, SqlValue } from './db/sql.js';
export { DEFAULT_SETTLE_MS, isSettled, needsHistory, settledAfterRead } from './engine/changes.js';
export {
  CHATS_PAGE,
  HISTORY_PAGE,
  type HistoryReadResult,
  SyncEngine,
  type SyncEngineOptions,
} from './engine/engine.js';
export { estimateEta, type PassResult, type SyncProgress } from './engine/progress.js';
export { type RefreshOptions, type RefreshResult, refreshChat } from './engine/refresh-chat.js';
export { EventSubscriber, type SubscriberOptions } from './events/subscriber.js';
export {
  METRICS,
  type MetricDefinition,
  type MetricType,
  SEND_OUTCOME_LABEL,
} from './metrics/definitions.js';
export {
  METRICS_PATH,
  type MetricsServer,
  type MetricsServerOptions,
  type MetricsSource,
  startMetricsServer,
} from './metrics/server.js';
export { SyncMetrics, type SyncMetricsOptions } from './metrics/sync-metrics.js';
export { keyFingerprint } from './orders/key-fingerprint.js';
export { OrderFill, type OrderFillOptions, type OrderFillResult } from './orders/order-fill.js';
export { DEFAULT_ORDER_REFRESH_MS, ORDERS_PER_CALL } from './orders/policy.js';
export { pause } from './pause.js';
export type { BusinessBacklog } from './reads/backlog.js';
export {
  READ_MODEL_SUBSCRIBER,
  ReadModelIndexer,
  type ReadModelIndexerOptions,
} from './reads/indexer.js';
export { type CandidateOptions, type IndexedMessage, StoreMessageIndex } from './reads/message-index.js';
export type {
  ChatOrderContext,
  MissingOrderScope,
  MoneySummary,
  OrderDeliverySummary,
  OrderItemSummary,
  OrderSummary,
  ReturnItemSummary,
  ReturnSummary,
} from './reads/order-types.js';
export { chatsSql, queueSql, type Statement } from './reads/queue.js';
export {
  type KindCounts,
  type QueueCounts,
  queueCountsSql,
  type StatusCounts,
} from './reads/queue-counts.js';
export { StoreReads } from './reads/reads.js';
export { type MatchedBy, searchCountSql, searchSql } from './reads/search.js';
export type {
  ChatChange,
  ChatContextSummary,
  ChatKey,
  ChatSummary,
  FileSummary,
  MessageSummary,
  QueueCursor,
  QueueFilter,
  QueueQuery,
  SearchPage,
  SearchRow,
} from './reads/types.js';
export { matchesAll, searchWords, wordMatcher } from './reads/words.js';
export {
  BODY_LIMIT_BYTES,
  type HandlerOptions,
  type HandlerStats,
  type NotificationAnswer,
  NotificationHandler,
} from './receiver/handler.js';
export { type PeerOptions, PeerPolicy } from './receiver/peer.js';
export { NotificationProcessor, type ProcessorStats } from './receiver/processor.js';
export { businessesWithPending, unprocessedFor } from './receiver/queue.js';
export {
  listenForPushes,
  type Mount,
  type PushListener,
  type PushListenerOptions,
} from './receiver/server.js';
export { REPORT_CSV_HEADER, reportCsv } from './reports/csv.js';
export {
  type Period,
  type PeriodParameter,
  type PeriodQuery,
  type PeriodRules,
  reportPeriod,
} from './reports/period.js';
export {
  type AgentCredit,
  type AgentFigures,
  type ClosingMessage,
  type DayFigures,
  OUTSIDE_AGENT,
  type Report,
  type ReportOptions,
  type ReportSummary,
  type ReportWait,
  report,
} from './reports/report.js';
export {
  BusinessRunner,
  type BusinessRunnerOptions,
  type PassGate,
  type RunnerPolicy,
} from './runner/business-runner.js';
export type { RunnerObserver } from './runner/observer.js';
export {
  DEFAULT_RECONCILE_MINUTES,
  type OneBusiness,
  type OneBusinessOptions,
  oneBusiness,
  type ReceiverOptions,
  type RunningReceiver,
  startReceiver,
} from './runner/one-business.js';
export {
  DEFAULT_PASS_RETRY_MS,
  DEFAULT_PUSH_RETRY_MS,
  type FailureWait,
  failureWait,
  MAX_RETRY_MS,
  nextStep,
  quotaResetAt,
  type RunOutcome,
  type RunPolicy,
  type RunStep,
} from './runner/policy.js';
export {
  type BusinessesSource,
  ListenError,
  type MountedApp,
  PushPathTakenError,
  type ServedBusinesses,
  type ServeOptions,
  type Serving,
  serve,
} from './runner/serve.js';
export { DIALECT_TYPES, type DialectTypes } from './schema/dialect.js';
export { MIGRATIONS, SCHEMA_VERSION } from './schema/migrations.js';
export { CHANGE_CHANNEL_SQL } from './schema/read-model-migrations.js';
export {
  latestVersion,
  type Migration,
  MigrationError,
  type MigrationSet,
  runMigrations,
} from './schema/runner.js';
export type { MessageEvent } from './store/events.js';
export {
  type ChatNotificationType,
  DEFAULT_INBOUND_RETENTION_DAYS,
  type InboundNotification,
  type QueuedNotification,
} from './store/inbound.js';
export type { StoreCounts, WaitingChat } from './store/queries.js';
export type { ChatRecord, FileRecord, MessageRecord } from './store/records.js';
export type { Cursor, RunRecord, RunTrigger } from './store/runs.js';
export {
  DEFAULT_SQLITE_PATH,
  isPostgresUrl,
  type OpenStoreOptions,
  openDatabase,
  openStore,
  SyncStore,
} from './store/store.js';
export {
  isWaitingStatus,
  type Unanswered,
  unansweredOf,
  WAIT_CLOSER,
  WAIT_OPENER,
  WAITING_STATUS,
  waitingSinceSql,
} from './store/waiting.js';
