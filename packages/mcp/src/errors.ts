/**
 * Tool failures. A tool error is a result the assistant reads (`isError: true`), not a protocol error:
 * it says what went wrong, whether anything reached the buyer, and what to do next. SDK errors arrive
 * with the credential already masked; nothing here adds request details beyond their messages.
 */
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import {
  AuthenticationError,
  ChatsApiError,
  ConnectionError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  TimeoutError,
  ValidationError,
} from '@ym-chats/sdk';

/** A refusal or failure with a message written for the assistant. */
export class ToolError extends Error {
  override name = 'ToolError';
}

export function errorResult(text: string, structured?: Record<string, unknown>): CallToolResult {
  const result: CallToolResult = { isError: true, content: [{ type: 'text', text }] };
  if (structured !== undefined) result.structuredContent = structured;
  return result;
}

/** Says what an SDK failure means for the assistant; `what` names the attempted action. */
export function explainApiError(error: unknown, what: string): string {
  if (error instanceof ToolError) return error.message;
  if (!(error instanceof ChatsApiError)) {
    return `${what}: ${error instanceof Error ? error.message : String(error)}`;
  }
  if (error instanceof ValidationError) return `${what} refused before any request: ${error.message}`;
  if (error instanceof NotFoundError)
    return `${what}: not found (${error.message}). Check the id with list_chats.`;
  if (error instanceof RateLimitError) {
    const reset = error.resetAt ? ` The quota resets at ${error.resetAt.toISOString()}.` : '';
    return `${what}: the hourly API quota for this operation is used up; nothing was sent.${reset} Try again after the reset.`;
  }
  if (error instanceof AuthenticationError || error instanceof PermissionDeniedError) {
    return `${what}: the API refused the seller's credential (${error.status ?? 'no status'}). The person must fix the server configuration; retrying will not help.`;
  }
  if (error instanceof ConnectionError || error instanceof TimeoutError) {
    return `${what}: the API could not be reached (${error.message}).`;
  }
  return `${what}: ${error.message}`;
}
