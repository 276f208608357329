/** What every tool handler needs, built once per server. */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { ChatsApi, Id } from '@ym-chats/sdk';
import type { AuditLog } from './audit.js';
import type { Confirmer } from './confirm.js';
import type { DraftBook } from './drafts.js';
import type { McpLogger } from './options.js';

export interface ToolContext {
  server: McpServer;
  api: ChatsApi;
  businessId: Id;
  dryRun: boolean;
  drafts: DraftBook;
  audit: AuditLog;
  confirmer: Confirmer;
  logger: McpLogger;
  now: () => Date;
}
