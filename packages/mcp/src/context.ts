/** What every tool handler needs, built once per server. */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { ChatsApi, Id } from '@ym-chats/sdk';
import type { ApprovalQueue } from './approval.js';
import type { AuditLog } from './audit.js';
import type { SendBudget } from './budget.js';
import type { Confirmer } from './confirm.js';
import type { DraftBook } from './drafts.js';
import type { McpLogger } from './options.js';
import type { ChatSource } from './source/source.js';

export interface ToolContext {
  server: McpServer;
  /** Sends, and the live checks before a draft or a file send. */
  api: ChatsApi;
  /** Where the reading tools read: the API, or the sync store when one is configured. */
  source: ChatSource;
  businessId: Id;
  dryRun: boolean;
  drafts: DraftBook;
  audit: AuditLog;
  budget: SendBudget;
  confirmer: Confirmer;
  /** Where drafts wait for a person when the client cannot ask one; without it such sends are refused. */
  approvals: ApprovalQueue | undefined;
  logger: McpLogger;
  now: () => Date;
}
