/**
 * `--metrics-port`: Prometheus metrics for `serve` and the workers (`serve --registered`, `sync --watch
 * --registered`) on a port of their own, 127.0.0.1 unless `--metrics-host` says otherwise. The metrics are
 * sync's (`SyncMetrics`, `startMetricsServer`); what stays here is the command's: the flags, the line that
 * says where they are, the warning beyond loopback, errors as usage errors.
 */
import type { SyncMetrics, SyncStore } from '@ym-chats/sync';
import { numberFlag, str } from './args.js';
import type { CommandContext } from './commands/command.js';
import { UsageError } from './errors.js';

type SyncModule = typeof import('@ym-chats/sync');

export const METRICS_OPTIONS = {
  'metrics-port': {
    type: 'string',
    arg: 'N',
    help: 'Prometheus metrics at http://127.0.0.1:N/metrics, a port of their own: serve, or a worker (--registered); off unless given, 0 picks a free port',
  },
  'metrics-host': {
    type: 'string',
    arg: 'HOST',
    help: 'with --metrics-port: interface the metrics bind to (default 127.0.0.1)',
  },
} as const;

export interface MetricsSettings {
  port: number;
  host: string;
}

const isLoopback = (host: string) =>
  host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);

/** The flags as settings; undefined without `--metrics-port` (metrics are off). */
export function metricsSettings(ctx: CommandContext): MetricsSettings | undefined {
  const port = numberFlag(ctx.values, 'metrics-port', { min: 0, max: 65535 });
  const host = str(ctx.values, 'metrics-host');
  if (port === undefined) {
    if (host !== undefined)
      throw new UsageError('--metrics-host needs --metrics-port', 'Add --metrics-port N (e.g. 9464).');
    return undefined;
  }
  return { port, host: host ?? '127.0.0.1' };
}

export interface CliMetrics {
  metrics: SyncMetrics;
  /** Opens the port and says where; a port that does not open is a usage error. */
  listen(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The metrics of a process over `store`; `businesses` names those whose backlog is read at each scrape (known
 * only once the businesses run, so it is asked at every scrape).
 */
export function cliMetrics(
  ctx: CommandContext,
  sync: SyncModule,
  store: SyncStore,
  settings: MetricsSettings,
  businesses: () => readonly bigint[] | Promise<readonly bigint[]>,
): CliMetrics {
  const metrics = new sync.SyncMetrics({ store, businesses });
  let server: import('@ym-chats/sync').MetricsServer | undefined;
  const { out } = ctx;
  return {
    metrics,
    async listen() {
      try {
        server = await sync.startMetricsServer({
          metrics,
          port: settings.port,
          host: settings.host,
          onError: (error) => out.warn(`metrics: ${error instanceof Error ? error.message : String(error)}`),
        });
      } catch (error) {
        if (error instanceof sync.ListenError)
          throw new UsageError(
            `--metrics-port: ${error.message}`,
            'Pick another port with --metrics-port N.',
          );
        throw error;
      }
      if (out.json) out.ndjson({ event: 'metrics', url: server.url });
      else out.info(`Metrics: ${server.url}`);
      if (!isLoopback(settings.host)) {
        out.warn(
          `metrics on ${settings.host}: anyone who can reach this port reads the business ids, their backlog ` +
            'and quota. Keep it behind a firewall, or leave --metrics-host at 127.0.0.1 and scrape locally.',
        );
      }
    },
    async close() {
      await server?.close();
    },
  };
}
