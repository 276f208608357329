/**
 * Errors the CLI raises itself, and the one place that turns any thrown value into an exit code and a
 * message that says what to do next.
 */
import {
  AbortError,
  AuthenticationError,
  ChatsApiError,
  ConnectionError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  TimeoutError,
  ValidationError,
} from '@ym-chats/sdk';
import { EXIT, type ExitCode } from './exit-codes.js';

export class CliError extends Error {
  override name = 'CliError';
  constructor(
    message: string,
    readonly exitCode: ExitCode,
    /** What the user should do about it. */
    readonly hint?: string,
  ) {
    super(message);
  }
}

/** Bad flags, arguments or configuration: the user can fix the command line. */
export class UsageError extends CliError {
  override name = 'UsageError';
  constructor(message: string, hint?: string) {
    super(message, EXIT.usage, hint);
  }
}

/** No credential anywhere: not in flags, environment or the config file. */
export class MissingCredentialError extends CliError {
  override name = 'MissingCredentialError';
  constructor(message: string, hint: string) {
    super(message, EXIT.auth, hint);
  }
}

export interface ErrorReport {
  type: string;
  message: string;
  status: number | null;
  exitCode: ExitCode;
  hint?: string;
  /** Extra machine-readable facts (reset time, maybeSent…). */
  details?: Record<string, unknown>;
}

export interface ErrorContext {
  /** The business the command acted for, to name it in hints. */
  businessId?: string;
  /** The command that failed, for hints such as "check the chat id". */
  command?: string;
  /** The path part of the base URL, when it has one (the API itself lives at the host root). */
  basePath?: string;
  self: string;
}

function minutesUntil(date: Date): string {
  const ms = date.getTime() - Date.now();
  if (ms <= 0) return 'now';
  const minutes = Math.ceil(ms / 60_000);
  return minutes === 1 ? 'in about a minute' : `in about ${minutes} minutes`;
}

function validationHint(error: ValidationError): string | undefined {
  if (error.field.endsWith('message')) return 'Give a message of 1 to 4096 characters.';
  if (error.field === 'file') return 'Pick a regular file of at most 5 MB.';
  if (error.field === 'limit') return 'Pass --limit within the range shown, or drop it.';
  return undefined;
}

/** Classifies anything thrown by a command. */
export function describeError(error: unknown, ctx: ErrorContext): ErrorReport {
  if (error instanceof CliError) {
    return {
      type: error.name,
      message: error.message,
      status: null,
      exitCode: error.exitCode,
      hint: error.hint,
    };
  }
  if (error instanceof ChatsApiError) {
    const status = error.status ?? null;
    const base = { type: error.name, message: error.message, status };
    if (error instanceof ValidationError) {
      return { ...base, exitCode: EXIT.usage, hint: validationHint(error) };
    }
    if (error instanceof AuthenticationError) {
      return {
        ...base,
        exitCode: EXIT.auth,
        hint:
          'The API did not accept the credential. Check the Api-Key you pass (--api-key-file, YM_API_KEY or ' +
          'the profile in the config file); it is sent bare, without "Bearer".',
      };
    }
    if (error instanceof PermissionDeniedError) {
      const business = ctx.businessId === undefined ? 'the business' : `business ${ctx.businessId}`;
      return {
        ...base,
        exitCode: EXIT.auth,
        hint: `Check that the credential may act for ${business} (--business-id / YM_BUSINESS_ID) and has the "communication" scope; an OAuth token may have expired.`,
      };
    }
    if (error instanceof RateLimitError) {
      const details: Record<string, unknown> = { local: error.local };
      let hint = 'Wait for the quota window to reset and run the command again.';
      if (error.resetAt) {
        details.resetAt = error.resetAt.toISOString();
        hint = `The quota resets at ${error.resetAt.toISOString()} (${minutesUntil(error.resetAt)}); run the command again then.`;
      }
      if (error.limit !== undefined) details.limit = error.limit;
      return { ...base, exitCode: EXIT.quota, hint, details };
    }
    if (error.maybeSent) {
      return {
        ...base,
        message: `${error.message.replace(/\.?\s*The request may have reached[\s\S]*$/, '')}. The message MAY HAVE BEEN SENT.`,
        exitCode: EXIT.api,
        hint: `Do not resend blindly: look at the chat first (${ctx.self} history <chatId> --all) and send again only if it is not there.`,
        details: { maybeSent: true },
      };
    }
    if (error instanceof NotFoundError) {
      if (ctx.basePath !== undefined) {
        return {
          ...base,
          exitCode: EXIT.api,
          hint:
            `The base URL has a path (${ctx.basePath}), and the API paths go after it (${ctx.basePath}/v2/businesses/…). ` +
            'The Market API and the emulator both live at the host root: check --base-url / YM_BASE_URL, then the ids.',
        };
      }
      return {
        ...base,
        exitCode: EXIT.api,
        hint: `Check the ids: \`${ctx.self} chats --all\` lists the chats of the business, \`${ctx.self} history <chatId>\` the message ids.`,
      };
    }
    if (error instanceof ConnectionError || error instanceof TimeoutError) {
      return {
        ...base,
        exitCode: EXIT.api,
        hint: 'Check the base URL (--base-url / YM_BASE_URL) and the network; for the emulator, check that it is running.',
      };
    }
    if (error instanceof AbortError) return { ...base, exitCode: EXIT.api };
    return {
      ...base,
      exitCode: EXIT.api,
      hint: status !== null && status >= 500 ? 'The API failed; try again later.' : undefined,
    };
  }
  const message = error instanceof Error ? error.message : String(error);
  return {
    type: 'InternalError',
    message: `internal error: ${message}`,
    status: null,
    exitCode: EXIT.internal,
    hint: 'This is a bug in ym-chats; please report it with the command you ran (without secrets).',
  };
}
