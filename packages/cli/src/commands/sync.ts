/**
 * `ym-chats sync`: mirrors every chat of the business into a SQLite file or a PostgreSQL database
 * (@ym-chats/sync, an optional dependency loaded only here and in `serve`).
 */
import { resolve } from 'node:path';
import { flag, numberFlag, str } from '../args.js';
import { CliError, UsageError } from '../errors.js';
import { EXIT } from '../exit-codes.js';
import { messageLines } from '../message-lines.js';
import { loadOptional } from '../optional-package.js';
import type { Output } from '../output/output.js';
import { refuseWorkerFlagsAlone, runUntilStopped, startWorker, WORKER_OPTIONS } from '../workers-run.js';
import type { Command, CommandContext } from './command.js';

type SyncModule = typeof import('@ym-chats/sync');

/** Loads @ym-chats/sync, or says how to get it when npm left the optional dependency out. */
export function loadSync(): Promise<SyncModule> {
  return loadOptional('@ym-chats/sync', () => import('@ym-chats/sync'), 'this command');
}

export const STORE_OPTIONS = {
  store: {
    type: 'string',
    arg: 'PATH|URL',
    help: 'SQLite file or postgres:// URL (or YM_STORE; default .ym-chats/store.sqlite)',
  },
  schema: { type: 'string', arg: 'NAME', help: 'PostgreSQL schema for the tables (default public)' },
} as const;

/** Opens the store named by --store / YM_STORE (relative paths from the current directory). */
export async function openCliStore(ctx: CommandContext, sync: SyncModule) {
  const raw = str(ctx.values, 'store') ?? ctx.io.env.YM_STORE?.trim() ?? sync.DEFAULT_SQLITE_PATH;
  const target = sync.isPostgresUrl(raw) || raw === ':memory:' ? raw : resolve(ctx.io.cwd, raw);
  const schema = str(ctx.values, 'schema');
  ctx.out.addSecret(sync.isPostgresUrl(raw) ? new URL(raw).password || undefined : undefined);
  try {
    const onWarning = (message: string) => ctx.out.warn(message);
    return await sync.openStore(target, schema === undefined ? { onWarning } : { schema, onWarning });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new CliError(
      `cannot open the store ${sync.isPostgresUrl(raw) ? '(PostgreSQL)' : target}: ${message}`,
      EXIT.usage,
      'Check --store / YM_STORE.',
    );
  }
}

function progressLine(p: import('@ym-chats/sync').SyncProgress): string {
  const quota =
    p.quotaLeft.getChatHistory === null
      ? ''
      : `, quota left ${p.quotaLeft.getChats}/${p.quotaLeft.getChatHistory}`;
  const eta = p.etaSeconds === null ? '' : `, ETA ${p.etaSeconds}s`;
  return (
    `sync: ${p.chatsSeen} chats listed, ${p.chatsDone}/${p.chatsChanged} changed read, ` +
    `${p.messagesAdded} new messages, ${p.calls.getChats + p.calls.getChatHistory} calls${quota}${eta}`
  );
}

/** Progress lines: a self-overwriting line on a terminal, NDJSON with --json, nothing otherwise. */
export function progressPrinter(out: Output): (p: import('@ym-chats/sync').SyncProgress) => void {
  let last = 0;
  return (p) => {
    if (out.json) {
      const now = Date.now();
      if (now - last < 500) return;
      last = now;
      out.ndjson({ event: 'progress', ...p });
    } else out.progress.update(progressLine(p));
  };
}

export const syncCommand: Command = {
  name: 'sync',
  summary: 'mirror every chat and message into SQLite or PostgreSQL (--once or --watch)',
  usage:
    'sync [--once | --watch [--interval S]] [--store PATH|URL] [--schema NAME] [--json] ' +
    '[--watch --registered [--redis URL] [--lease S] [--metrics-port N]]',
  description:
    "Copies the business's chats and messages into a database you can query with SQL (schema: the " +
    '@ym-chats/sync README). A pass lists the chats (one getChats call per 20) and reads history only for ' +
    'chats that changed, from the last stored message, so a repeated pass over unchanged chats costs the ' +
    'listing alone. Each page is committed with its position: stop it any time and the next run resumes. ' +
    '--watch repeats passes every --interval seconds and, with --json, prints each new message as one JSON ' +
    'line; --json also prints progress lines. The store is --store, else YM_STORE, else ' +
    '.ym-chats/store.sqlite. With --registered, --watch syncs every business registered in the store ' +
    '(ym-chats business add) instead of one, sharing them with every other process started the same way ' +
    'over the same PostgreSQL store: each business is synced by one worker at a time under a lease, and ' +
    "a stopped or killed worker's businesses are taken over within --lease seconds; with --json each " +
    'process prints every new message of the store once (from its event log, whichever worker wrote it).',
  options: {
    once: { type: 'boolean', help: 'one pass, then exit (the default)' },
    watch: { type: 'boolean', help: 'pass after pass until Ctrl+C' },
    interval: { type: 'string', arg: 'S', help: 'seconds between --watch passes (default 60)' },
    ...STORE_OPTIONS,
    'max-passes': { type: 'string', arg: 'N', help: 'with --watch: stop after N passes' },
    ...WORKER_OPTIONS,
  },
  positionals: { min: 0, max: 0, names: '' },
  examples: [
    ['sync', 'one pass into .ym-chats/store.sqlite'],
    [
      'sync --watch --json --store postgres://me@localhost/shop',
      'keep PostgreSQL current, new messages as NDJSON',
    ],
    [
      'sync --watch --registered --store postgres://me@localhost/shop --redis redis://127.0.0.1:6379',
      'one of several workers sharing the registered businesses',
    ],
  ],
  usesApi: true,
  async run(ctx) {
    const { values, out } = ctx;
    const watch = flag(values, 'watch');
    if (watch && flag(values, 'once')) throw new UsageError('--once and --watch exclude each other');
    const interval = numberFlag(values, 'interval', { min: 0.1, max: 86_400, integer: false }) ?? 60;
    const maxPasses = numberFlag(values, 'max-passes', { min: 1, max: Number.MAX_SAFE_INTEGER });
    refuseWorkerFlagsAlone(ctx);
    if (flag(values, 'registered')) return runRegistered(ctx, watch, interval);
    const { api, businessId, connection } = ctx.connect();
    const sync = await loadSync();
    // The orders behind the chats, read after each pass; a key without the order scope is not asked again
    // until it changes (the store keeps a fingerprint of it, never the key).
    const orders = { keyFingerprint: sync.keyFingerprint(connection.apiKey ?? connection.oauthToken ?? '?') };
    const store = await openCliStore(ctx, sync);
    const controller = new AbortController();
    const stop = () => controller.abort();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    try {
      if (!watch) {
        const engine = new sync.SyncEngine({
          api,
          store,
          businessId,
          orders,
          onProgress: progressPrinter(out),
        });
        const result = await engine.pass('once', controller.signal);
        out.progress.done();
        report(out, result);
        return EXIT.ok;
      }
      // New messages from here on, pinned before the first pass so none of its messages is skipped.
      const subscriber = new sync.EventSubscriber(store, { from: 'end' });
      await subscriber.currentPosition();
      const runner = new sync.BusinessRunner({
        api,
        store,
        businessId,
        orders,
        // Nothing feeds this store's push queue for it: `serve` is the command that acts on pushes.
        pushes: false,
        // A failure ends the command with its exit code; a 420 is waited out (a used-up quota until its reset).
        policy: {
          trigger: 'watch',
          periodMs: interval * 1000,
          onFailure: 'stop',
          ...(maxPasses === undefined ? {} : { maxPasses }),
        },
        onProgress: progressPrinter(out),
        onPass: async (result) => {
          out.progress.done();
          if (out.json) {
            for (let events = await subscriber.poll(); events.length > 0; events = await subscriber.poll()) {
              for (const e of events) out.ndjson({ event: 'message', position: e.position, ...e.message });
            }
          }
          report(out, result);
        },
        onError: (error, _where, wait) => {
          out.progress.done();
          const seconds = Math.ceil(wait.ms / 1000);
          if (wait.why === 'quota') out.warn(`quota used up; resuming in ${seconds} s`);
          else
            out.warn(`${error instanceof Error ? error.message : String(error)}; retrying in ${seconds} s`);
        },
      });
      if (controller.signal.aborted) return EXIT.ok;
      controller.signal.addEventListener('abort', () => void runner.stop(), { once: true });
      await runner.start();
      return EXIT.ok;
    } catch (error) {
      if (controller.signal.aborted) return EXIT.ok;
      throw error;
    } finally {
      out.progress.done();
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      await store.close();
    }
  },
};

/** `sync --watch --registered`: this process is one worker among those sharing the registry. */
async function runRegistered(ctx: CommandContext, watch: boolean, interval: number): Promise<number> {
  if (!watch) throw new UsageError('--registered runs as a worker: use it with --watch');
  const sync = await loadSync();
  const store = await openCliStore(ctx, sync);
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  let running: Awaited<ReturnType<typeof startWorker>> | undefined;
  try {
    // Each new message of the store, once: what plain `sync --watch --json` prints for its business.
    const lines = ctx.out.json ? await messageLines(sync, store, ctx.out) : undefined;
    running = await startWorker(ctx, store, interval * 1000, stop);
    return await runUntilStopped(running, lines, controller.signal);
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    await running?.close();
    await store.close();
  }
}

function report(out: Output, result: import('@ym-chats/sync').PassResult): void {
  if (out.json) {
    out.ndjson({ event: 'pass', ...result });
    return;
  }
  const passes =
    result.resumedRunId === null
      ? `Finished pass ${result.runId}`
      : result.resumedRunId === result.runId
        ? `Resumed and finished pass ${result.runId}`
        : `Resumed and finished pass ${result.resumedRunId}, then pass ${result.runId} for what changed meanwhile`;
  out.info(
    `${passes}: ${result.chatsSeen} chats, ` +
      `${result.chatsChanged} changed, ${result.messagesAdded} new messages, ` +
      `${result.calls.getChats} getChats + ${result.calls.getChatHistory} getChatHistory calls.`,
  );
}
