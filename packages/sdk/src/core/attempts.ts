/**
 * The attempt loop every operation goes through: headers, the limiter, the transport with its timeout,
 * response → error, and repeating what the policy (`policy.ts`) says may be repeated, all within one
 * deadline per call. Resource methods only validate and encode.
 */
import { OPERATIONS, type OperationId, type OperationSpec } from '../operations.js';
import { monotonicMs } from './clock.js';
import { RequestHeaders } from './credentials.js';
import { AbortError, ChatsApiError, TimeoutError } from './errors.js';
import { fetchTransport, type Transport } from './http.js';
import {
  type ClientOptions,
  DEFAULT_BASE_URL,
  DEFAULTS,
  type LogLevel,
  type RequestOptions,
} from './options.js';
import {
  DEFAULT_MAX_RETRIES,
  decideRetry,
  LEASE_MARGIN_MS,
  maybeSent,
  minLeaseMs,
  parseRetryAfter,
  type RetryOptions,
  SEND_HINT,
  UNANSWERED_HOLD_MS,
} from './policy.js';
import { type QuotaState, quotaFromHeaders, RateLimiter, type Release } from './rate-limit.js';
import { Redactor } from './redact.js';
import { sleep } from './sleep.js';
import { defaultTransport } from './transport.js';

/** One API call, already validated and encoded by the resource layer. */
export interface Call {
  operation: OperationId;
  /** Decimal id the call is counted against: the business, or the campaign for a method counted per campaign. */
  business: string;
  /** The decimal ids of a `fromRoot` path, in its order (e.g. campaign, order, return). */
  pathIds?: string[];
  /** Encoded query string without `?`, or ''. */
  query: string;
  body?: string | Uint8Array<ArrayBuffer>;
  contentType?: string;
  options?: RequestOptions | undefined;
  /** `monotonicMs()` by which the call must be over; by default now plus `deadlineMs`. */
  deadline?: number;
  /** Filled in as attempts end: when the last one ended (`monotonicMs()`). */
  trace?: { lastAttemptEnded: number };
}

const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, off: 99 };
const NO_OPTIONS: RequestOptions = {};

export class Core {
  readonly redactor = new Redactor();
  readonly limiter: RateLimiter | undefined;
  readonly maxRetries: number;
  readonly retry: RetryOptions;
  readonly #headers: RequestHeaders;
  readonly #transport: Transport;
  /** `…/businesses/` under the configured prefix, and under `/v2` for the current-only operations. */
  readonly #base: string;
  readonly #currentBase: string;
  /** The base URL alone, for the operations whose path starts at the API root. */
  readonly #root: string;
  readonly #logLevel: number;
  readonly #logger: ClientOptions['logger'];
  readonly #timeoutMs: number;
  readonly #deadlineMs: number;

  constructor(options: ClientOptions) {
    this.#headers = new RequestHeaders(options, this.redactor);
    const baseUrl = (options.baseUrl ?? DEFAULT_BASE_URL).replace(/\/+$/, '');
    if (!/^https?:\/\/[^/]/.test(baseUrl))
      throw new TypeError(`ChatsApi: baseUrl must be an http(s) URL, got "${baseUrl}"`);
    const prefix = (options.pathPrefix ?? DEFAULTS.pathPrefix).replace(/\/+$/, '');
    this.#root = baseUrl;
    this.#base = `${baseUrl}${prefix}/businesses/`;
    // getChat and getChatMessage exist only in the current API: the seed's unprefixed paths lack them.
    this.#currentBase = prefix === '' ? `${baseUrl}/v2/businesses/` : this.#base;
    this.#transport = options.fetch ? fetchTransport(options.fetch) : defaultTransport();
    // A slot's lease must outlive the attempt holding it, or another caller would take the slot early.
    const clientTimeoutMs = options.timeoutMs ?? DEFAULTS.timeoutMs;
    const leaseMs = Math.max(20_000, clientTimeoutMs + 5_000);
    const chosenLeaseMs = options.rateLimit === false ? undefined : options.rateLimit?.leaseMs;
    if (chosenLeaseMs !== undefined && !(chosenLeaseMs >= minLeaseMs(clientTimeoutMs))) {
      throw new TypeError(
        `ChatsApi: rateLimit.leaseMs ${chosenLeaseMs} is shorter than a slot may be held with timeoutMs ` +
          `${clientTimeoutMs} (an attempt's timeout, and ${UNANSWERED_HOLD_MS} ms after sending when no ` +
          `answer came): pass leaseMs of at least ${minLeaseMs(clientTimeoutMs)}, or leave it out ` +
          `(default ${leaseMs})`,
      );
    }
    this.limiter =
      options.rateLimit === false ? undefined : new RateLimiter({ leaseMs, ...options.rateLimit });
    this.#logger = options.logger;
    this.#logLevel = options.logger ? LEVELS[options.logLevel ?? 'info'] : LEVELS.off;
    this.#timeoutMs = options.timeoutMs ?? DEFAULTS.timeoutMs;
    this.#deadlineMs = options.deadlineMs ?? DEFAULTS.deadlineMs;
    this.maxRetries = options.maxRetries ?? DEFAULT_MAX_RETRIES;
    this.retry = options.retry ?? {};
  }

  /** The `monotonicMs()` by which a call with these options must be over. */
  deadline(options: RequestOptions | undefined): number {
    return monotonicMs() + (options?.deadlineMs ?? this.#deadlineMs);
  }

  async call<T>(call: Call): Promise<T> {
    const { operation } = call;
    const spec: OperationSpec = OPERATIONS[operation];
    const options = call.options ?? NO_OPTIONS;
    const maxRetries = options.maxRetries ?? this.maxRetries;
    const started = monotonicMs();
    const deadline = call.deadline ?? started + (options.deadlineMs ?? this.#deadlineMs);
    if (options.timeoutMs !== undefined) this.#checkTimeout(Math.min(options.timeoutMs, deadline - started));
    const query = call.query === '' ? '' : `?${call.query}`;
    const url = spec.fromRoot
      ? `${this.#root}${fillPath(spec.path, call.pathIds ?? [])}${query}`
      : `${spec.currentOnly ? this.#currentBase : this.#base}${call.business}${spec.path}${query}`;
    const debug = this.#logLevel <= LEVELS.debug;
    for (let attempt = 1; ; attempt++) {
      // Both steps are synchronous in the common case; awaiting only when needed saves ticks per call.
      let headers = this.#headers.build(operation, call.contentType, options.headers);
      if (headers instanceof Promise) headers = await headers;
      let release = this.limiter?.acquire(call.business, operation, options.signal, deadline);
      if (release instanceof Promise)
        release = await this.#waitForLimiter(release, operation, attempt, options, deadline);
      const left = deadline - monotonicMs();
      if (left <= 0) {
        release?.();
        throw this.#final(
          new TimeoutError(
            `${operation}: the call's deadline passed while waiting for credentials, quota or a free slot; ` +
              'nothing was sent in this attempt',
            { operation },
          ),
          spec.retryClass,
          true,
          attempt - 1,
          started,
        );
      }
      const timeoutMs = Math.min(options.timeoutMs ?? this.#timeoutMs, Math.ceil(left));
      const sentAt = monotonicMs();
      if (debug) this.log('debug', `${operation} → ${spec.method} ${url}`, { operation, attempt });
      let error: ChatsApiError;
      let notSent = false;
      let answered = false;
      /** An answer that may end a probe: its figures, or a success or client error without them. */
      let placing = false;
      let serverWaitMs: number | undefined;
      let quota: QuotaState | undefined;
      try {
        if (options.signal?.aborted) throw new AbortedBeforeSending();
        const request = { method: spec.method, url, headers, signal: options.signal, timeoutMs };
        const response = await this.#transport(
          call.body === undefined ? request : { ...request, body: call.body },
        );
        answered = true;
        quota = quotaFromHeaders(response.header);
        // Without figures only a success or a client error opens a probe window: a 420 says the business
        // is over a limit, and a 5xx may come from a proxy that never reached the platform.
        placing =
          quota !== undefined || response.status < 420 || (response.status > 420 && response.status < 500);
        // A proxy could put anything in this header, the credential included.
        const rawRequestId = response.header('x-request-id');
        const requestId = rawRequestId === undefined ? undefined : this.redactor.text(rawRequestId);
        if (debug) {
          this.log('debug', `${operation} ← ${response.status}`, {
            operation,
            status: response.status,
            requestId,
            durationMs: Math.round(monotonicMs() - sentAt),
          });
        }
        if (response.status >= 200 && response.status < 300)
          return this.#parse<T>(response.text, operation, requestId, spec.retryClass === 'send');
        error = ChatsApiError.fromResponse({
          operation,
          status: response.status,
          text: response.text,
          requestId,
          quota,
          attempts: attempt,
          redactor: this.redactor,
        });
        serverWaitMs = parseRetryAfter(response.header('retry-after'), Date.now());
        if (serverWaitMs === undefined && quota && response.status === 420 && quota.remaining === 0)
          serverWaitMs = quota.resetAt - (this.limiter?.now() ?? Date.now());
      } catch (thrown) {
        // The SDK's own error for an unreadable 2xx read: final, nothing to classify.
        if (thrown instanceof ChatsApiError) throw thrown;
        ({ error, notSent } = ChatsApiError.fromTransport({
          operation,
          thrown,
          timeoutMs,
          abortedBeforeSending: thrown instanceof AbortedBeforeSending,
          aborted: options.signal?.aborted === true,
          redactor: this.redactor,
        }));
      } finally {
        if (call.trace) call.trace.lastAttemptEnded = monotonicMs();
        if (answered || notSent) await this.#release(release, quota, operation, placing);
        else this.#holdUnanswered(release, sentAt, operation);
      }
      if (error instanceof AbortError) throw this.#final(error, spec.retryClass, notSent, attempt, started);
      const decision = decideRetry({
        retryClass: spec.retryClass,
        error,
        notSent,
        attempt,
        maxRetries,
        serverWaitMs,
        deadlineLeftMs: deadline - monotonicMs(),
        options: this.retry,
      });
      if (!decision.retry) {
        const note =
          decision.why === 'deadline' ? "the call's deadline left no time for another attempt" : '';
        throw this.#final(error, spec.retryClass, notSent, attempt, started, note);
      }
      this.log(
        'warn',
        `${operation}: ${error.message} — retrying in ${formatDelay(decision.delayMs)} (attempt ${attempt + 1} of ${maxRetries + 1})`,
        {
          operation,
          attempt: attempt + 1,
          maxAttempts: maxRetries + 1,
          delayMs: decision.delayMs,
          status: error.status,
        },
      );
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
  async #release(
    release: Release | undefined,
    quota: QuotaState | undefined,
    operation: OperationId,
    answered = false,
  ) {
    try {
      const recorded = release?.(quota, answered);
      if (recorded instanceof Promise) await recorded;
    } catch (error) {
      this.log(
        'warn',
        `${operation}: could not record the quota state: ${this.redactor.cause(error).message}`,
      );
    }
  }

  /**
   * An attempt that may have reached the platform and got no answer (timed out, aborted, cut off) may
   * still be counted in flight there until the platform's window after sending is over: its slot stays
   * taken until then, or the next callers would make a fifth parallel request.
   */
  #holdUnanswered(release: Release | undefined, sentAt: number, operation: OperationId): void {
    if (release === undefined) return;
    // Its answer will never come: a window it was probing may send its next probe now.
    void this.#hold(release, operation);
    const timer = setTimeout(
      () => void this.#release(release, undefined, operation),
      Math.max(0, sentAt + UNANSWERED_HOLD_MS - monotonicMs()),
    );
    timer.unref?.();
  }

  /**
   * A per-request `timeoutMs` must end within the slot's lease, as the client's own does (checked when it
   * is built): a slot outliving its lease lets a fifth request in while this one still runs.
   */
  #checkTimeout(timeoutMs: number): void {
    const leaseMs = this.limiter?.leaseMs;
    if (leaseMs === undefined || minLeaseMs(timeoutMs) <= leaseMs) return;
    throw new TypeError(
      `ChatsApi: the request option timeoutMs ${timeoutMs} is longer than a slot's lease allows ` +
        `(rateLimit.leaseMs ${leaseMs}, which must outlast every attempt by ${LEASE_MARGIN_MS} ms): pass ` +
        `timeoutMs of at most ${leaseMs - LEASE_MARGIN_MS}, or build the client with rateLimit.leaseMs of at ` +
        `least ${minLeaseMs(timeoutMs)}; nothing was sent`,
    );
  }

  async #hold(release: Release, operation: OperationId): Promise<void> {
    try {
      await release.hold();
    } catch (error) {
      this.log(
        'warn',
        `${operation}: could not record the quota state: ${this.redactor.cause(error).message}`,
      );
    }
  }

  /** Waits for the limiter, no longer than the deadline; an abort while queued is an AbortError. */
  async #waitForLimiter(
    pending: Promise<Release>,
    operation: OperationId,
    attempt: number,
    options: RequestOptions,
    deadline: number,
  ): Promise<Release> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), Math.max(0, deadline - monotonicMs()));
    });
    try {
      const first = await Promise.race([pending, late]);
      if (first !== 'late') return first;
      // The slot may still be granted later: hand it straight back.
      pending.then(
        (release) => release(),
        () => {},
      );
      throw new TimeoutError(
        `${operation}: the call's deadline passed ${this.limiter?.waitingFor() ?? 'while waiting for quota or a free slot'}; nothing was sent`,
        { operation, attempts: attempt - 1 },
      );
    } catch (error) {
      if (options.signal?.aborted && !(error instanceof ChatsApiError)) {
        throw new AbortError(`${operation}: aborted by the caller while waiting for quota or a free slot`, {
          operation,
          attempts: attempt - 1,
        });
      }
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Current quota figures per operation for one business (learned from the server where possible), or
   * for one campaign's methods counted per campaign.
   */
  quota(id: string, per: 'business' | 'campaign' = 'business') {
    if (!this.limiter) throw new TypeError('ChatsApi: the rate limiter is off (rateLimit: false)');
    return this.limiter.snapshot(id, per);
  }

  log(level: Exclude<LogLevel, 'off'>, message: string, data?: Record<string, unknown>): void {
    if (LEVELS[level] < this.#logLevel) return;
    this.#logger?.[level](this.redactor.text(message), data);
  }

  #parse<T>(text: string, operation: OperationId, requestId: string | undefined, isSend: boolean): T {
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
        `${operation}: the response was not JSON: ${this.redactor.excerpt(text, 200)}`,
        requestId === undefined ? { operation } : { operation, requestId },
      );
    }
  }

  /** The error a call ends with: `maybeSent` set by the policy, the hint for sends, the attempt count. */
  #final(
    error: ChatsApiError,
    retryClass: OperationSpec['retryClass'],
    notSent: boolean,
    attempts: number,
    started: number,
    note = '',
  ): ChatsApiError {
    const sent = maybeSent(retryClass, error, notSent);
    const notes = note === '' ? [] : [note];
    if (attempts > 1)
      notes.unshift(`gave up after ${attempts} attempts over ${formatDelay(monotonicMs() - started)}`);
    const final = error.withOutcome({
      message: `${error.message}${notes.length > 0 ? ` (${notes.join('; ')})` : ''}${sent ? `.${SEND_HINT}` : ''}`,
      maybeSent: sent,
      attempts,
    });
    this.log('error', final.message, { operation: final.operation, status: final.status, attempts });
    return final;
  }
}

/** `/v2/campaigns/{campaignId}/orders/{orderId}` with ids `['5', '7']` → `/v2/campaigns/5/orders/7`. */
function fillPath(template: string, ids: string[]): string {
  let next = 0;
  return template.replace(/\{[^}]+\}/g, () => {
    const id = ids[next++];
    if (id === undefined) throw new TypeError(`ChatsApi: ${template} needs ${next} ids`);
    return id;
  });
}

/** The caller's signal had fired before the request was handed to the transport: nothing was sent. */
class AbortedBeforeSending extends Error {}

/** `850 ms`, `4 s`, `1.5 s`: how long, for people. */
export function formatDelay(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  return `${s < 10 ? Math.round(s * 10) / 10 : Math.round(s)} s`;
}
