/**
 * Connection limits for every HTTP server we ship: `serve` (push endpoint + inbox on one port), the
 * inbox on its own (`startInbox`) and `watch --listen`. Without them one peer opening thousands of
 * connections and sending nothing holds a file descriptor each until the process can accept nothing,
 * and the platform's PINGs and the agents' requests are reset.
 *
 * Why here, in the SDK: the servers live in sync (`listenForPushes`), inbox and cli, and packages only
 * import lower ones (sdk ← sync ← inbox ← cli). `watch --listen` must work with only the SDK installed
 * (sync is an optional dependency of the CLI), so the one home all three can reach is the SDK, beside the
 * push parser every receiver shares. Node built-ins only; nothing here runs on import.
 *
 * The policy is data (`ServerLimits`) and one pure function (`judgeConnection`); `createLimitedServer`
 * only counts, asks and carries out.
 */
import { readFileSync } from 'node:fs';
import { createServer, type RequestListener, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { addressKey } from '../net/address.js';

export interface ServerLimits {
  /** Open connections in all; kept well below the process's file-descriptor limit (see `serverLimits`). */
  maxConnections: number;
  /** Open connections from one address; a whole IPv6 /64 counts as one address (`addressKey`). */
  maxConnectionsPerAddress: number;
  /**
   * A connection must deliver its first request's head within this, or it is closed: a peer that
   * connects and sends nothing holds a descriptor for nothing. Real clients send at once.
   */
  firstRequestMs: number;
  /** A later request's head on a kept-alive connection (Node's `headersTimeout`). */
  headersMs: number;
  /** A whole request, body included (Node's `requestTimeout`); inbox uploads are up to 5 MB. */
  requestMs: number;
  /** Between requests on a kept-alive connection (Node's `keepAliveTimeout`). */
  keepAliveMs: number;
  /**
   * Nothing moved on a connection with a response in progress. Then it is closed only if the client
   * stopped reading (our writes are piling up); a response the client keeps up with — an event stream
   * between two events, a reply waiting on the API — is the server's to end, never cut for quiet.
   */
  idleMs: number;
}

/** What a limit did, for logs and tests. */
export interface LimitEvent {
  action: 'refused-address' | 'refused-full' | 'evicted' | 'closed-silent' | 'closed-stalled';
  address: string;
}

/** When the file-descriptor limit cannot be read (not Linux): the common soft default. */
export const DEFAULT_FILE_LIMIT = 1024;

/** The soft RLIMIT_NOFILE of this process from /proc/self/limits; undefined where there is none. */
export function fileDescriptorLimit(): number | undefined {
  try {
    const match = /^Max open files\s+(\d+|unlimited)\s/m.exec(readFileSync('/proc/self/limits', 'utf8'));
    if (!match) return undefined;
    return match[1] === 'unlimited' ? Number.MAX_SAFE_INTEGER : Number(match[1]);
  } catch {
    return undefined;
  }
}

const clamp = (value: number, min: number, max: number) => Math.min(max, Math.max(min, value));

/**
 * The limits for a process with `fileLimit` descriptors: a quarter of them (at least 64) stays free for
 * the store, outgoing API connections and files, the rest may be connections (at most 16 384); one
 * address may hold a quarter of those, at most 128 (an office of agents behind one NAT, each browser
 * holding six and an event stream).
 */
export function serverLimits(
  overrides: Partial<ServerLimits> = {},
  fileLimit: number = fileDescriptorLimit() ?? DEFAULT_FILE_LIMIT,
): ServerLimits {
  const given = Object.fromEntries(
    Object.entries(overrides).filter(([, v]) => v !== undefined),
  ) as Partial<ServerLimits>;
  const maxConnections =
    given.maxConnections ?? clamp(fileLimit - Math.max(64, Math.ceil(fileLimit / 4)), 16, 16_384);
  const limits: ServerLimits = {
    maxConnections,
    maxConnectionsPerAddress: clamp(Math.floor(maxConnections / 4), 4, 128),
    firstRequestMs: 5_000,
    // The platform itself gives up after 10 s.
    headersMs: 10_000,
    requestMs: 60_000,
    keepAliveMs: 5_000,
    idleMs: 60_000,
    ...given,
  };
  // Node refuses a header timeout longer than the request timeout.
  limits.requestMs = Math.max(limits.requestMs, limits.headersMs);
  return limits;
}

export type ConnectionEvent =
  /** A new connection; the counts are before it. `evictable`: a silent or idle connection exists. */
  | { kind: 'open'; open: number; fromAddress: number; addressCapped: boolean; evictable: boolean }
  /** `firstRequestMs` after it opened. */
  | { kind: 'first-request-due'; requests: number }
  /** Nothing moved on it for `keepAliveMs` (between requests) or `idleMs` (during one). */
  | { kind: 'quiet'; inFlight: number; clientBehind: boolean };

export type Judgement = 'accept' | 'evict-and-accept' | 'refuse-address' | 'refuse-full' | 'keep' | 'close';

/** The one decision: what happens to a connection at each moment a limit may apply. */
export function judgeConnection(event: ConnectionEvent, limits: ServerLimits): Judgement {
  switch (event.kind) {
    case 'open':
      if (event.addressCapped && event.fromAddress >= limits.maxConnectionsPerAddress)
        return 'refuse-address';
      if (event.open < limits.maxConnections) return 'accept';
      // Full: a connection doing nothing (never sent a request, or idle between two) gives way to one
      // that may be the platform or an agent; when every connection is busy, the newcomer waits its turn.
      return event.evictable ? 'evict-and-accept' : 'refuse-full';
    case 'first-request-due':
      return event.requests === 0 ? 'close' : 'keep';
    case 'quiet':
      return event.inFlight > 0 && !event.clientBehind ? 'keep' : 'close';
  }
}

export interface LimitedServerOptions {
  /** Any limit to change; the rest come from `serverLimits()` (this process's descriptor limit). */
  limits?: Partial<ServerLimits>;
  /**
   * Peers not held to the per-address cap: trusted reverse proxies, through which every client arrives
   * from one address. They still count towards the total.
   */
  exempt?: (address: string) => boolean;
  onLimit?: (event: LimitEvent) => void;
}

interface Connection {
  key: string;
  requests: number;
  inFlight: number;
  timer: NodeJS.Timeout | undefined;
}

const first = (set: Set<Socket>): Socket | undefined => set.values().next().value;

/** `http.createServer(listener)` with `ServerLimits` applied; listen and close it as usual. */
export function createLimitedServer(listener: RequestListener, options: LimitedServerOptions = {}): Server {
  const limits = serverLimits(options.limits);
  const connections = new Map<Socket, Connection>();
  const perAddress = new Map<string, number>();
  // Insertion-ordered, so the first is the one doing nothing for longest.
  const silent = new Set<Socket>();
  const idle = new Set<Socket>();
  const report = (action: LimitEvent['action'], socket: Socket) =>
    options.onLimit?.({ action, address: socket.remoteAddress ?? '' });

  const forget = (socket: Socket) => {
    const c = connections.get(socket);
    if (!c) return;
    connections.delete(socket);
    silent.delete(socket);
    idle.delete(socket);
    clearTimeout(c.timer);
    const left = (perAddress.get(c.key) ?? 1) - 1;
    if (left > 0) perAddress.set(c.key, left);
    else perAddress.delete(c.key);
  };
  const drop = (socket: Socket) => {
    forget(socket);
    socket.destroy();
  };

  const server = createServer(
    {
      headersTimeout: limits.headersMs,
      requestTimeout: limits.requestMs,
      keepAliveTimeout: limits.keepAliveMs,
      // Node checks the header and request timeouts at this interval (default 30 s, which would let a
      // slow sender hold on three times longer than headersMs).
      connectionsCheckingInterval: clamp(Math.floor(limits.headersMs / 4), 10, 1_000),
    },
    (req, res) => {
      const socket = req.socket;
      const c = connections.get(socket);
      if (c) {
        c.requests += 1;
        c.inFlight += 1;
        clearTimeout(c.timer);
        c.timer = undefined;
        silent.delete(socket);
        idle.delete(socket);
        res.once('close', () => {
          c.inFlight -= 1;
          if (c.inFlight === 0 && connections.has(socket)) idle.add(socket);
        });
      }
      listener(req, res);
    },
  );
  server.timeout = limits.idleMs;

  server.on('connection', (socket: Socket) => {
    const address = socket.remoteAddress;
    if (address === undefined) {
      socket.destroy();
      return;
    }
    const key = addressKey(address);
    const verdict = judgeConnection(
      {
        kind: 'open',
        open: connections.size,
        fromAddress: perAddress.get(key) ?? 0,
        addressCapped: options.exempt?.(address) !== true,
        evictable: silent.size + idle.size > 0,
      },
      limits,
    );
    if (verdict === 'refuse-address' || verdict === 'refuse-full') {
      report(verdict === 'refuse-address' ? 'refused-address' : 'refused-full', socket);
      // A reset frees our side at once (no FIN handshake, no TIME_WAIT) and tells the peer plainly.
      socket.resetAndDestroy();
      return;
    }
    if (verdict === 'evict-and-accept') {
      const victim = first(silent) ?? first(idle);
      if (victim) {
        report('evicted', victim);
        drop(victim);
      }
    }
    const c: Connection = { key, requests: 0, inFlight: 0, timer: undefined };
    c.timer = setTimeout(() => {
      c.timer = undefined;
      if (judgeConnection({ kind: 'first-request-due', requests: c.requests }, limits) === 'close') {
        report('closed-silent', socket);
        drop(socket);
      }
    }, limits.firstRequestMs);
    c.timer.unref();
    connections.set(socket, c);
    silent.add(socket);
    perAddress.set(key, (perAddress.get(key) ?? 0) + 1);
    socket.once('close', () => forget(socket));
  });

  // With a listener here Node leaves timed-out sockets to us (without one it destroys them all, event
  // streams included).
  server.on('timeout', (socket: Socket) => {
    const c = connections.get(socket);
    const verdict = judgeConnection(
      { kind: 'quiet', inFlight: c?.inFlight ?? 0, clientBehind: socket.writableLength > 0 },
      limits,
    );
    if (verdict === 'close') {
      if ((c?.inFlight ?? 0) > 0) report('closed-stalled', socket);
      drop(socket);
    }
  });

  // Out of descriptors all the same (the store, files): libuv has already shed the pending connection;
  // without this listener the 'error' would end the process, and with it every other connection.
  server.on('error', (error: NodeJS.ErrnoException) => {
    if (error.syscall === 'accept') return;
    if (server.listenerCount('error') === 1) throw error;
  });
  return server;
}
