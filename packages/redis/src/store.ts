/** `RedisQuotaStore`: the SDK's quota-store contract over one Redis, shared by every process using it. */
import { randomUUID } from 'node:crypto';
import type {
  AcquireRequest,
  AcquireResult,
  HoldRequest,
  OperationId,
  QuotaState,
  QuotaStore,
  ReleaseRequest,
} from '@ym-chats/sdk';
import { createClient } from 'redis';
import { ACQUIRE, RELEASE } from './scripts.js';

export interface RedisQuotaStoreOptions {
  /** Prepended to every key and the channel, so several deployments (or tests) share one Redis. Default `ym-chats:quota:`. */
  prefix?: string;
  /** How long `connectRedisQuotaStore` tries before it gives up. Default 5 000 ms. */
  connectTimeoutMs?: number;
}

type Client = ReturnType<typeof createClient>;

interface Script {
  text: string;
  sha: string;
}

/**
 * Connects to Redis (`redis://[:password@]host:port[/db]`) and returns a store to pass as
 * `new ChatsApi({ rateLimit: { store } })`. Rejects with a clear error (the password masked) when Redis
 * cannot be reached in time. Close it with `close()`.
 */
export async function connectRedisQuotaStore(
  url: string,
  options: RedisQuotaStoreOptions = {},
): Promise<RedisQuotaStore> {
  const prefix = options.prefix ?? 'ym-chats:quota:';
  const timeoutMs = options.connectTimeoutMs ?? 5_000;
  const client: Client = createClient({
    url,
    // A command while disconnected fails at once: the SDK's limiter then waits and retries within the
    // call's deadline, instead of a queue that could replay stale decisions later.
    disableOfflineQueue: true,
    socket: { connectTimeout: timeoutMs, reconnectStrategy: (retries) => Math.min(50 * (retries + 1), 500) },
  });
  const subscriber = client.duplicate();
  const errors: unknown[] = [];
  // node-redis emits 'error' on every failed reconnect; unhandled, that would end the process.
  client.on('error', (error: unknown) => errors.push(error));
  subscriber.on('error', () => {});
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await Promise.race([
      Promise.all([client.connect(), subscriber.connect()]),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error('timed out')), timeoutMs);
      }),
    ]);
    const store = new RedisQuotaStore(client, subscriber, prefix);
    await store.start();
    return store;
  } catch (error) {
    client.destroy();
    subscriber.destroy();
    const cause = errors[0] ?? error;
    throw new Error(
      `@ym-chats/redis: could not connect to ${maskUrl(url)} within ${timeoutMs} ms: ${
        cause instanceof Error ? cause.message : String(cause)
      }`,
      { cause },
    );
  } finally {
    clearTimeout(timer);
  }
}

export class RedisQuotaStore implements QuotaStore {
  readonly prefix: string;
  private readonly acquireScript: Script;
  private readonly releaseScript: Script;
  private readonly channel: string;
  /** Unique per store instance, so lease names of different processes never collide. */
  private readonly id = randomUUID().slice(0, 13);
  private seq = 0;
  /** Per business: how many "slot freed" messages arrived, and waiters for the next one. */
  private readonly freed = new Map<string, { count: number; seen: number; waiters: Array<() => void> }>();

  /** @internal Use `connectRedisQuotaStore`. */
  constructor(
    private readonly client: Client,
    private readonly subscriber: Client,
    prefix: string,
  ) {
    this.prefix = prefix;
    this.channel = `${prefix}freed`;
    this.acquireScript = { text: ACQUIRE, sha: '' };
    this.releaseScript = { text: RELEASE, sha: '' };
  }

  /** @internal */
  async start(): Promise<void> {
    // A first connection to an empty Redis is a fresh start, not a restart: no quarantine.
    await this.client.set(`${this.prefix}epoch`, '0', { condition: 'NX' });
    this.acquireScript.sha = await this.client.scriptLoad(this.acquireScript.text);
    this.releaseScript.sha = await this.client.scriptLoad(this.releaseScript.text);
    await this.subscriber.subscribe(this.channel, (business) => {
      const entry = this.freed.get(business);
      if (entry === undefined) return;
      entry.count += 1;
      for (const wake of entry.waiters.splice(0)) wake();
    });
  }

  private keys(business: string, operation: OperationId): string[] {
    return [
      `${this.prefix}epoch`,
      `${this.prefix}b:${business}:leases`,
      `${this.prefix}b:${business}:w:${operation}`,
    ];
  }

  private entry(business: string) {
    let entry = this.freed.get(business);
    if (entry === undefined) {
      entry = { count: 0, seen: 0, waiters: [] };
      this.freed.set(business, entry);
    }
    return entry;
  }

  async acquire(request: AcquireRequest): Promise<AcquireResult> {
    const entry = this.entry(request.business);
    // A slot freed after this point wakes `slotFreed` at once, even before it is called.
    entry.seen = entry.count;
    const lease = `${this.id}.${++this.seq}`;
    const reply = await this.run(this.acquireScript, this.keys(request.business, request.operation), [
      request.operation,
      lease,
      String(request.now),
      String(request.maxConcurrent),
      String(request.leaseMs),
      String(request.limit),
    ]);
    if (!Array.isArray(reply)) throw new Error(`@ym-chats/redis: unexpected reply ${String(reply)}`);
    const [kind, a, b, c] = reply.map(String);
    if (kind === 'ok') return { ok: true, lease };
    if (kind === 'slot') return { ok: false, wait: 'slot', retryInMs: Number(a) };
    return {
      ok: false,
      wait: 'quota',
      state: { limit: Number(a), remaining: Number(b), resetAt: Number(c) },
    };
  }

  async release(request: ReleaseRequest): Promise<void> {
    const args = this.leaseArgs(request, request.answered === true ? '1' : '0');
    const r = request.reported;
    if (r !== undefined) args.push(String(r.limit), String(r.remaining), String(r.resetAt));
    await this.run(this.releaseScript, this.keys(request.business, request.operation), args);
  }

  async hold(request: HoldRequest): Promise<void> {
    await this.run(
      this.releaseScript,
      this.keys(request.business, request.operation),
      this.leaseArgs(request, 'h'),
    );
  }

  /** The release script's arguments; `mode` is '1' (answered), '0' (no answer) or 'h' (hold, no release). */
  private leaseArgs(request: HoldRequest, mode: '0' | '1' | 'h'): string[] {
    return [
      request.operation,
      request.lease,
      String(request.now),
      String(request.maxConcurrent),
      String(request.leaseMs),
      request.business,
      this.channel,
      mode,
    ];
  }

  async get(business: string, operation: OperationId, now: number): Promise<QuotaState | undefined> {
    const [limit, remaining, resetAt] = await this.client.hmGet(this.keys(business, operation)[2] as string, [
      'limit',
      'remaining',
      'resetAt',
    ]);
    if (limit == null || remaining == null || resetAt == null || now >= Number(resetAt)) return undefined;
    return { limit: Number(limit), remaining: Math.max(0, Number(remaining)), resetAt: Number(resetAt) };
  }

  slotFreed(business: string, timeoutMs: number): Promise<void> {
    const entry = this.entry(business);
    if (entry.count !== entry.seen) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        const index = entry.waiters.indexOf(wake);
        if (index >= 0) entry.waiters.splice(index, 1);
        resolve();
      }, timeoutMs);
      entry.waiters.push(wake);
    });
  }

  /** Closes both connections: politely when Redis answers within a second, at once when it does not. */
  async close(): Promise<void> {
    for (const entry of this.freed.values()) for (const wake of entry.waiters.splice(0)) wake();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const polite = Promise.allSettled([this.subscriber.quit(), this.client.quit()]);
    await Promise.race([polite, new Promise((resolve) => (timer = setTimeout(resolve, 1_000)))]);
    clearTimeout(timer);
    for (const client of [this.subscriber, this.client]) if (client.isOpen) client.destroy();
  }

  private async run(script: Script, keys: string[], args: string[]): Promise<unknown> {
    try {
      return await this.client.evalSha(script.sha, { keys, arguments: args });
    } catch (error) {
      // A restarted Redis has an empty script cache.
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return this.client.eval(script.text, { keys, arguments: args });
    }
  }
}

function maskUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'the given Redis URL';
  }
}
