import type { FetchLike } from './http.js';
import type { RateLimitOptions } from './rate-limit.js';
import type { RetryOptions } from './retry.js';

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
  /** `''` (default) for the seed's paths, `'/v2'` for the current published ones. */
  pathPrefix?: string;
  /** Per attempt. Default 30 000 ms (the platform itself gives up after 10 s). */
  timeoutMs?: number;
  /** Extra attempts after the first, for failures that are safe to repeat. Default 3. */
  maxRetries?: number;
  retry?: RetryOptions;
  /** Client-side quota and concurrency limiter; `false` turns it off. */
  rateLimit?: RateLimitOptions | false;
  /** Use this fetch instead of the built-in undici transport (e.g. for a proxy or instrumentation). */
  fetch?: FetchLike;
  logger?: Logger;
  /** Default `info` when a logger is given. */
  logLevel?: LogLevel;
  /** Sent with every request. */
  headers?: Record<string, string>;
  /**
   * After an ambiguous send failure (5xx, timeout, dropped connection), look for the message in the chat
   * history and resend only if it is not there. Off by default: the failure surfaces with `maybeSent`.
   */
  verifiedResend?: boolean;
}

/** Per-call overrides of the client's options. */
export interface RequestOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
  maxRetries?: number;
  headers?: Record<string, string>;
  verifiedResend?: boolean;
}

export const DEFAULT_BASE_URL = 'https://api.partner.market.yandex.ru';
