import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { ChatsApi } from '@ym-chats/sdk';
import {
  type Agent,
  type AgentConfig,
  localAgent,
  type ServedBusinesses,
  servedNow,
  toAgent,
} from './auth/agents.js';
import { type LoginLimiter, type LoginLimiterOptions, MemoryLoginLimiter } from './auth/login-limiter.js';
import { type LoginLinks, MemoryLoginLinks } from './auth/login-links.js';
import { MemorySessionStore, type SessionStore, type SessionStoreOptions } from './auth/sessions.js';
import { processSecret, Signer } from './auth/signing.js';
import { clientAddress } from './http/client-address.js';
import type { FileFetcher } from './http/file-proxy.js';
import { HttpError, sendError, setSecurityHeaders } from './http/respond.js';
import { StaticAssets } from './http/static.js';
import { type LiveBus, type LiveEvent, MemoryBus } from './live/bus.js';
import { OpenStreams, type StreamCaps } from './live/open-streams.js';
import type { Relay } from './live/relay.js';
import { ReplyDesk } from './reply/desk.js';
import { MemorySendLedger, type SendLedgerStore } from './reply/ledger.js';
import { type ApiContext, routeApi } from './routes/api.js';
import { type BusinessHours, checkBusinessHours } from './shared/business-hours.js';
import { Presence } from './team/presence.js';
import { MemoryTeamStore, type TeamStore } from './team/team-store.js';
import { checkTemplates, DEFAULT_TEMPLATES, type Template } from './team/templates.js';
import type { InboxSource } from './types.js';

export interface InboxOptions {
  /** Where chats and messages are read from (the sync store). */
  source: InboxSource;
  /** Replies go out through the SDK, with its no-duplicate rules. */
  api: ChatsApi;
  /**
   * The businesses this inbox serves; the local user (no agents, loopback) sees all of them, an agent those
   * of its own among them. A function is asked at every use: for a list that changes while the inbox runs.
   */
  businessIds: ServedBusinesses;
  /** The address the server is bound to: anything but loopback makes login mandatory. */
  host: string;
  agents?: AgentConfig[];
  /** Downloads attachments with the seller's credential (see `credentialFetcher`). */
  fetchFile?: FileFetcher;
  team?: TeamStore;
  bus?: LiveBus;
  /**
   * Carries agents' actions, presence and the store's changes between processes sharing the database
   * (`openInbox` picks LISTEN/NOTIFY on PostgreSQL, a polled table on SQLite). Without one, only this
   * process's pages hear of them. Closed with the inbox.
   */
  relay?: Relay;
  /** The first-reply target the queue colours waits against. Default 15 minutes. */
  firstReplyTargetMinutes?: number;
  /**
   * How often pages re-read their queue and open chat even without a live event (default 30 s): a
   * safety net under the live events (a status or type change arrives live through the relay).
   */
  pageRefreshMs?: number;
  /**
   * How often an open event stream sends a keep-alive and checks that its session still stands (a logout
   * in another process, expiry): past that the stream ends. Default 20 s (a logout in this process ends
   * its streams at once).
   */
  streamCheckMs?: number;
  /** Count waits in these hours only (default: around the clock). */
  businessHours?: BusinessHours;
  templates?: Template[];
  /**
   * Behind a TLS-terminating proxy: take the client's address (login limits) and the host (same-origin
   * check) from the proxy's X-Forwarded-For / X-Forwarded-Host. Never set it without such a proxy.
   */
  trustProxy?: boolean;
  /** Mark the session cookie `Secure` (default true; browsers accept it on http://127.0.0.1 and localhost). */
  secureCookies?: boolean;
  /** Lifetimes and caps of sessions. */
  sessions?: SessionStoreOptions;
  /** Where sessions live (`openInbox`: the database); default this process's memory. */
  sessionStore?: SessionStore;
  loginLimits?: LoginLimiterOptions;
  /** Where failed logins are counted (`openInbox`: the database); default this process's memory. */
  loginLimiter?: LoginLimiter;
  /** One-time login links (`openInbox`: the database, where `ym-chats agents link` puts them); default memory. */
  loginLinks?: LoginLinks;
  /** The secret login-form and device tokens are signed with (`openInbox`: the database's); default this process's. */
  signingSecret?: () => Promise<Buffer>;
  /** Event streams open at once per session and per client address (the oldest close first). */
  streamCaps?: Partial<StreamCaps>;
  /** What became of every reply (`openInbox`: the database, shared by every process); default memory. */
  sendLedger?: SendLedgerStore;
  /** Timings of the send ledger (tests shorten them). */
  sends?: { heartbeatMs?: number; staleAfterMs?: number; settleMs?: number; lockWaitMs?: number };
  /** Called with unexpected errors (a 500 was answered). Default: console.error. */
  onError?: (error: unknown) => void;
}

export interface Inbox {
  /** Mount it on any node:http server, beside other routes (`serve` keeps `POST /notification`). */
  listener: RequestListener;
  /** True for paths this listener answers (`/`, `/assets/…`, `/api/…`, the page's own routes). */
  handles(path: string): boolean;
  bus: LiveBus;
  close(): Promise<void>;
}

const PAGE_ROUTES = /^\/(?:$|chats\/|login$)/;

export function createInbox(options: InboxOptions): Inbox {
  const agents = new Map<string, AgentConfig>();
  for (const agent of options.agents ?? []) {
    if (agents.has(agent.login)) throw new Error(`agent ${agent.login} is configured twice`);
    agents.set(agent.login, agent);
  }
  const local = localAgent(options.host, [...agents.values()], options.businessIds);
  if (!local && agents.size === 0) {
    throw new Error(
      `the inbox is bound to ${options.host}, so logins are mandatory, but no agents are configured`,
    );
  }
  const assets = new StaticAssets();
  const pages = options.bus ?? new MemoryBus();
  const relay = options.relay;
  // Agents' actions go to this process's pages and, through the relay, to every other process's.
  const bus: LiveBus = {
    publish(event: LiveEvent) {
      pages.publish(event);
      if (relay && (event.type === 'assigned' || event.type === 'sent'))
        relay.publish({ kind: 'event', event });
    },
    subscribe: (listener) => pages.subscribe(listener),
    close: () => pages.close(),
  };
  const team = options.team ?? new MemoryTeamStore();
  const presence = new Presence(
    pages,
    relay ? (note) => relay.publish({ kind: 'presence', note }) : undefined,
  );
  const unsubscribe = options.source.subscribe((change) =>
    pages.publish({ type: 'chat', businessId: change.businessId, chatId: change.chatId }),
  );
  const stopRelay = relay?.subscribe((message) => {
    switch (message.kind) {
      case 'event':
        pages.publish(message.event);
        return;
      case 'presence':
        presence.apply(message.note);
        return;
      case 'chat':
        pages.publish({ type: 'chat', businessId: message.businessId, chatId: message.chatId });
        return;
      case 'log':
        options.source.wake?.();
        return;
    }
  });
  const stopGaps = relay?.onGap(() => {
    options.source.wake?.();
    for (const businessId of servedNow(options.businessIds)) pages.publish({ type: 'resync', businessId });
  });
  const streams = new OpenStreams(options.streamCaps, (req) =>
    clientAddress(req, options.trustProxy === true),
  );
  const onError = options.onError ?? ((error: unknown) => console.error('inbox:', error));
  const desk = new ReplyDesk({
    api: options.api,
    ledger: options.sendLedger ?? new MemorySendLedger(),
    team,
    source: options.source,
    bus,
    onError,
    ...options.sends,
  });
  const ctx: ApiContext = {
    options,
    agents,
    local,
    sessions: options.sessionStore ?? new MemorySessionStore(options.sessions),
    limiter: options.loginLimiter ?? new MemoryLoginLimiter(options.loginLimits),
    signer: new Signer(options.signingSecret ?? processSecret()),
    links: options.loginLinks ?? new MemoryLoginLinks(),
    team,
    bus,
    presence,
    desk,
    templates: checkTemplates(options.templates ?? DEFAULT_TEMPLATES),
    targetMs: (options.firstReplyTargetMinutes ?? 15) * 60_000,
    refreshMs: options.pageRefreshMs ?? 30_000,
    streamCheckMs: options.streamCheckMs ?? 20_000,
    streams,
    businessHours: options.businessHours ? checkBusinessHours(options.businessHours) : undefined,
    agentOf(login: string | undefined): Agent | undefined {
      if (login === undefined) return undefined;
      if (local && login === local.login) return local;
      const config = agents.get(login);
      return config ? toAgent(config, options.businessIds) : undefined;
    },
  };

  const listener: RequestListener = (req: IncomingMessage, res: ServerResponse) => {
    setSecurityHeaders(res);
    const url = new URL(req.url ?? '/', 'http://inbox.invalid');
    const path = url.pathname;
    if (path.startsWith('/api/')) {
      routeApi(ctx, req, res, url).catch((error: unknown) => {
        if (error instanceof HttpError) {
          if (!res.headersSent) sendError(res, error);
          else res.destroy();
          return;
        }
        onError(error);
        if (!res.headersSent) sendError(res, new HttpError(500, 'INTERNAL', 'internal error'));
        else res.destroy();
      });
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      sendError(res, new HttpError(405, 'METHOD_NOT_ALLOWED', 'only GET here'));
      return;
    }
    if (assets.has(path) || PAGE_ROUTES.test(path)) {
      assets.serve(req, res, path);
      return;
    }
    sendError(res, new HttpError(404, 'NOT_FOUND', 'no such page'));
  };

  return {
    listener,
    handles: (path) => path.startsWith('/api/') || assets.has(path) || PAGE_ROUTES.test(path),
    bus,
    async close() {
      unsubscribe();
      stopRelay?.();
      stopGaps?.();
      await relay?.close();
      await desk.close();
      presence.close();
      await team.close();
      await bus.close();
    },
  };
}
