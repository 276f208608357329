/**
 * `ym-chats serve` over the library: one call of `serve` from @ym-chats/sync, over one business
 * (`oneBusiness`) or the registered ones (`registeredBusinesses` from @ym-chats/workers), with the web inbox
 * as the app on the same port. The composition itself is the sync package's, the lowest that can hold it:
 * the workers depend on sync and the inbox on sync, so neither can be imported by it, and both come in as
 * arguments (a source of businesses, a function that makes the app). What stays here is the command's:
 * flags into options, output lines, errors as exit codes.
 */
import type { ServedBusinesses, SyncStore } from '@ym-chats/sync';
import type { CommandContext } from './commands/command.js';
import { loadSync, openCliStore, progressPrinter } from './commands/sync.js';
import { UsageError } from './errors.js';
import { EXIT } from './exit-codes.js';
import { VERSION } from './help.js';
import { type CliInbox, type InboxSettings, openCliInbox } from './inbox-run.js';
import { messageLines } from './message-lines.js';
import { type CliMetrics, cliMetrics, type MetricsSettings } from './metrics-run.js';
import { apiTarget, type RegisteredSource, registeredSource, runUntilStopped } from './workers-run.js';

type SyncModule = typeof import('@ym-chats/sync');

export interface ServeSettings {
  port: number;
  host: string;
  basePath: string;
  reconcileMinutes: number;
  allowFrom: string[] | undefined;
  trustProxy: boolean | string[];
  inbox: boolean;
  events: boolean;
  registered: boolean;
  replyTargetMinutes: number | undefined;
  /** `--metrics-port`: Prometheus metrics on a port of their own; off when undefined. */
  metrics: MetricsSettings | undefined;
}

/** What differs between one business and the registered ones: the source, the inbox's view, the words. */
interface Plan<R extends ServedBusinesses> {
  source: import('@ym-chats/sync').BusinessesSource<R>;
  inbox(businesses: R): InboxSettings;
  serves: string;
}

const say = (error: unknown) => (error instanceof Error ? error.message : String(error));

export async function runServe(ctx: CommandContext, settings: ServeSettings): Promise<number> {
  const { out } = ctx;
  const connection = settings.registered ? undefined : ctx.connect();
  const sync = await loadSync();
  const store = await openCliStore(ctx, sync);
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  let registered: RegisteredSource | undefined;
  let serving: { close(): Promise<void> } | undefined;
  /** Whose backlog the metrics read: the one business, or (once the worker runs) every registered one. */
  let backlogOf: () => readonly bigint[] | Promise<readonly bigint[]> = () => [];
  const metrics: CliMetrics | undefined =
    settings.metrics === undefined
      ? undefined
      : cliMetrics(ctx, sync, store, settings.metrics, () => backlogOf());
  try {
    // Pinned before anything runs, so the first pass's messages are printed too.
    const lines = settings.events ? await messageLines(sync, store, out) : undefined;
    const common = {
      cwd: ctx.io.cwd,
      host: settings.host,
      replyTargetMinutes: settings.replyTargetMinutes,
      // The same trust as the receiver's, judged by the SDK's one rule (and forwarded headers from peers
      // that are not trusted proxies are dropped before the inbox sees them).
      trustProxy: settings.trustProxy,
      ...(metrics === undefined
        ? {}
        : { onSendOutcome: (outcome, chat) => metrics.metrics.sendOutcome(chat.businessId, outcome) }),
    } satisfies Partial<InboxSettings>;
    if (connection !== undefined) {
      const { api, businessId } = connection;
      backlogOf = () => [BigInt(businessId)];
      serving = await listen(ctx, sync, store, settings, {
        source: sync.oneBusiness({
          api,
          store,
          businessId,
          reconcileMinutes: settings.reconcileMinutes,
          // A key without the order scope is asked once per key, not once per process start.
          orders: {
            keyFingerprint: sync.keyFingerprint(
              connection.connection.apiKey ?? connection.connection.oauthToken ?? '?',
            ),
          },
          ...(metrics === undefined ? {} : { observer: metrics.metrics.observer }),
          name: 'ym-chats',
          version: VERSION,
          ...(out.json ? {} : { onProgress: progressPrinter(out) }),
          onPass: (result) => {
            out.progress.done();
            if (out.json && !settings.events) out.ndjson({ event: 'pass', ...result });
            else if (!out.json)
              out.info(
                `Reconciled: ${result.chatsChanged} chats changed, ${result.messagesAdded} new messages.`,
              );
          },
          onError: (error, where, wait) =>
            out.warn(
              `${where}: ${say(error)}` +
                (wait.why === 'quota' ? ` (quota used up; resuming in ${Math.ceil(wait.ms / 1000)} s)` : ''),
            ),
        }),
        inbox: () => ({
          ...common,
          api,
          businessIds: [businessId],
          files: {
            baseUrl: connection.connection.baseUrl,
            apiKey: connection.connection.apiKey,
            oauthToken: connection.connection.oauthToken,
          },
        }),
        serves: `business ${String(businessId)}`,
      });
    } else {
      registered = await registeredSource(
        ctx,
        store,
        settings.reconcileMinutes * 60_000,
        stop,
        metrics?.metrics.observer,
      );
      const baseUrl = apiTarget(ctx).baseUrl;
      const servingRegistered = await listen(ctx, sync, store, settings, {
        source: registered.source,
        // Every process serves the page for every registered business (live updates travel through the
        // store); each reply and download goes out with its own business's credential from the store,
        // and the list follows `business add` / `remove` while this runs.
        inbox: (businesses) => ({
          ...common,
          api: businesses.api,
          businessIds: businesses.ids.current,
          files: {
            baseUrl,
            async credentialFor(businessId) {
              const credential = await businesses.registry.credential(BigInt(businessId));
              // Removed since the inbox last read the registered ids: refused like any business not served.
              if (credential === undefined) return undefined;
              return credential.kind === 'api-key'
                ? { apiKey: credential.secret }
                : { accessToken: credential.secret };
            },
          },
        }),
        serves: 'every registered business',
      });
      serving = servingRegistered;
      // Every registered business's backlog, the same in every worker (the README: take max, not sum).
      backlogOf = () => servingRegistered.businesses.registry.ids();
    }
    await metrics?.listen();
    const source = registered;
    // A worker that found its key opens nothing ends the command with that error (exit 2).
    await runUntilStopped(
      {
        get fatal() {
          return source?.fatal();
        },
      },
      lines,
      controller.signal,
    );
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    await metrics?.close();
    await serving?.close();
    await registered?.close();
    await store.close();
  }
  out.info('Stopped.');
  return EXIT.ok;
}

/** The one `serve` call, and what it prints once the port is open. */
async function listen<R extends ServedBusinesses>(
  ctx: CommandContext,
  sync: SyncModule,
  store: SyncStore,
  settings: ServeSettings,
  plan: Plan<R>,
): Promise<import('@ym-chats/sync').Serving<R>> {
  const { out } = ctx;
  let serving: import('@ym-chats/sync').Serving<R>;
  try {
    serving = await sync.serve({
      businesses: plan.source,
      ...(settings.inbox
        ? { app: (businesses: R): Promise<CliInbox> => openCliInbox(store, plan.inbox(businesses)) }
        : {}),
      port: settings.port,
      host: settings.host,
      basePath: settings.basePath,
      ...(settings.allowFrom === undefined ? {} : { allowFrom: settings.allowFrom }),
      trustProxy: settings.trustProxy,
    });
  } catch (error) {
    throw cliError(sync, settings, error);
  }
  const inboxUrl = serving.app === undefined ? null : `${serving.url}/`;
  if (out.json) out.ndjson({ event: 'listening', endpoint: serving.endpoint, inbox: inboxUrl });
  else {
    if (inboxUrl !== null) out.info(`Inbox: ${inboxUrl}`);
    out.info(`Receiving push notifications at ${serving.endpoint} (${plan.serves}). Ctrl+C to stop.`);
  }
  return serving;
}

function cliError(sync: SyncModule, settings: ServeSettings, error: unknown): unknown {
  if (error instanceof sync.PushPathTakenError) {
    return new UsageError(
      `--path ${settings.basePath} is one of the inbox's own paths, so no push would reach the receiver`,
      'Pick a segment outside /api, /assets, /chats and /login, e.g. --path /hooks/SECRET.',
    );
  }
  if (error instanceof sync.ListenError) {
    return new UsageError(error.message, 'Pick another port with --port N (0 for any free port).');
  }
  return error;
}
