import type { RequestListener } from 'node:http';
import { clientAddress, TrustedProxies } from '@ym-chats/sdk';
import { AgentAccess } from './auth/agent-access.js';
import { servedNow } from './auth/agents.js';
import { MemoryLoginLimiter } from './auth/login-limiter.js';
import { MemoryLoginLinks } from './auth/login-links.js';
import { MemorySessionStore } from './auth/sessions.js';
import { processSecret, Signer } from './auth/signing.js';
import { buildApp } from './http/app.js';
import { type PushRoute, pushPlugin } from './http/push-route.js';
import { StaticAssets } from './http/static.js';
import { type LiveBus, type LiveEvent, MemoryBus } from './live/bus.js';
import { OpenStreams } from './live/open-streams.js';
import type { InboxOptions } from './options.js';
import { ReplyDesk } from './reply/desk.js';
import { MemorySendLedger } from './reply/ledger.js';
import type { ApiContext } from './routes/context.js';
import { checkBusinessHours } from './shared/business-hours.js';
import { Presence } from './team/presence.js';
import { MemoryTeamStore } from './team/team-store.js';
import { MemoryTemplateStore } from './team/templates.js';

export type { InboxOptions } from './options.js';

export interface Inbox {
  /**
   * The Fastify app's request listener (`http/app.ts`): mount it on any node:http server, beside other
   * routes, or let it answer the whole port (`serve` hands it the push endpoint with `routePush`).
   */
  listener: RequestListener;
  /** True for paths the inbox itself answers (`/`, `/assets/…`, `/api/…`, the page's own routes). */
  handles(path: string): boolean;
  /**
   * Makes the platform's push endpoint a route of this app (`serve` does, before the first request):
   * then `listener` answers every path of the port, the push path too.
   */
  routePush(push: PushRoute): void;
  bus: LiveBus;
  close(): Promise<void>;
}

const PAGE_ROUTES = /^\/(?:$|chats\/|login$)/;

export function createInbox(options: InboxOptions): Inbox {
  const access = new AgentAccess(options);
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
  // Parsed now, so a list entry that is not a network stops the start (naming it), not a request later.
  const proxies = TrustedProxies.from(options.trustProxy);
  const streams = new OpenStreams(options.streamCaps, (req) => clientAddress(req, proxies));
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
    get agents() {
      return access.agents;
    },
    get local() {
      return access.local;
    },
    directory: access.directory,
    sessions: options.sessionStore ?? new MemorySessionStore(options.sessions),
    limiter: options.loginLimiter ?? new MemoryLoginLimiter(options.loginLimits),
    signer: new Signer(options.signingSecret ?? processSecret()),
    links: options.loginLinks ?? new MemoryLoginLinks(),
    team,
    bus,
    presence,
    desk,
    templates: options.templateStore ?? new MemoryTemplateStore(options.templates),
    targetMs: (options.firstReplyTargetMinutes ?? 15) * 60_000,
    refreshMs: options.pageRefreshMs ?? 30_000,
    streamCheckMs: options.streamCheckMs ?? 20_000,
    streams,
    businessHours: options.businessHours ? checkBusinessHours(options.businessHours) : undefined,
    agentOf: (login) => access.agentOf(login),
    resolveAgent: (login) => access.resolveAgent(login),
  };

  const app = buildApp(ctx, assets, onError);
  // Fastify adds routes while it boots; the first request boots it, so `routePush` may come after this.
  let booted: Promise<void> | undefined;
  let routing: RequestListener | undefined;
  const boot = () => {
    booted ??= Promise.resolve(app.ready()).then(() => {
      routing = (req, res) => app.routing(req, res);
    });
    return booted;
  };
  const listener: RequestListener = (req, res) => {
    if (routing) {
      routing(req, res);
      return;
    }
    boot().then(
      () => app.routing(req, res),
      (error: unknown) => {
        onError(error);
        res.writeHead(500).end();
      },
    );
  };
  const files = new Set(assets.files);

  return {
    listener,
    handles: (path) => path.startsWith('/api/') || files.has(path) || PAGE_ROUTES.test(path),
    routePush(push) {
      if (booted) throw new Error('the push route must be added before the inbox answers its first request');
      app.register(pushPlugin(push));
    },
    bus,
    async close() {
      await app.close();
      unsubscribe();
      stopRelay?.();
      stopGaps?.();
      await relay?.close();
      await desk.close();
      presence.close();
      await team.close();
      await access.close();
      await bus.close();
    },
  };
}
