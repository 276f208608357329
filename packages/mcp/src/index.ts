/** `@ym-chats/mcp`: a Model Context Protocol server for buyer chats (`ym-chats mcp`). */
export {
  type ApprovalQueue,
  type ApprovalState,
  type ApprovalStatus,
  DEFAULT_APPROVE_HINT,
  type QueuedDraft,
} from './approval.js';
export type { AuditEvent, AuditOutcome } from './audit.js';
export { DEFAULT_MAX_SENDS_PER_HOUR } from './budget.js';
export type { ConfirmedBy } from './confirm.js';
export type { ChatsMcpOptions, McpLogger } from './options.js';
export { createChatsMcpServer, resolveFilesDir, SERVER_NAME } from './server.js';
export type { ChatStore, StoredChat, StoredMessage } from './source/store.js';
export { serveStdio } from './stdio.js';
export type { ReportFigures, ReportReader, ReportRequest } from './tools/report-reader.js';
export { VERSION } from './version.js';
