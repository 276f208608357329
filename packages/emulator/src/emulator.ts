/**
 * The server: routing → auth → concurrency and quota → faults → body and validation → handler → store.
 * The admin namespace (`/_emulator/…`) sits beside the chat API on the same port.
 */
import { randomBytes } from 'node:crypto';
import {
  createServer,
  type IncomingMessage,
  type Server,
  type ServerOptions,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { handleAdmin } from './admin.js';
import type { AdminDeps } from './admin-context.js';
import { Auth, type EmulatorCredential } from './auth.js';
import { type ReadBody, readBody } from './body.js';
import type { ApiDeps } from './chat-api.js';
import { type ApiError, apiError, FieldErrors } from './errors.js';
import { type FaultPlan, Faults, parseFaultHeader } from './faults.js';
import { HANDLERS } from './handlers.js';
import { type Headers, sendError, sendJson } from './http-response.js';
import { parseIdText } from './ids.js';
import { type NotificationSettings, Notifier } from './notifications.js';
import { OPERATIONS } from './operations.js';
import { abandonedMessage, PLATFORM_TIMEOUT_MS } from './platform-timeout.js';
import { type QuotaSettings, type QuotaState, Quotas } from './quotas.js';
import { ADMIN_TOKEN_ENV, isLoopbackName, RequestGuard } from './request-guard.js';
import { matchRoute } from './routes.js';
import { seedBusiness } from './seed.js';
import { defaultCampaignId, Store } from './store.js';
import { Clock, httpDate } from './time.js';
import type { OperationId } from './types.js';
import { header } from './validate.js';

export const DEFAULT_BUSINESS_ID = 1001;
export const DEFAULT_CREDENTIALS: EmulatorCredential[] = [
  { apiKey: 'emulator-api-key', oauthToken: 'emulator-oauth-token', businessIds: [DEFAULT_BUSINESS_ID] },
];

export interface EmulatorOptions {
  /** SQLite file; default ':memory:'. */
  db?: string;
  /** When set, seed deterministic data for DEFAULT_BUSINESS_ID on start (only if it has no chats yet). */
  seed?: number;
  credentials?: EmulatorCredential[];
  quotas?: QuotaSettings;
  notifications?: NotificationSettings;
  /** Clock source (ms); the admin clock offset is added on top. */
  now?: () => number;
  /** Base for file download URLs; default the listening URL. */
  publicUrl?: string;
  /** Serve repeated identical chat-list requests from a write-invalidated cache (default true). */
  pageCache?: boolean;
  /**
   * The platform's request timeout (default 10 000 ms): an injected delay this long or longer is
   * answered 504 at this point and the request is not carried out. Tests may shorten it.
   */
  platformTimeoutMs?: number;
  /**
   * Host names (besides IP addresses, `localhost` and `publicUrl`'s host) the emulator answers to; any
   * other `Host` is refused, which is what stops DNS rebinding.
   */
  allowedHosts?: string[];
  /**
   * Required on every admin request (header `X-Emulator-Admin-Token`) when set; listening on anything but
   * a loopback address refuses to start without one.
   */
  adminToken?: string;
  /**
   * Keep a request counted against its business's parallel cap until its handling ends (injected delay
   * included), even when the client hung up first — as the platform does, which keeps working on a
   * request whose client gave up. Default false: the count drops when the connection closes.
   */
  countAbandonedInFlight?: boolean;
}

export interface Emulator {
  listen(port?: number, host?: string): Promise<string>;
  readonly url: string;
  close(): Promise<void>;
}

export class EmulatorServer implements Emulator {
  readonly store: Store;
  readonly clock: Clock;
  readonly quotas: Quotas;
  readonly faults: Faults;
  readonly notifier: Notifier;
  readonly auth: Auth;
  readonly options: EmulatorOptions;
  readonly guard: RequestGuard;
  private readonly server: Server;
  private readonly deps: ApiDeps;
  private readonly adminDeps: AdminDeps;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly bootId = randomBytes(4).toString('hex');
  private requestSeq = 0;
  private listeningUrl: string | undefined;
  private closed = false;

  constructor(options: EmulatorOptions = {}) {
    this.options = options;
    this.store = new Store(options.db ?? ':memory:', options.pageCache ?? true);
    this.clock = new Clock(options.now);
    this.quotas = new Quotas(options.quotas);
    this.faults = new Faults(options.seed);
    this.notifier = new Notifier(options.notifications);
    this.auth = new Auth(options.credentials ?? DEFAULT_CREDENTIALS);
    const publicHost = options.publicUrl ? new URL(options.publicUrl).host : undefined;
    this.guard = new RequestGuard(
      [...(options.allowedHosts ?? []), ...(publicHost ? [publicHost] : [])],
      options.adminToken,
    );
    this.deps = {
      store: this.store,
      clock: this.clock,
      notifier: this.notifier,
      baseUrl: () => this.baseUrl(),
    };
    this.adminDeps = {
      ...this.deps,
      quotas: this.quotas,
      faults: this.faults,
      auth: this.auth,
      reset: () => this.reset(),
    };
    if (options.seed !== undefined && !this.store.businessHasChats(DEFAULT_BUSINESS_ID)) {
      seedBusiness(this.store, {
        seed: options.seed,
        businessId: DEFAULT_BUSINESS_ID,
        now: this.clock.now(),
      });
    }
    const timeoutMs = options.platformTimeoutMs ?? PLATFORM_TIMEOUT_MS;
    const serverOptions: ServerOptions = {
      // Headers and body must arrive within the platform's timeout, so a slow sender cannot hold a
      // concurrency slot for Node's default 300 s; expiry is checked often enough to be felt at ~10 s.
      requestTimeout: timeoutMs,
      headersTimeout: timeoutMs,
      connectionsCheckingInterval: Math.max(10, Math.min(1000, Math.floor(timeoutMs / 4))),
    };
    this.server = createServer(serverOptions, (req, res) => {
      this.onRequest(req, res).catch((err: unknown) => this.internalError(res, err));
    });
  }

  listen(port = 0, host = '127.0.0.1'): Promise<string> {
    if (!isLoopbackName(host) && !this.guard.hasAdminToken) {
      return Promise.reject(
        new Error(
          `refusing to listen on ${host}: other machines could reset the data, read the credentials and ` +
            'redirect notifications through the admin namespace. Set an admin token (adminToken, or ' +
            `${ADMIN_TOKEN_ENV} for the command line) or listen on 127.0.0.1`,
        ),
      );
    }
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        const address = this.server.address() as AddressInfo;
        const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
        this.listeningUrl = `http://${shownHost}:${address.port}`;
        resolve(this.listeningUrl);
      });
    });
  }

  get url(): string {
    if (!this.listeningUrl) throw new Error('The emulator is not listening; call listen() first');
    return this.listeningUrl;
  }

  baseUrl(): string {
    return (this.options.publicUrl ?? this.listeningUrl ?? 'http://127.0.0.1').replace(/\/+$/, '');
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.notifier.close();
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    if (this.server.listening) {
      const done = new Promise<void>((resolve) => this.server.close(() => resolve()));
      this.server.closeAllConnections();
      await done;
    }
    this.store.close();
  }

  /** Clears data, counters, rules, the delivery log and the clock offset. */
  reset(): void {
    this.store.reset();
    this.quotas.resetCounters();
    this.faults.clear();
    this.notifier.clearLog();
    this.clock.reset();
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.timers.delete(t);
        resolve();
      }, ms);
      this.timers.add(t);
    });
  }

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const arrivedAt = performance.now();
    const rawUrl = req.url ?? '/';
    const q = rawUrl.indexOf('?');
    const path = q < 0 ? rawUrl : rawUrl.slice(0, q);
    const query = new URLSearchParams(q < 0 ? '' : rawUrl.slice(q + 1));
    const refused = this.guard.checkHost(req.headers);
    if (refused) {
      sendError(res, refused, {});
      return;
    }
    if (path === '/_emulator' || path.startsWith('/_emulator/')) {
      await handleAdmin(this.adminDeps, this.guard, req, res, path, query);
      return;
    }
    const headers: Headers = { 'x-request-id': `${this.bootId}-${++this.requestSeq}` };
    const route = matchRoute(req.method ?? 'GET', path);
    if (route.kind === 'none') {
      sendError(res, apiError(404, 'NOT_FOUND', `No such resource: ${req.method} ${path}`), headers);
      return;
    }
    if (route.kind === 'method') {
      headers.allow = route.allow;
      sendError(
        res,
        apiError(405, 'METHOD_NOT_ALLOWED', `${req.method} is not allowed; use ${route.allow}`),
        headers,
      );
      return;
    }
    await this.api(req, res, route.op, route.ids, query, headers, arrivedAt);
  }

  private setRateHeaders(headers: Headers, state: QuotaState): void {
    headers['x-ratelimit-resource-limit'] = String(state.limit);
    headers['x-ratelimit-resource-remaining'] = String(state.remaining);
    headers['x-ratelimit-resource-until'] = httpDate(state.until);
  }

  private async api(
    req: IncomingMessage,
    res: ServerResponse,
    op: OperationId,
    rawIds: Record<string, string>,
    query: URLSearchParams,
    headers: Headers,
    arrivedAt: number,
  ): Promise<void> {
    const now = this.clock.now();
    const spec = OPERATIONS[op];
    const idErrors = new FieldErrors();
    const ids: Record<string, number> = {};
    for (const [name, raw] of Object.entries(rawIds)) {
      const id = parseIdText(raw, name, idErrors, 'INVALID_PARAMETER');
      if (id !== undefined) ids[name] = id;
    }
    // Whom the hour and the parallel cap count: the business, or the campaign of a `/campaigns/…` path.
    const subject =
      spec.countedPer === 'campaign' ? `campaign:${ids.campaignId ?? 0}` : String(ids.businessId ?? 0);
    let businessId: number;
    try {
      const credential = this.auth.authenticate(req.headers);
      idErrors.throwIfAny();
      businessId = ids.businessId ?? this.campaignBusiness(credential, ids.campaignId!);
      this.auth.authorize(credential, businessId);
      this.auth.permit(credential, op);
    } catch (err) {
      this.setRateHeaders(headers, this.quotas.peek(subject, op, now));
      sendError(res, err, headers);
      return;
    }

    // An operation with a parallel cap of its own (getBusinessOrders: 6) holds its slots apart.
    const slots = spec.parallel === undefined ? subject : `${subject}:${op}`;
    const cap = this.quotas.capFor(spec.parallel);
    if (!this.quotas.acquire(subject, slots, cap)) {
      this.setRateHeaders(headers, this.quotas.peek(subject, op, now));
      sendError(res, apiError(420, 'LIMIT_EXCEEDED', `Hit rate limit of ${cap} parallel requests`), headers);
      return;
    }
    const request = { op, businessId, ids, subject };
    if (!this.options.countAbandonedInFlight) {
      res.once('close', () => this.quotas.release(slots));
      await this.admitted(req, res, request, query, headers, arrivedAt, now);
      return;
    }
    try {
      await this.admitted(req, res, request, query, headers, arrivedAt, now);
    } finally {
      this.quotas.release(slots);
    }
  }

  /**
   * The business a campaign belongs to, for a credential: as the store's orders say, or the credential's
   * business whose default campaign it is. 403 for a campaign the credential cannot see, as the platform.
   */
  private campaignBusiness(credential: EmulatorCredential, campaignId: number): number {
    const owner =
      this.store.businessOfCampaign(campaignId) ??
      credential.businessIds.find((b) => defaultCampaignId(b) === campaignId);
    if (owner === undefined || !credential.businessIds.includes(owner))
      throw apiError(
        403,
        'FORBIDDEN',
        `Access denied: the credential has no access to campaign ${campaignId}`,
      );
    return owner;
  }

  /** A request that holds one of its subject's parallel slots: quota, faults, the handler. */
  private async admitted(
    req: IncomingMessage,
    res: ServerResponse,
    request: { op: OperationId; businessId: number; ids: Record<string, number>; subject: string },
    query: URLSearchParams,
    headers: Headers,
    arrivedAt: number,
    now: number,
  ): Promise<void> {
    const { op, businessId, ids } = request;
    const quota = this.quotas.spend(request.subject, op, now);
    this.setRateHeaders(headers, quota);
    if (quota.exceeded) {
      sendError(res, limitError(quota.limit, op), headers);
      return;
    }

    let plan: FaultPlan | undefined;
    const faultHeader = header(req.headers, 'x-emulator-fault');
    if (faultHeader !== undefined && faultHeader.trim() !== '') {
      const parsed = parseFaultHeader(faultHeader);
      if (typeof parsed === 'string') {
        sendError(res, apiError(400, 'BAD_REQUEST', parsed), headers);
        return;
      }
      plan = parsed;
    } else {
      plan = this.faults.pick(op);
    }
    // The body is read before any injected delay: a real backend keeps working on a request whose
    // client gave up waiting, and so does the emulator.
    let body: ReadBody | undefined;
    if (req.method === 'POST') {
      body = await readBody(req, OPERATIONS[op].bodyLimit);
      if (body.overHardLimit) {
        headers.connection = 'close';
        res.once('finish', () => req.socket.destroy());
        sendError(
          res,
          apiError(
            400,
            'BAD_REQUEST',
            `request body: over ${12 * 1024 * 1024} bytes; the file limit is 5 MB, JSON 512 KB`,
          ),
          headers,
        );
        return;
      }
    }
    if (plan) {
      if (plan.delayMs) {
        const timeoutMs = this.options.platformTimeoutMs ?? PLATFORM_TIMEOUT_MS;
        if (plan.delayMs >= timeoutMs) {
          // Held until the platform's timeout (counted from arrival): abandoned, never carried out,
          // whatever else the plan says.
          await this.sleep(Math.max(0, timeoutMs - (performance.now() - arrivedAt)));
          if (this.closed) return;
          sendError(res, apiError(504, 'GATEWAY_TIMEOUT', abandonedMessage(timeoutMs)), headers);
          return;
        }
        await this.sleep(plan.delayMs);
        if (this.closed) return;
      }
      if (plan.drop === 'before') {
        req.socket.destroy();
        return;
      }
      if (plan.status !== undefined) {
        if (plan.status === 420) {
          headers['x-ratelimit-resource-remaining'] = '0';
          sendError(res, limitError(quota.limit, op), headers);
        } else if (plan.status === 503) {
          sendError(
            res,
            apiError(503, 'SERVICE_UNAVAILABLE', 'Service temporarily unavailable (injected fault)'),
            headers,
          );
        } else {
          sendError(res, apiError(500, 'INTERNAL_ERROR', 'Internal error (injected fault)'), headers);
        }
        return;
      }
    }

    let out: string | Buffer;
    try {
      out = HANDLERS[op](this.deps, {
        businessId,
        ids,
        query,
        contentType: header(req.headers, 'content-type'),
        body,
      });
    } catch (err) {
      sendError(res, err, headers);
      return;
    }
    if (plan?.drop === 'after') {
      req.socket.destroy();
      return;
    }
    sendJson(res, 200, out, headers);
  }

  private internalError(res: ServerResponse, err: unknown): void {
    sendError(res, err, {});
  }

  /** Adds a credential at runtime (admin namespace). */
  addCredential(credential: EmulatorCredential): void {
    this.auth.add(credential);
  }
}

function limitError(limit: number, op: OperationId): ApiError {
  return apiError(
    420,
    'LIMIT_EXCEEDED',
    `Hit rate limit of ${limit} requests per 1 hours for resource ${op}`,
  );
}
