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
import type { Command } from './command.js';
import { loadSync, openCliStore, progressPrinter, STORE_OPTIONS } from './sync.js';

export const serveCommand: Command = {
  name: 'serve',
  summary: 'the web inbox and the push endpoint (POST /notification) over the store, reconciling regularly',
  usage:
    'serve [--port N] [--host H] [--store PATH|URL] [--reconcile M] [--path /SECRET] [--agents FILE] ' +
    '[--reply-target M] [--no-inbox] [--events] [--json]',
  description:
    'Runs the endpoint the platform POSTs notifications to (POST /notification) on 127.0.0.1:PORT. PING is ' +
    'answered at once; each chat notification is saved to the store before it is acknowledged and acted on ' +
    'after: a burst for one chat becomes one history read. Duplicates and reordering are harmless; other ' +
    'notification types are acknowledged and ignored. Notifications are hints, so a reconciling sync pass ' +
    'runs on start and every --reconcile minutes. The same port serves the web inbox (the page at /): on ' +
    '127.0.0.1 with no --agents a single local user needs no login; bound elsewhere, --agents is required. ' +
    '--events prints each new message as one JSON line. In production put it behind an HTTPS proxy (the ' +
    'platform needs a public certificate).',
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
  },
  positionals: { min: 0, max: 0, names: '' },
  examples: [
    ['serve --port 9000', 'inbox at http://127.0.0.1:9000/, push endpoint at /notification'],
    ['emulator --seed 1 --notify-url http://127.0.0.1:9000/notification', 'point the emulator at it'],
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
    const { api, businessId, connection } = ctx.connect();
    const sync = await loadSync();
    const store = await openCliStore(ctx, sync);
    let receiver: Awaited<ReturnType<typeof sync.startReceiver>>;
    const host = str(values, 'host') ?? '127.0.0.1';
    const inboxSettings: InboxSettings = {
      api,
      businessId,
      baseUrl: connection.baseUrl,
      apiKey: connection.apiKey,
      oauthToken: connection.oauthToken,
      cwd: ctx.io.cwd,
      host,
      agentsFile: str(values, 'agents'),
      replyTargetMinutes: numberFlag(values, 'reply-target', { min: 1, max: 10_080 }),
      trustProxy: flag(values, 'trust-proxy'),
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
