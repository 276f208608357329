/**
 * `ym-chats serve`: the platform's push endpoint in front of the store — acknowledge first, act after,
 * reconcile on start and every few minutes (@ym-chats/sync, loaded only here and in `sync`) — and the
 * web inbox over that store on the same port (@ym-chats/inbox).
 */
import { NetworkListError, parseNetworks } from '@ym-chats/sdk';
import { importAgentsFile } from '../agents-import.js';
import { flag, numberFlag, str } from '../args.js';
import { UsageError } from '../errors.js';
import { metricsSettings } from '../metrics-run.js';
import { runServe } from '../serve-run.js';
import { refuseWorkerFlagsAlone, WORKER_OPTIONS } from '../workers-run.js';
import type { Command, CommandContext } from './command.js';
import { STORE_OPTIONS } from './sync.js';

export const serveCommand: Command = {
  name: 'serve',
  summary: 'the web inbox and the push endpoint (POST /notification) over the store, reconciling regularly',
  usage:
    'serve [--port N] [--host H] [--store PATH|URL] [--reconcile M] [--path /SECRET] [--agents FILE] ' +
    '[--reply-target M] [--no-inbox] [--events] [--allow-from CIDR,…] [--trust-proxy | --trusted-proxies CIDR,…] ' +
    '[--json] [--metrics-port N [--metrics-host H]] [--registered [--redis URL] [--lease S]]',
  description:
    'Runs the endpoint the platform POSTs notifications to (POST /notification) on 127.0.0.1:PORT. PING is ' +
    'answered at once; each chat notification is saved to the store before it is acknowledged and acted on ' +
    'after: a burst for one chat becomes one history read. Duplicates and reordering are harmless; other ' +
    'notification types are acknowledged and ignored. Notifications are hints, so a reconciling sync pass ' +
    'runs on start and every --reconcile minutes. The same port serves the web inbox (the page at /): on ' +
    '127.0.0.1 with no agents in the store a single local user needs no login; otherwise every browser logs in ' +
    'as an agent (ym-chats agents add; --agents FILE imports a file of them into the store at start). ' +
    '--events prints each new message as one JSON line. In production put it behind an HTTPS proxy (the ' +
    'platform needs a public certificate); --allow-from limits who may POST notifications (others get 403), ' +
    'judged by X-Forwarded-For only when the direct peer is a trusted proxy (--trust-proxy: any peer; ' +
    '--trusted-proxies: only those), for the inbox too. --registered serves every business registered in the ' +
    'store (ym-chats business add) as one of several workers over one PostgreSQL store: any worker accepts ' +
    "any registered business's push and queues it in the store, and the worker holding that business acts " +
    'on it; every worker serves the inbox over all of them, each reply and attachment download with its own ' +
    "business's credential from the store, and follows businesses added or removed while it runs. " +
    '--metrics-port serves Prometheus metrics (waiting chats, the oldest wait, the push queue, pass durations, ' +
    'quota, 420s, send outcomes) at /metrics on a port of their own, bound to 127.0.0.1 unless --metrics-host.',
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
      help: 'import these inbox agents into the store at start (JSON [{"login","passwordHash","businessIds"}]); ym-chats agents edits them there',
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
    ['serve --port 9000 --metrics-port 9464', 'Prometheus scrapes http://127.0.0.1:9464/metrics'],
  ],
  usesApi: true,
  async run(ctx) {
    const { values } = ctx;
    const port = numberFlag(values, 'port', { min: 0, max: 65535 }) ?? 8081;
    const reconcileMinutes = numberFlag(values, 'reconcile', { min: 0, max: 10_080, integer: false }) ?? 15;
    const basePath = str(values, 'path') ?? '';
    if (basePath !== '' && !/^(\/[A-Za-z0-9._~-]+)+$/.test(basePath)) {
      throw new UsageError(`--path must look like /segment, got "${basePath}"`);
    }
    const peers = peerSettings(ctx);
    refuseWorkerFlagsAlone(ctx);
    const metrics = metricsSettings(ctx);
    const host = str(values, 'host') ?? '127.0.0.1';
    warnOpenPushEndpoint(ctx, host, peers.allowFrom);
    // Imported into the store once; the inbox reads its agents from there.
    const agentsFile = str(values, 'agents');
    if (agentsFile !== undefined) await importAgentsFile(ctx, agentsFile);
    return runServe(ctx, {
      port,
      host,
      basePath,
      reconcileMinutes,
      ...peers,
      inbox: !flag(values, 'no-inbox'),
      events: flag(values, 'events'),
      registered: flag(values, 'registered'),
      replyTargetMinutes: numberFlag(values, 'reply-target', { min: 1, max: 10_080 }),
      metrics,
    });
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
  // The SDK's one parser (the receiver and the inbox parse the list again with it): a typo stops here.
  try {
    parseNetworks(list, `--${name}`);
  } catch (error) {
    if (!(error instanceof NetworkListError)) throw error;
    throw new UsageError(
      `${error.list}: "${error.entry}" ${error.problem}`,
      `${error.hint[0]!.toUpperCase()}${error.hint.slice(1)}.`,
    );
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
