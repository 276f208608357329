import { OPERATIONS, type OperationId } from '../operations.js';
import {
  AbortError,
  ChatsApiError,
  ConnectionError,
  errorClassForStatus,
  RateLimitError,
  TimeoutError,
} from './errors.js';
import {
  fetchTransport,
  networkErrorCode,
  provablyNotSent,
  type Transport,
  TransportTimeout,
  undiciTransport,
} from './http.js';
import {
  type ClientOptions,
  type Credential,
  DEFAULT_BASE_URL,
  type LogLevel,
  type RequestOptions,
} from './options.js';
import { type QuotaState, quotaFromHeaders, RateLimiter, type Release } from './rate-limit.js';
import { Redactor } from './redact.js';
import { decideRetry, parseRetryAfter, type RetryOptions } from './retry.js';
import { sleep } from './sleep.js';

/** One API call, already validated and encoded by the resource layer. */
export interface Call {
  operation: OperationId;
  /** Decimal business id. */
  business: string;
  /** Encoded query string without `?`, or ''. */
  query: string;
  body?: string | Uint8Array<ArrayBuffer>;
  contentType?: string;
  options?: RequestOptions | undefined;
}

const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, off: 99 };
const USER_AGENT = 'ym-chats-sdk/0.1.0';
const SEND_HINT =
  ' The request may have reached the platform, so the buyer may already have it: check the chat history ' +
  'before sending again, or pass verifiedResend: true to let the SDK check and resend.';

/**
 * The transport core every operation goes through: auth headers, the limiter, timeouts and cancellation,
 * status → error mapping, retries and logging. Resource methods only validate and encode.
 */
export class Core {
  readonly redactor = new Redactor();
  readonly limiter: RateLimiter | undefined;
  private readonly transport: Transport;
  private readonly base: string;
  private readonly logLevel: number;
  private readonly fixedHeaders: Record<string, string>;

  constructor(private readonly options: ClientOptions) {
    if (options.apiKey === undefined && options.accessToken === undefined) {
      throw new TypeError(
        'ChatsApi: no credential. Pass apiKey (sent as the Api-Key header) or accessToken (an OAuth token, ' +
          'sent as Authorization: Bearer).',
      );
    }
    for (const [name, credential] of [
      ['apiKey', options.apiKey],
      ['accessToken', options.accessToken],
    ] as const) {
      if (typeof credential === 'string') checkCredential(credential, name);
      if (typeof credential === 'string') this.redactor.add(credential);
    }
    for (const [name, value] of Object.entries(options.headers ?? {})) this.rememberSecretHeader(name, value);
    const baseUrl = (options.baseUrl ?? DEFAULT_BASE_URL).replace(/\/+$/, '');
    if (!/^https?:\/\/[^/]/.test(baseUrl))
      throw new TypeError(`ChatsApi: baseUrl must be an http(s) URL, got "${baseUrl}"`);
    this.base = `${baseUrl}${(options.pathPrefix ?? '').replace(/\/+$/, '')}/businesses/`;
    this.transport = options.fetch ? fetchTransport(options.fetch) : undiciTransport();
    this.limiter = options.rateLimit === false ? undefined : new RateLimiter(options.rateLimit);
    this.logLevel = options.logger ? LEVELS[options.logLevel ?? 'info'] : LEVELS.off;
    this.fixedHeaders = { accept: 'application/json', 'user-agent': USER_AGENT };
    if (typeof options.apiKey === 'string') this.fixedHeaders['api-key'] = options.apiKey;
    if (typeof options.accessToken === 'string')
      this.fixedHeaders.authorization = `Bearer ${options.accessToken}`;
    if (options.headers) Object.assign(this.fixedHeaders, lowerKeys(options.headers));
  }

  async call<T>(call: Call): Promise<T> {
    const { operation } = call;
    const spec = OPERATIONS[operation];
    const options = call.options ?? {};
    const maxRetries = options.maxRetries ?? this.options.maxRetries ?? 3;
    const retryOptions: RetryOptions = this.options.retry ?? {};
    const url = `${this.base}${call.business}${spec.path}${call.query === '' ? '' : `?${call.query}`}`;
    for (let attempt = 1; ; attempt++) {
      // Both steps are synchronous in the common case; awaiting only when needed saves ticks per call.
      let headers = this.headers(call);
      if (headers instanceof Promise) headers = await headers;
      let release = this.limiter?.acquire(call.business, operation, options.signal);
      if (release instanceof Promise)
        release = await this.waitForLimiter(release, operation, attempt, options);
      const started = this.logLevel <= LEVELS.debug ? performance.now() : 0;
      if (this.logLevel <= LEVELS.debug)
        this.log('debug', `${operation} → ${spec.method} ${url}`, { operation, attempt });
      let error: ChatsApiError;
      let notSent = false;
      let serverWaitMs: number | undefined;
      let quota: QuotaState | undefined;
      try {
        const response = await this.send(spec.method, url, headers, call.body, options, operation);
        quota = quotaFromHeaders(response.header);
        // A proxy could put anything in this header, the credential included.
        const rawRequestId = response.header('x-request-id');
        const requestId = rawRequestId === undefined ? undefined : this.redactor.text(rawRequestId);
        if (this.logLevel <= LEVELS.debug) {
          this.log('debug', `${operation} ← ${response.status}`, {
            operation,
            status: response.status,
            requestId,
            durationMs: Math.round(performance.now() - started),
          });
        }
        if (response.status >= 200 && response.status < 300) {
          return this.parse<T>(response.text, operation, requestId, spec.retryClass === 'send');
        }
        error = this.httpError(operation, response.status, response.text, requestId, quota, attempt);
        serverWaitMs = parseRetryAfter(response.header('retry-after'), Date.now());
        if (
          serverWaitMs === undefined &&
          error instanceof RateLimitError &&
          error.resetAt &&
          error.remaining === 0
        ) {
          serverWaitMs = error.resetAt.getTime() - Date.now();
        }
      } catch (thrown) {
        if (!(thrown instanceof TransportFailure)) throw thrown;
        notSent = thrown.notSent;
        error = thrown.error;
      } finally {
        await this.settle(release, quota, operation);
      }
      if (error instanceof AbortError)
        throw this.finalError(error, spec.retryClass === 'send' && !notSent, attempt);
      const decision = decideRetry({
        retryClass: spec.retryClass,
        error,
        notSent,
        attempt,
        maxRetries,
        serverWaitMs,
        options: retryOptions,
      });
      if (!decision.retry) {
        throw this.finalError(error, spec.retryClass === 'send' && !notSent, attempt);
      }
      this.log('warn', `${operation}: ${error.message} — retrying in ${decision.delayMs} ms`, {
        operation,
        attempt,
        delayMs: decision.delayMs,
        status: error.status,
      });
      try {
        await sleep(decision.delayMs, options.signal);
      } catch {
        throw new AbortError(`${operation}: aborted by the caller while waiting to retry`, {
          operation,
          attempts: attempt,
        });
      }
    }
  }

  /**
   * Frees the limiter slot and records the server's quota figures. A failing quota store (say, a shared
   * Redis) is logged, never thrown: the call's own outcome — maybe a delivered send — must stand.
   */
  private async settle(
    release: Release | undefined,
    quota: QuotaState | undefined,
    operation: OperationId,
  ): Promise<void> {
    try {
      const recorded = release?.(quota);
      if (recorded instanceof Promise) await recorded;
    } catch (error) {
      this.log(
        'warn',
        `${operation}: could not record the quota state: ${this.redactor.cause(error).message}`,
      );
    }
  }

  /** Waits for the limiter; the caller's abort while queued becomes an AbortError like any other. */
  private async waitForLimiter<R>(
    pending: Promise<R>,
    operation: OperationId,
    attempt: number,
    options: RequestOptions,
  ) {
    try {
      return await pending;
    } catch (error) {
      if (options.signal?.aborted && !(error instanceof RateLimitError)) {
        throw new AbortError(`${operation}: aborted by the caller while waiting for quota or a free slot`, {
          operation,
          attempts: attempt - 1,
        });
      }
      throw error;
    }
  }

  /** Current quota figures per operation for one business (learned from the server where possible). */
  quota(business: string) {
    if (!this.limiter) throw new TypeError('ChatsApi: the rate limiter is off (rateLimit: false)');
    return this.limiter.snapshot(business);
  }

  log(level: Exclude<LogLevel, 'off'>, message: string, data?: Record<string, unknown>): void {
    if (LEVELS[level] < this.logLevel) return;
    this.options.logger?.[level](this.redactor.text(message), data);
  }

  /**
   * Headers for one attempt. Credential functions are called every time, so a refreshed token is used;
   * with plain string credentials this stays synchronous.
   */
  private headers(call: Call): Record<string, string> | Promise<Record<string, string>> {
    const headers: Record<string, string> = { ...this.fixedHeaders };
    if (call.contentType) headers['content-type'] = call.contentType;
    const { apiKey, accessToken } = this.options;
    if (typeof apiKey !== 'function' && typeof accessToken !== 'function')
      return this.withCallHeaders(headers, call);
    return (async () => {
      if (typeof apiKey === 'function') headers['api-key'] = await this.resolve(apiKey);
      if (typeof accessToken === 'function')
        headers.authorization = `Bearer ${await this.resolve(accessToken)}`;
      return this.withCallHeaders(headers, call);
    })();
  }

  private withCallHeaders(headers: Record<string, string>, call: Call): Record<string, string> {
    const extra = call.options?.headers;
    if (!extra) return headers;
    for (const [name, value] of Object.entries(extra)) this.rememberSecretHeader(name, value);
    return Object.assign(headers, lowerKeys(extra));
  }

  private async resolve(credential: Exclude<Credential, string>): Promise<string> {
    const value = await credential();
    if (typeof value === 'string') checkCredential(value, "the credential function's result");
    if (typeof value !== 'string' || value === '') {
      throw new TypeError(
        'ChatsApi: the credential function returned no token (expected a non-empty string)',
      );
    }
    this.redactor.add(value);
    return value;
  }

  private rememberSecretHeader(name: string, value: string): void {
    const lower = name.toLowerCase();
    if (lower === 'api-key') this.redactor.add(value);
    if (lower === 'authorization') this.redactor.add(value.replace(/^Bearer\s+/i, ''));
  }

  private async send(
    method: 'GET' | 'POST',
    url: string,
    headers: Record<string, string>,
    body: string | Uint8Array<ArrayBuffer> | undefined,
    options: RequestOptions,
    operation: OperationId,
  ) {
    const timeoutMs = options.timeoutMs ?? this.options.timeoutMs ?? 30_000;
    const userSignal = options.signal;
    if (userSignal?.aborted) {
      throw new TransportFailure(
        new AbortError(`${operation}: aborted by the caller before sending`, { operation }),
        true,
      );
    }
    try {
      const request = { method, url, headers, signal: userSignal, timeoutMs };
      return await this.transport(body === undefined ? request : { ...request, body });
    } catch (thrown) {
      if (thrown instanceof TransportTimeout) {
        throw new TransportFailure(
          new TimeoutError(`${operation}: no response within ${timeoutMs} ms`, { operation }),
          false,
        );
      }
      if (userSignal?.aborted) {
        throw new TransportFailure(
          new AbortError(`${operation}: aborted by the caller`, { operation }),
          false,
        );
      }
      const code = networkErrorCode(thrown);
      if (code === 'UND_ERR_INVALID_ARG') {
        // undici refused to build the request (e.g. a header value with a line break): nothing was sent
        // and repeating it cannot help.
        throw new ChatsApiError(`${operation}: the request could not be built (${code}); nothing was sent`, {
          operation,
          cause: this.redactor.cause(thrown),
        });
      }
      const notSent = provablyNotSent(thrown);
      const reason = this.redactor.text(code ?? (thrown instanceof Error ? thrown.message : 'unknown'));
      throw new TransportFailure(
        new ConnectionError(
          `${operation}: connection failed (${reason})${notSent ? ' before the request was sent' : ''}`,
          { operation, cause: this.redactor.cause(thrown) },
        ),
        notSent,
      );
    }
  }

  private parse<T>(text: string, operation: OperationId, requestId: string | undefined, isSend: boolean): T {
    try {
      return JSON.parse(text) as T;
    } catch {
      // A 2xx to a send means the platform took it; an unreadable body must not turn that into a failure
      // a caller might answer by sending again.
      if (isSend) {
        this.log('warn', `${operation}: a 2xx response with a non-JSON body; treating the send as done`);
        return { status: 'OK' } as T;
      }
      throw new ChatsApiError(
        `${operation}: the response was not JSON: ${this.redactor.text(text.slice(0, 200))}`,
        requestId === undefined ? { operation } : { operation, requestId },
      );
    }
  }

  private httpError(
    operation: OperationId,
    status: number,
    text: string,
    requestId: string | undefined,
    quota: ReturnType<typeof quotaFromHeaders>,
    attempt: number,
  ): ChatsApiError {
    const errors = parseErrors(text).map((e) => {
      const code = this.redactor.text(e.code);
      return e.message === undefined ? { code } : { code, message: this.redactor.text(e.message) };
    });
    const detail =
      errors.length > 0
        ? errors.map((e) => (e.message ? `${e.code}: ${e.message}` : e.code)).join('; ')
        : this.redactor.text(text.slice(0, 200)) || 'no body';
    const details = { operation, status, errors, requestId, attempts: attempt };
    if (status === 420 || status === 429) {
      const resetAt = quota ? new Date(quota.resetAt) : undefined;
      const when = resetAt ? `; usable again at ${resetAt.toISOString()}` : '';
      return new RateLimitError(`${operation}: rate limit hit (HTTP ${status}) — ${detail}${when}`, {
        ...details,
        resetAt,
        limit: quota?.limit,
        remaining: quota?.remaining,
      });
    }
    return new (errorClassForStatus(status))(
      `${operation}: HTTP ${status} — ${detail}${hintFor(status)}`,
      details,
    );
  }

  private finalError(error: ChatsApiError, mayBeSent: boolean, attempts: number): ChatsApiError {
    const ambiguous =
      mayBeSent && !(error instanceof RateLimitError) && (error.status === undefined || error.status >= 500);
    const ErrorClass = error.constructor as new (m: string, d: object) => ChatsApiError;
    const rebuilt =
      error instanceof RateLimitError
        ? error
        : new ErrorClass(ambiguous ? `${error.message}.${SEND_HINT}` : error.message, {
            operation: error.operation,
            status: error.status,
            errors: error.errors,
            requestId: error.requestId,
            maybeSent: ambiguous,
            attempts,
            cause: error.cause,
          });
    this.log('error', rebuilt.message, { operation: rebuilt.operation, status: rebuilt.status, attempts });
    return rebuilt;
  }
}

/** Carries a transport failure out of `send` together with whether the request provably never left. */
class TransportFailure extends Error {
  constructor(
    readonly error: ChatsApiError,
    readonly notSent: boolean,
  ) {
    super(error.message);
  }
}

/**
 * A credential must be a valid header value. The usual culprit is a key read from a file with its line
 * ending; the message names the problem, never the value.
 */
function checkCredential(value: string, name: string): void {
  if (value === '' || /[^\t\x20-\x7e\x80-\xff]/.test(value) || value.trim() !== value) {
    throw new TypeError(
      `ChatsApi: ${name} is empty, has surrounding spaces, or contains a line break, control or non-Latin-1 ` +
        'character (often a trailing newline from a file); it cannot be sent as a header',
    );
  }
}

function lowerKeys(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) out[name.toLowerCase()] = value;
  return out;
}

function parseErrors(text: string): { code: string; message?: string }[] {
  try {
    const body = JSON.parse(text) as { errors?: unknown };
    if (!Array.isArray(body.errors)) return [];
    return body.errors
      .filter((e): e is { code: unknown; message?: unknown } => typeof e === 'object' && e !== null)
      .map((e) =>
        typeof e.message === 'string'
          ? { code: String(e.code), message: e.message }
          : { code: String(e.code) },
      );
  } catch {
    return [];
  }
}

function hintFor(status: number): string {
  if (status === 401) return ' — check the Api-Key / OAuth token: missing, invalid or revoked.';
  if (status === 403) {
    return ' — the credential cannot act for this business or lacks the "communication" scope (an invalid OAuth token also gives 403).';
  }
  return '';
}
