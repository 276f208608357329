/** What the server is given: a client, the business it acts for, and the rules it enforces. */
import type { ChatsApi, Id } from '@ym-chats/sdk';
import type { ApprovalQueue } from './approval.js';
import type { ChatStore } from './source/store.js';
import type { ReportReader } from './tools/report-reader.js';

/** Where diagnostics go. Never stdout: on stdio that stream carries protocol messages only. */
export interface McpLogger {
  info(text: string): void;
  warn(text: string): void;
}

export interface ChatsMcpOptions {
  /** A configured client; its quotas, retries and no-duplicate send rules apply to every call. */
  api: ChatsApi;
  businessId: Id;
  /** No sending tool (draft_reply, send_reply, send_file) is registered at all. */
  readOnly?: boolean;
  /** Every step of a send runs (checks, confirmation, audit) except the API call itself. */
  dryRun?: boolean;
  /**
   * A sync store (`SyncStore` from @ym-chats/sync, kept current by `ym-chats sync`): the reading tools
   * read it instead of the API, and search_messages is offered. Sends always go through the API.
   */
  store?: ChatStore;
  /**
   * Where a draft waits for a person's approval when the client cannot ask the person (no elicitation).
   * Without it (and without `unsafeModelConfirms`) such a client can draft but never send.
   */
  approvals?: ApprovalQueue;
  /** Support figures from the store (@ym-chats/sync's `report()`, wired by the CLI): offers get_report. */
  reports?: ReportReader;
  /**
   * UNSAFE: without elicitation, the assistant's own `confirm: true` sends. A buyer's message can persuade
   * the model to set it; the audit log records these sends as `confirmedBy: "unsafe-model-confirms"`.
   */
  unsafeModelConfirms?: boolean;
  /** send_file accepts only files inside this directory; without it send_file is not offered. */
  filesDir?: string;
  /** Sends allowed per rolling hour, whatever the confirmations (default 60). */
  maxSendsPerHour?: number;
  /** Append-only JSONL file recording every send made through the server. */
  auditLog: string;
  logger?: McpLogger;
  /** How long to wait for the person to answer a confirmation request (default 10 minutes). */
  confirmTimeoutMs?: number;
  /** Clock for "how long has the buyer waited"; tests may pin it. */
  now?: () => Date;
}

export const stderrLogger: McpLogger = {
  info: (text) => process.stderr.write(`${text}\n`),
  warn: (text) => process.stderr.write(`warning: ${text}\n`),
};
