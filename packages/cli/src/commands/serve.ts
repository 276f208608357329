/**
 * `ym-chats serve`: the platform's push endpoint in front of the store — acknowledge first, act after,
 * reconcile on start and every few minutes (@ym-chats/sync, loaded only here and in `sync`) — and the
 * web inbox over that store on the same port (@ym-chats/inbox).
 */
import { flag, numberFlag, str } from '../args.js';
import { UsageError } from '../errors.js';
import { EXIT } from '../exit-codes.js';
import { VERSION } from '../help.js';
import { type InboxSettings, openCliInbox } from '../inbox-run.js';
import { messageLines } from '../message-lines.js';
import {
  apiTarget,
  loadWorkers,
  refuseWorkerFlagsAlone,
  runUntilStopped,
  startWorker,
  WORKER_OPTIONS,
} from '../workers-run.js';
import type { Command, CommandContext } from './command.js';
import { loadSync, openCliStore, progressPrinter, STORE_OPTIONS } from './sync.js';

export const serveCommand: Command = {
  name: 'serve',
  summary: 'the web inbox and the push endpoint (POST /notification) over the store, reconciling regularly',
  usage:
    'serve [--port N] [--host H] [--store PATH|URL] [--reconcile M] [--path /SECRET] [--agents FILE] ' +
    '[--reply-target M] [--no-inbox] [--events] [--allow-from CIDR,…] [--trust-proxy | --trusted-proxies CIDR,…] ' +
    '[--json] [--registered [--redis URL] [--lease S]]',
  description:
    'Runs the endpoint the platform POSTs notifications to (POST /notification) on 127.0.0.1:PORT. PING is ' +
    'answered at once; each chat notification is saved to the store before it is acknowledged and acted on ' +
    'after: a burst for one chat becomes one history read. Duplicates and reordering are harmless; other ' +
    'notification types are acknowledged and ignored. Notifications are hints, so a reconciling sync pass ' +
    'runs on start and every --reconcile minutes. The same port serves the web inbox (the page at /): on ' +
    '127.0.0.1 with no --agents a single local user needs no login; bound elsewhere, --agents is required. ' +
    '--events prints each new message as one JSON line. In production put it behind an HTTPS proxy (the ' +
    'platform needs a public certificate); --allow-from limits who may POST notifications (others get 403), ' +
    'judged by X-Forwarded-For only when the direct peer is a trusted proxy (--trust-proxy: any peer; ' +
    '--trusted-proxies: only those), for the inbox too. --registered serves every business registered in the ' +
    'store (ym-chats business add) as one of several workers over one PostgreSQL store: any worker accepts ' +
    "any registered business's push and queues it in the store, and the worker holding that business acts " +
    'on it; every worker serves the inbox over all of them, each reply and attachment download with its own ' +
    "business's credential from the store, and follows businesses added or removed while it runs.",
  options: {
    port: { type: 'string', arg: 'N', help: 'port (default 8081; 0 picks a free one)' },
    host: { type: 'string', arg: 'HOST', help: 'interface to bind (default 127.0.0.1)' },
    ...STORE_OPTIONS,
    reconcile: { type: 'string', arg: 'M', help: 'minutes between reconciling passes (default 15; 0: none)' },
    path: { type: 'string', arg: '/SECRET', help: 'a secret path segment before /notification' },
    events: { type: 'boolean', help: 'print each new message as one JSON line on stdout' },
    agents: {
      type: 'string',
      arg: 'FILE',
      help: 'inbox logins: JSON [{"login","passwordHash","businessIds":[…]}] (hashes from hashPassword)',
    },
    'reply-target': { type: 'string', arg: 'M', help: 'first-reply target in minutes (default 15)' },
    'no-inbox': { type: 'boolean', help: 'the push endpoint only, no web inbox' },
    'trust-proxy': {
      type: 'boolean',
      help: 'behind a TLS proxy: take client address and host from X-Forwarded-For / X-Forwarded-Host',
    },
    'trusted-proxies': {
      type: 'string',
      arg: 'CIDR,…',
      help: "like --trust-proxy, but only for peers in these networks (others' forwarded headers are dropped)",
    },
    'allow-from': {
      type: 'string',
      arg: 'CIDR,…',
      help: 'only these source networks may POST notifications (others: 403)',
    },
    ...WORKER_OPTIONS,
  },
  positionals: { min: 0, max: 0, names: '' },
  examples: [
    ['serve --port 9000', 'inbox at http://127.0.0.1:9000/, push endpoint at /notification'],
    ['emulator --seed 1 --notify-url http://127.0.0.1:9000/notification', 'point the emulator at it'],
    [
      'serve --registered --port 9000 --store postgres://me@localhost/shop --redis redis://127.0.0.1:6379',
      'one of several workers for the registered businesses',
    ],
  ],
  usesApi: true,
  async run(ctx) {
    const { values, out } = ctx;
    const port = numberFlag(values, 'port', { min: 0, max: 65535 }) ?? 8081;
    const reconcileMinutes = numberFlag(values, 'reconcile', { min: 0, max: 10_080, integer: false }) ?? 15;
    const basePath = str(values, 'path') ?? '';
    if (basePath !== '' && !/^(\/[A-Za-z0-9._~-]+)+$/.test(basePath)) {
      throw new UsageError(`--path must look like /segment, got "${basePath}"`);
    }
    const peers = peerSettings(ctx);
    refuseWorkerFlagsAlone(ctx);
    warnOpenPushEndpoint(ctx, str(values, 'host') ?? '127.0.0.1', peers.allowFrom);
    if (flag(values, 'registered'))
      return serveRegistered(ctx, { port, reconcileMinutes, basePath, ...peers });
    const { api, businessId, connection } = ctx.connect();
    const sync = await loadSync();
    const store = await openCliStore(ctx, sync);
    let receiver: Awaited<ReturnType<typeof sync.startReceiver>>;
    const host = str(values, 'host') ?? '127.0.0.1';
    const inboxSettings: InboxSettings = {
      api,
      businessIds: [businessId],
      files: { baseUrl: connection.baseUrl, apiKey: connection.apiKey, oauthToken: connection.oauthToken },
      cwd: ctx.io.cwd,
      host,
      agentsFile: str(values, 'agents'),
      replyTargetMinutes: numberFlag(values, 'reply-target', { min: 1, max: 10_080 }),
      // Forwarded headers from peers that are not trusted proxies are dropped before the inbox sees them.
      trustProxy: peers.trustProxy !== false,
    };
    let inbox: Awaited<ReturnType<typeof openCliInbox>> | undefined;
    try {
      if (!flag(values, 'no-inbox')) inbox = await openCliInbox(store, inboxSettings);
      // The inbox answers its own paths first: a push path among them would never reach the receiver.
      if (inbox?.handles(`${basePath}/notification`)) {
        throw new UsageError(
          `--path ${basePath} is one of the inbox's own paths, so no push would reach the receiver`,
          'Pick a segment outside /api, /assets, /chats and /login, e.g. --path /hooks/SECRET.',
        );
      }
    } catch (error) {
      await inbox?.close();
      await store.close();
      throw error;
    }
    try {
      receiver = await sync.startReceiver({
        api,
        store,
        businessId,
        port,
        host,
        basePath,
        reconcileMinutes,
        name: 'ym-chats',
        version: VERSION,
        onProgress: out.json ? undefined : progressPrinter(out),
        onPass: (result) => {
          out.progress.done();
          if (out.json && !flag(values, 'events')) out.ndjson({ event: 'pass', ...result });
          else if (!out.json)
            out.info(
              `Reconciled: ${result.chatsChanged} chats changed, ${result.messagesAdded} new messages.`,
            );
        },
        onError: (error, where) =>
          out.warn(`${where}: ${error instanceof Error ? error.message : String(error)}`),
        ...(inbox === undefined ? {} : { mount: inbox }),
        ...(peers.allowFrom === undefined ? {} : { allowFrom: peers.allowFrom }),
        trustProxy: peers.trustProxy,
      });
    } catch (error) {
      await inbox?.close();
      await store.close();
      const code = (error as { code?: string }).code;
      throw new UsageError(
        `cannot listen on ${host}:${port} (${code ?? String(error)})`,
        'Pick another port with --port N (0 for any free port).',
      );
    }
    const inboxUrl = inbox === undefined ? undefined : `${receiver.url}/`;
    if (out.json) out.ndjson({ event: 'listening', endpoint: receiver.endpoint, inbox: inboxUrl ?? null });
    else {
      if (inboxUrl !== undefined) out.info(`Inbox: ${inboxUrl}`);
      out.info(
        `Receiving push notifications at ${receiver.endpoint} (business ${String(businessId)}). Ctrl+C to stop.`,
      );
    }
    const controller = new AbortController();
    const stop = () => controller.abort();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    try {
      if (flag(values, 'events')) {
        const subscriber = new sync.EventSubscriber(store, { from: 'end' });
        for await (const e of subscriber.follow(controller.signal)) {
          out.ndjson({ event: 'message', position: e.position, ...e.message });
        }
      } else {
        await new Promise<void>((resolve) =>
          controller.signal.addEventListener('abort', () => resolve(), { once: true }),
        );
      }
    } finally {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      await receiver.close();
      await inbox?.close();
      await store.close();
    }
    out.info('Stopped.');
    return EXIT.ok;
  },
};

const isLoopbackHost = (host: string) =>
  host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);

/**
 * Pushes are not signed: anyone who can reach the endpoint can post CHAT_MESSAGE_SENT for a served
 * business, and each one costs an API call of its quota. Beyond loopback, say so and name the fix.
 */
function warnOpenPushEndpoint(ctx: CommandContext, host: string, allowFrom: string[] | undefined): void {
  if (isLoopbackHost(host) || allowFrom !== undefined) return;
  ctx.out.warn(
    `listening on ${host} without --allow-from: pushes are not signed, so anyone who can reach this port can ` +
      'post fake notifications, and each one costs an API call of the hourly quota. Pass ' +
      "--allow-from with the platform's notification source networks (e.g. --allow-from 203.0.113.0/24,2001:db8::/32).",
  );
}

interface PeerSettings {
  allowFrom: string[] | undefined;
  trustProxy: boolean | string[];
}

function networks(ctx: CommandContext, name: string): string[] | undefined {
  const raw = str(ctx.values, name);
  if (raw === undefined) return undefined;
  const list = raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (list.length === 0) throw new UsageError(`--${name} needs at least one network, e.g. 203.0.113.0/24`);
  for (const entry of list) {
    const [address = '', prefix] = entry.split('/');
    const v4 = /^\d{1,3}(\.\d{1,3}){3}$/.test(address);
    const v6 = !v4 && address.includes(':') && /^[0-9a-f:.]+$/i.test(address);
    const maxPrefix = v4 ? 32 : 128;
    if ((!v4 && !v6) || (prefix !== undefined && (!/^\d{1,3}$/.test(prefix) || Number(prefix) > maxPrefix))) {
      throw new UsageError(
        `--${name}: "${entry}" is not an IP address or CIDR network`,
        'e.g. 203.0.113.0/24,2001:db8::/32',
      );
    }
  }
  return list;
}

function peerSettings(ctx: CommandContext): PeerSettings {
  const trusted = networks(ctx, 'trusted-proxies');
  if (trusted !== undefined && flag(ctx.values, 'trust-proxy')) {
    throw new UsageError('give --trust-proxy (any peer) or --trusted-proxies (these peers), not both');
  }
  return { allowFrom: networks(ctx, 'allow-from'), trustProxy: trusted ?? flag(ctx.values, 'trust-proxy') };
}

/** `serve --registered`: the push endpoint and the inbox for every registered business, as one worker among several. */
async function serveRegistered(
  ctx: CommandContext,
  settings: PeerSettings & { port: number; reconcileMinutes: number; basePath: string },
): Promise<number> {
  const { out, values } = ctx;
  const sync = await loadSync();
  const store = await openCliStore(ctx, sync);
  let running: Awaited<ReturnType<typeof startWorker>> | undefined;
  let inbox: Awaited<ReturnType<typeof openCliInbox>> | undefined;
  let listening: Awaited<ReturnType<typeof sync.listenForPushes>> | undefined;
  let registered: import('@ym-chats/workers').RegisteredIds | undefined;
  const host = str(values, 'host') ?? '127.0.0.1';
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    const lines = flag(values, 'events') ? await messageLines(sync, store, out) : undefined;
    running = await startWorker(ctx, store, 'serve', settings.reconcileMinutes * 60_000, stop);
    if (!flag(values, 'no-inbox')) {
      // Every process serves the page for every registered business (live updates travel through the
      // store); each reply goes out with its own business's credential, opened in memory for the call.
      // The list follows `business add` / `remove` while this runs.
      const registry = running.worker.registry;
      registered = await (await loadWorkers()).RegisteredIds.open(registry, {
        onError: (error) =>
          out.warn(`registered businesses: ${error instanceof Error ? error.message : String(error)}`),
      });
      inbox = await openCliInbox(store, {
        api: running.api,
        businessIds: registered.current,
        // Attachments too, each with its business's own credential (the inbox names the chat's business).
        files: {
          baseUrl: apiTarget(ctx).baseUrl,
          async credentialFor(businessId) {
            const credential = await registry.credential(BigInt(businessId));
            // Removed since the inbox last read the registered ids: refused like any business not served.
            if (credential === undefined) return undefined;
            return credential.kind === 'api-key'
              ? { apiKey: credential.secret }
              : { accessToken: credential.secret };
          },
        },
        cwd: ctx.io.cwd,
        host,
        agentsFile: str(values, 'agents'),
        replyTargetMinutes: numberFlag(values, 'reply-target', { min: 1, max: 10_080 }),
        trustProxy: settings.trustProxy !== false,
      });
      if (inbox.handles(`${settings.basePath}/notification`)) {
        throw new UsageError(
          `--path ${settings.basePath} is one of the inbox's own paths, so no push would reach the receiver`,
          'Pick a segment outside /api, /assets, /chats and /login, e.g. --path /hooks/SECRET.',
        );
      }
    }
    try {
      listening = await sync.listenForPushes({
        handler: running.worker.pushHandler({ name: 'ym-chats', version: VERSION }),
        port: settings.port,
        host,
        basePath: settings.basePath,
        ...(inbox === undefined ? {} : { mount: inbox }),
        ...(settings.allowFrom === undefined ? {} : { allowFrom: settings.allowFrom }),
        trustProxy: settings.trustProxy,
      });
    } catch (error) {
      const code = (error as { code?: string }).code;
      throw new UsageError(
        `cannot listen on ${host}:${settings.port} (${code ?? String(error)})`,
        'Pick another port with --port N (0 for any free port).',
      );
    }
    const inboxUrl = inbox === undefined ? null : `${listening.url}/`;
    if (out.json) out.ndjson({ event: 'listening', endpoint: listening.endpoint, inbox: inboxUrl });
    else {
      if (inboxUrl !== null) out.info(`Inbox: ${inboxUrl}`);
      out.info(`Receiving push notifications at ${listening.endpoint} (every registered business).`);
    }
    return await runUntilStopped(running, lines, controller.signal);
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    await listening?.close();
    await inbox?.close();
    registered?.close();
    await running?.close();
    await store.close();
  }
}
