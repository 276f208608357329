/** `@ym-chats/inbox`: the web inbox served by `ym-chats serve` over the sync store. */
export {
  type AgentDirectory,
  type AgentImport,
  agentProblem,
  MemoryAgentDirectory,
} from './auth/agent-directory.js';
export type { Agent, AgentConfig, ServedBusinesses } from './auth/agents.js';
export {
  type LoginAttempt,
  type LoginLimiter,
  type LoginLimiterOptions,
  MemoryLoginLimiter,
  SqlLoginLimiter,
} from './auth/login-limiter.js';
export {
  createLoginLink,
  LOGIN_LINK_TTL_MS,
  type LoginLinks,
  loginLinkUrl,
  MemoryLoginLinks,
  SqlLoginLinks,
} from './auth/login-links.js';
export { hashPassword, verifyPassword } from './auth/password.js';
export {
  MemorySessionStore,
  type Session,
  type SessionKind,
  type SessionStore,
  type SessionStoreOptions,
  SqlSessionStore,
} from './auth/sessions.js';
export type { DraftAnswer } from './drafts/approve.js';
export {
  AssistantDraftQueue,
  type AssistantDraftStatus,
  type QueuedAssistantDraft,
} from './drafts/queue.js';
export type { AssistantDraft, AssistantDraftState } from './drafts/store.js';
export {
  approveAssistantDraft,
  discardAssistantDraft,
  listAssistantDrafts,
  type TerminalDecision,
  type TerminalOutcome,
} from './drafts/terminal.js';
export {
  type CredentialFetcherOptions,
  credentialFetcher,
  type FileCredential,
  type FileFetcher,
  FileHostError,
} from './http/file-proxy.js';
export { NotServedError } from './http/not-served.js';
export { CONTENT_SECURITY_POLICY } from './http/respond.js';
export { createInbox, type Inbox, type InboxOptions } from './inbox.js';
export { type LiveBus, type LiveEvent, MemoryBus, type Viewer } from './live/bus.js';
export type { StreamCaps } from './live/open-streams.js';
export { type ListenClient, PostgresRelay, type PostgresRelayOptions } from './live/pg-relay.js';
export type { PresenceNote, Relay, RelayMessage } from './live/relay.js';
export { TableRelay } from './live/table-relay.js';
export { type OpenInboxOptions, openInbox } from './open.js';
export { sendLedgerCredit } from './reports/credit.js';
export {
  BUSINESS_HOURS_SPEC,
  countedInHours,
  parseBusinessHours,
  reportHours,
} from './reports/hours.js';
export type { BusinessHours } from './shared/business-hours.js';
export { FILE_MAX_BYTES, MESSAGE_MAX_LENGTH, messageLength } from './shared/limits.js';
export { type RunningInbox, type StartInboxOptions, startInbox } from './start.js';
export { SqlAgentDirectory, type SqlAgentDirectoryOptions } from './store/sql-agent-directory.js';
export { StoreSource } from './store/sql-source.js';
export { SqlTeamStore } from './store/sql-team-store.js';
export { SqlTemplateStore } from './store/sql-templates.js';
export { type AuditEntry, MemoryTeamStore, type TeamStore } from './team/team-store.js';
export {
  DEFAULT_TEMPLATES,
  MemoryTemplateStore,
  type Template,
  type TemplateDraft,
  TemplateError,
  type TemplateStore,
} from './team/templates.js';
export type * from './types.js';
