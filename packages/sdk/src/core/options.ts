import type { FetchLike } from './http.js';
import type { RetryOptions } from './policy.js';
import type { RateLimitOptions } from './rate-limit.js';

/** A secret, or a function returning the current one (called before each attempt, so it can refresh). */
export type Credential = string | (() => string | Promise<string>);

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'off';

/** Anything console-shaped. Log lines never contain credentials. */
export interface Logger {
  debug(message: string, data?: Record<string, unknown>): void;
  info(message: string, data?: Record<string, unknown>): void;
  warn(message: string, data?: Record<string, unknown>): void;
  error(message: string, data?: Record<string, unknown>): void;
}

export interface ClientOptions {
  /** Sent as `Api-Key: <key>` (no prefix). The current, preferred credential. */
  apiKey?: Credential;
  /** OAuth token, sent as `Authorization: Bearer <token>`. Older, still accepted. */
  accessToken?: Credential;
  /** Default `https://api.partner.market.yandex.ru`. Point it at the emulator for development. */
  baseUrl?: string;
  /**
   * `'/v2'` (default) for the current published paths, `''` for the seed's unprefixed ones. getChat and
   * getChatMessage exist only under `/v2` and use it whatever this says.
   */
  pathPrefix?: string;
  /**
   * Per attempt: no response (or no further body bytes) for this long ends it. Default 15 000 ms: the
   * platform answers or abandons a request within 10 s of its arrival.
   */
  timeoutMs?: number;
  /**
   * The whole call, across all its attempts, waits and (for verified resends) history checks. Default
   * 60 000 ms. A retry that could not start in time is not made: the last error surfaces, saying so.
   */
  deadlineMs?: number;
  /** Extra attempts after the first, for failures that are safe to repeat. Default 3. */
  maxRetries?: number;
  retry?: RetryOptions;
  /** Client-side quota and concurrency limiter; `false` turns it off. */
  rateLimit?: RateLimitOptions | false;
  /** Use this fetch instead of the built-in transport (node:http, then undici), e.g. for a proxy or instrumentation. */
  fetch?: FetchLike;
  logger?: Logger;
  /** Default `info` when a logger is given. */
  logLevel?: LogLevel;
  /** Sent with every request. */
  headers?: Record<string, string>;
  /**
   * After an ambiguous send failure (5xx, timeout, dropped connection), wait until the request can no
   * longer land, look for the message among the chat's messages after the newest one noted before the
   * first attempt, and resend only if it is not there. Costs one extra getChatHistory call per send.
   * Off by default: the failure surfaces with `maybeSent`.
   */
  verifiedResend?: boolean;
}

/** Per-call overrides of the client's options. */
export interface RequestOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
  deadlineMs?: number;
  maxRetries?: number;
  headers?: Record<string, string>;
  verifiedResend?: boolean;
}

export const DEFAULT_BASE_URL = 'https://api.partner.market.yandex.ru';

/** Defaults of the options not owned by the retry policy (`policy.ts`). */
export const DEFAULTS = { pathPrefix: '/v2', timeoutMs: 15_000, deadlineMs: 60_000 } as const;
