/**
 * The metrics on a port of their own (`serve --metrics-port`, the workers): `GET /metrics` in Prometheus's
 * text format, nothing else. Bound to 127.0.0.1 unless told otherwise — the figures name businesses and
 * their backlog, for the operator's scraper, not for the inbox's visitors — and never on the inbox's port,
 * so a proxy that publishes the inbox cannot publish them by mistake.
 */
import type { AddressInfo } from 'node:net';
import { createLimitedServer } from '@ym-chats/sdk';
import { ListenError } from '../runner/serve.js';

export const METRICS_PATH = '/metrics';

/** What the server renders: `SyncMetrics`, or anything else with an exposition. */
export interface MetricsSource {
  readonly contentType: string;
  exposition(): Promise<string>;
}

export interface MetricsServerOptions {
  metrics: MetricsSource;
  port: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** A scrape that failed (answered 500). */
  onError?: (error: unknown) => void;
}

export interface MetricsServer {
  /** `http://host:port/metrics`. */
  url: string;
  close(): Promise<void>;
}

/** Starts the server; a port that does not open is a `ListenError` (nothing is left listening). */
export async function startMetricsServer(options: MetricsServerOptions): Promise<MetricsServer> {
  const host = options.host ?? '127.0.0.1';
  const server = createLimitedServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== METRICS_PATH) {
      res
        .writeHead(404, { 'content-type': 'text/plain; charset=utf-8' })
        .end(`Not found: try ${METRICS_PATH}\n`);
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' }).end();
      return;
    }
    options.metrics.exposition().then(
      (text) => {
        res.writeHead(200, { 'content-type': options.metrics.contentType, 'cache-control': 'no-store' });
        res.end(req.method === 'HEAD' ? undefined : text);
      },
      (error: unknown) => {
        options.onError?.(error);
        res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end('metrics unavailable\n');
      },
    );
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    server.close();
    throw new ListenError(host, options.port, error);
  }
  const { port } = server.address() as AddressInfo;
  const shown = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shown}:${port}${METRICS_PATH}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
