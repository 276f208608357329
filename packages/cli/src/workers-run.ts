/**
 * `--registered`: `serve` and `sync --watch` as one of N workers sharing the businesses registered in the
 * store (`ym-chats business add`), each business's credential from the store, one quota through Redis
 * (@ym-chats/workers and @ym-chats/redis, optional, loaded only here).
 */
import type { RedisQuotaStore } from '@ym-chats/redis';
import type { SyncStore } from '@ym-chats/sync';
import { flag, numberFlag, str } from './args.js';
import type { CommandContext } from './commands/command.js';
import { resolveApiTarget } from './config.js';
import { CliError, UsageError } from './errors.js';
import { EXIT } from './exit-codes.js';
import { VERSION } from './help.js';
import { type CliMetrics, cliMetrics, METRICS_OPTIONS, metricsSettings } from './metrics-run.js';
import { loadOptional } from './optional-package.js';

type WorkersModule = typeof import('@ym-chats/workers');

export function loadWorkers(): Promise<WorkersModule> {
  return loadOptional('@ym-chats/workers', () => import('@ym-chats/workers'), '--registered and `business`');
}

export const WORKER_OPTIONS = {
  registered: {
    type: 'boolean',
    help: 'sync every business registered in the store (ym-chats business add), shared with other processes started the same way',
  },
  redis: {
    type: 'string',
    arg: 'URL',
    help: 'with --registered: Redis for the quota all processes share (or YM_REDIS_URL)',
  },
  'redis-prefix': {
    type: 'string',
    arg: 'P',
    help: 'with --redis: key prefix, for several deployments on one Redis (default ym-chats:quota:)',
  },
  lease: {
    type: 'string',
    arg: 'S',
    help: 'with --registered: seconds a dead worker keeps its businesses before others take them (default 30)',
  },
  ...METRICS_OPTIONS,
} as const;

/**
 * `--redis`, `--redis-prefix` and `--lease` belong to a worker: without `--registered` they would be ignored;
 * so would `--metrics-port` anywhere but `serve` (which has metrics of one business too).
 */
export function refuseWorkerFlagsAlone(ctx: CommandContext): void {
  if (flag(ctx.values, 'registered')) return;
  const metrics = ctx.name === 'serve' ? [] : ['metrics-port', 'metrics-host'];
  for (const name of ['redis', 'redis-prefix', 'lease', ...metrics]) {
    if (str(ctx.values, name) !== undefined) {
      throw new UsageError(
        `--${name} applies to workers: add --registered`,
        'Register the business first: ym-chats business add ID --api-key-file FILE (see ym-chats business --help).',
      );
    }
  }
}

/** The key that seals credentials, or a usage error naming YM_CREDENTIALS_KEY and how to make one. */
export function cliCredentialKey(ctx: CommandContext, workers: WorkersModule): Buffer {
  try {
    return workers.credentialKey(ctx.io.env);
  } catch (error) {
    if (error instanceof workers.CredentialKeyError) throw new UsageError(error.message);
    throw error;
  }
}

/** The shared quota store for --redis / YM_REDIS_URL; undefined (each process counts alone) without. */
export async function openQuotaStore(ctx: CommandContext): Promise<RedisQuotaStore | undefined> {
  const url = str(ctx.values, 'redis') ?? ctx.io.env.YM_REDIS_URL?.trim();
  if (url === undefined || url === '') return undefined;
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  if (parsed === undefined || !/^rediss?:$/.test(parsed.protocol)) {
    throw new UsageError('--redis must be a redis:// URL', 'Check --redis / YM_REDIS_URL.');
  }
  ctx.out.addSecret(parsed.password === '' ? undefined : decodeURIComponent(parsed.password));
  const redis = await loadOptional('@ym-chats/redis', () => import('@ym-chats/redis'), '--redis');
  const prefix = str(ctx.values, 'redis-prefix');
  try {
    return await redis.connectRedisQuotaStore(url, prefix === undefined ? {} : { prefix });
  } catch (error) {
    throw new CliError(
      `cannot connect to Redis: ${error instanceof Error ? error.message : String(error)}`,
      EXIT.usage,
      'Check --redis / YM_REDIS_URL.',
    );
  }
}

/** Where the workers' calls go: --base-url > YM_BASE_URL > the config profile; credentials come from the store. */
export function apiTarget(ctx: CommandContext): { baseUrl: string; pathPrefix: '' | '/v2' } {
  const { baseUrl, pathPrefix } = resolveApiTarget({ values: ctx.values, env: ctx.io.env, cwd: ctx.io.cwd });
  return { baseUrl, pathPrefix };
}

export interface RunningWorkers {
  worker: import('@ym-chats/workers').Worker;
  /** Set when the worker found its key opens none of the credentials while running: exit with it. */
  fatal: CliError | undefined;
  close(): Promise<void>;
}

type WorkerOptions = import('@ym-chats/workers').WorkerOptions;

/** What every worker command shares: the key, the lease, the quota store, the events as lines. */
interface WorkerSetup {
  workers: WorkersModule;
  options: Omit<WorkerOptions, 'mode'>;
  leaseSeconds: number;
  quotaStore: RedisQuotaStore | undefined;
  fatal(): CliError | undefined;
  /** Says the worker is up (NDJSON with --json). */
  announce(workerId: string): void;
  /** A failed start as the CLI reports it (a second SQLite worker, a wrong key: usage errors). */
  failed(error: unknown): unknown;
}

async function setUpWorker(
  ctx: CommandContext,
  store: SyncStore,
  periodMs: number,
  /** Called when the worker cannot go on (a wrong key found while running): end the command. */
  onFatal: () => void,
  /** Told of every business's passes and failures (`--metrics-port`). */
  observer?: import('@ym-chats/sync').RunnerObserver,
): Promise<WorkerSetup> {
  const workers = await loadWorkers();
  const key = cliCredentialKey(ctx, workers);
  const leaseSeconds = numberFlag(ctx.values, 'lease', { min: 1, max: 3600, integer: false }) ?? 30;
  const quotaStore = await openQuotaStore(ctx);
  const { out } = ctx;
  let fatal: CliError | undefined;
  return {
    workers,
    leaseSeconds,
    quotaStore,
    fatal: () => fatal,
    options: {
      store,
      key,
      periodMs,
      leaseMs: leaseSeconds * 1000,
      ...apiTarget(ctx),
      ...(quotaStore === undefined ? {} : { quotaStore }),
      ...(observer === undefined ? {} : { observer }),
      onFatal: (error) => {
        fatal = new UsageError(error.message);
        onFatal();
      },
      onEvent: (e) => {
        const b = e.businessId === null ? null : String(e.businessId);
        if (out.json) {
          if (e.event === 'pass') out.ndjson({ event: 'pass', businessId: b, ...e.result });
          else out.ndjson({ ...e, businessId: b });
        } else if (e.event === 'error')
          out.warn(`${b === null ? '' : `business ${b}: `}${e.where}: ${e.message}`);
        else if (e.event === 'pass')
          out.info(
            `business ${b}: ${e.result.chatsChanged} chats changed, ${e.result.messagesAdded} new messages`,
          );
        else out.info(`business ${b}: ${e.event}`);
      },
    },
    announce(workerId) {
      if (out.json) out.ndjson({ event: 'worker', workerId, leaseSeconds });
      else
        out.info(
          `Worker ${workerId}: sharing the registered businesses (lease ${leaseSeconds} s). Ctrl+C to stop.`,
        );
    },
    failed(error) {
      if (error instanceof workers.SecondWorkerError || error instanceof workers.WrongKeyError)
        return new UsageError(error.message);
      return error;
    },
  };
}

/** Starts this process's worker over `store` (`sync --watch --registered`); events become lines. */
export async function startWorker(
  ctx: CommandContext,
  store: SyncStore,
  periodMs: number,
  onFatal: () => void,
): Promise<RunningWorkers> {
  const wanted = metricsSettings(ctx);
  let worker: import('@ym-chats/workers').Worker | undefined;
  let metrics: CliMetrics | undefined;
  if (wanted !== undefined) {
    const sync = await loadOptional('@ym-chats/sync', () => import('@ym-chats/sync'), '--metrics-port');
    // Every registered business's backlog, the same in every worker (the README: take max, not sum).
    metrics = cliMetrics(ctx, sync, store, wanted, async () => (worker ? await worker.registry.ids() : []));
  }
  const setup = await setUpWorker(ctx, store, periodMs, onFatal, metrics?.metrics.observer);
  try {
    worker = await setup.workers.Worker.start({ ...setup.options, mode: 'watch' });
  } catch (error) {
    await setup.quotaStore?.close();
    throw setup.failed(error);
  }
  const started = worker;
  try {
    await metrics?.listen();
  } catch (error) {
    await started.stop();
    await setup.quotaStore?.close();
    throw error;
  }
  setup.announce(started.id);
  return {
    worker: started,
    get fatal() {
      return setup.fatal();
    },
    async close() {
      await metrics?.close();
      await started.stop();
      await setup.quotaStore?.close();
    },
  };
}

type RegisteredBusinesses = import('@ym-chats/workers').RegisteredBusinesses;

export interface RegisteredSource {
  /** What `serve` serves: this process's worker over the registered businesses. */
  source: import('@ym-chats/sync').BusinessesSource<RegisteredBusinesses>;
  /** The worker's fatal error (a wrong key found while running), once it has one. */
  fatal(): CliError | undefined;
  /** After `serve` closed (or failed): the Redis connection. */
  close(): Promise<void>;
}

/** `serve --registered`'s businesses: a worker in serve mode, its start reported like `startWorker`'s. */
export async function registeredSource(
  ctx: CommandContext,
  store: SyncStore,
  periodMs: number,
  onFatal: () => void,
  /** Told of every business's passes and failures (`--metrics-port`). */
  observer?: import('@ym-chats/sync').RunnerObserver,
): Promise<RegisteredSource> {
  const setup = await setUpWorker(ctx, store, periodMs, onFatal, observer);
  const { out } = ctx;
  const inner = setup.workers.registeredBusinesses({
    ...setup.options,
    name: 'ym-chats',
    version: VERSION,
    onIdsError: (error) =>
      out.warn(`registered businesses: ${error instanceof Error ? error.message : String(error)}`),
  });
  return {
    source: {
      async start() {
        let started: RegisteredBusinesses;
        try {
          started = await inner.start();
        } catch (error) {
          throw setup.failed(error);
        }
        setup.announce(started.worker.id);
        return started;
      },
    },
    fatal: setup.fatal,
    close: async () => {
      await setup.quotaStore?.close();
    },
  };
}

/**
 * A worker command's foreground: print the store's message lines (when asked) or just wait, until the signal
 * aborts; then end with the worker's fatal error, if it had one.
 */
export async function runUntilStopped(
  running: { readonly fatal: CliError | undefined },
  lines: { follow(signal: AbortSignal): Promise<void> } | undefined,
  signal: AbortSignal,
): Promise<number> {
  if (lines !== undefined) await lines.follow(signal);
  else
    await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
  if (running.fatal !== undefined) throw running.fatal;
  return EXIT.ok;
}
