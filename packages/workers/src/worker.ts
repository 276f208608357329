/**
 * A worker process's share of the registered businesses. Every tick (a third of the lease time) it
 * records itself alive, renews its leases, and moves toward its fair share — ⌈businesses ÷ live
 * workers⌉ — by claiming free or expired leases or giving back the ones it holds beyond that share (idle
 * ones first). A business is run only while its lease is held. Pushes are queued in the store by
 * whichever process received them; each worker polls the queue for the businesses it holds, and wakes a
 * business at once when the push arrived at its own endpoint.
 */
import { randomBytes } from 'node:crypto';
import { ChatsApi, type ClientOptions, type QuotaStore } from '@ym-chats/sdk';
import {
  BusinessRunner,
  businessesWithPending,
  keyFingerprint,
  NotificationHandler,
  type PassResult,
  type RunnerObserver,
  type SyncStore,
} from '@ym-chats/sync';
import { CredentialKeyError, credentialKey, KEY_VARIABLE } from './credentials.js';
import { Gate } from './gate.js';
import { LeaseBook } from './leases.js';
import { migrateWorkers } from './migrations.js';
import { BusinessRegistry } from './registry.js';

export const DEFAULT_LEASE_MS = 30_000;

/** `watch` repeats passes every period; `serve` reconciles on start and every period and acts on pushes. */
export type RunMode = 'watch' | 'serve';

export type WorkerEvent =
  | { event: 'acquired' | 'released' | 'lost'; businessId: bigint }
  | { event: 'pass'; businessId: bigint; result: PassResult }
  | { event: 'error'; businessId: bigint | null; where: string; message: string };

export interface WorkerOptions {
  store: SyncStore;
  mode: RunMode;
  /** The platform (or emulator) base URL and path prefix every business's client uses. */
  baseUrl: string;
  pathPrefix?: '' | '/v2';
  /** Shared quota windows and in-flight slots (Redis for several processes); default in memory. */
  quotaStore?: QuotaStore;
  /** The credential key; default from YM_CREDENTIALS_KEY. */
  key?: Buffer;
  /** `watch`: between passes; `serve`: between reconciling passes (0: none). */
  periodMs: number;
  leaseMs?: number;
  /** How often the push queue is checked for the businesses held (default 1 s). */
  pollMs?: number;
  /** Passes running at once on this worker (default 8). */
  maxParallel?: number;
  retryMs?: number;
  settleMs?: number;
  /** Extra client settings (timeouts, fetch). */
  client?: Partial<ClientOptions>;
  workerId?: string;
  onEvent?: (event: WorkerEvent) => void;
  /** Told of every business's passes and failures while this worker runs it (the metrics). */
  observer?: RunnerObserver;
  /**
   * Called once when the key turns out to open none of the registered credentials while running: the
   * worker has stopped taking businesses and its owner should stop it and exit (a live worker that can
   * sync nothing would still count toward everyone's fair share).
   */
  onFatal?: (error: WrongKeyError) => void;
}

export class SecondWorkerError extends Error {
  override name = 'SecondWorkerError';
}

/** The worker's key opens none of the registered credentials. */
export class WrongKeyError extends Error {
  override name = 'WrongKeyError';
  constructor(registered: 'at start' | 'while running') {
    super(
      `${KEY_VARIABLE} opens none of the registered credentials (checked ${registered}): it is not the key ` +
        `they were registered with. Start every worker with the same ${KEY_VARIABLE} as \`ym-chats business add\` used.`,
    );
  }
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

export class Worker {
  readonly id: string;
  readonly registry: BusinessRegistry;
  private readonly leases: LeaseBook;
  private readonly runners = new Map<bigint, BusinessRunner>();
  /** Businesses being stopped (their lease is still renewed until they have). */
  private readonly retiring = new Set<bigint>();
  private readonly stopping = new Set<Promise<void>>();
  private readonly gate: Gate;
  private readonly startedAt = Date.now();
  private timer: NodeJS.Timeout | undefined;
  private poller: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | undefined;
  private stopped = false;
  private fatal: WrongKeyError | undefined;
  /** Businesses whose credential does not open with a key that opens others: left alone until the time. */
  private readonly unopenable = new Map<bigint, number>();
  private readonly key: Buffer;

  private constructor(private readonly options: WorkerOptions) {
    this.id = options.workerId ?? `w-${randomBytes(6).toString('hex')}`;
    this.key = options.key ?? credentialKey();
    this.registry = new BusinessRegistry(options.store.database(), this.key);
    this.leases = new LeaseBook(options.store.database(), this.id, options.leaseMs ?? DEFAULT_LEASE_MS);
    this.gate = new Gate(options.maxParallel ?? 8);
  }

  /** Migrates the worker tables, joins the others and starts taking its share. */
  static async start(options: WorkerOptions): Promise<Worker> {
    const worker = new Worker(options);
    await migrateWorkers(options.store.database());
    if (options.store.dialect === 'sqlite') {
      const other = await worker.leases.otherLiveProcess();
      if (other !== undefined) {
        throw new SecondWorkerError(
          `another worker (pid ${other.pid} on ${other.host}) is running over this SQLite store: SQLite takes ` +
            'one worker process. Stop it, or use a PostgreSQL store (--store postgres://…) for several workers.',
        );
      }
    }
    // A worker whose key opens nothing would heartbeat, lower everyone's fair share and sync nothing.
    if ((await worker.registry.keyCheck()) === 'opens-none') throw new WrongKeyError('at start');
    await worker.leases.beat(await worker.leases.now(), worker.startedAt);
    // Workers started together see each other's heartbeat before the first claim, so the first one up
    // does not take every business only to hand most of them back a tick later.
    worker.schedule(Math.min(2000, worker.leases.leaseMs / 3));
    worker.poll();
    return worker;
  }

  /** The businesses this worker runs now. */
  held(): bigint[] {
    return [...this.runners.keys()];
  }

  /** The push endpoint's handler: accepts every registered business, wakes the one held here. */
  pushHandler(extra: { name?: string; version?: string } = {}): NotificationHandler {
    return new NotificationHandler({
      store: this.options.store,
      accepts: (b) => this.registry.has(b),
      onQueued: (b) => this.runners.get(b)?.wake(),
      ...extra,
    });
  }

  private emit(event: WorkerEvent): void {
    this.options.onEvent?.(event);
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.ticking = this.tick()
        .catch((error: unknown) =>
          this.emit({ event: 'error', businessId: null, where: 'lease', message: message(error) }),
        )
        .finally(() => {
          this.ticking = undefined;
          this.schedule(this.leases.leaseMs / 3);
        });
    }, delayMs);
  }

  private poll(): void {
    if (this.stopped) return;
    this.poller = setTimeout(async () => {
      try {
        if (this.runners.size > 0) {
          for (const b of await businessesWithPending(this.options.store.database()))
            this.runners.get(b)?.wake();
        }
      } catch (error) {
        this.emit({ event: 'error', businessId: null, where: 'queue', message: message(error) });
      }
      this.poll();
    }, this.options.pollMs ?? 1000);
  }

  /** One round of lease keeping; never waits for a business to stop, so heartbeats keep their pace. */
  async tick(): Promise<void> {
    if (this.stopped || this.fatal !== undefined) return;
    const now = await this.leases.now();
    await this.leases.beat(now, this.startedAt);
    const held = await this.leases.renew(now);
    for (const b of [...this.runners.keys()]) {
      if (!held.has(b)) {
        // Expired while this worker could not renew, and taken by another: stop without touching its row.
        this.retire(b, false);
        this.emit({ event: 'lost', businessId: b });
      }
    }
    for (const b of held) if (!this.runners.has(b) && !this.retiring.has(b)) await this.startRunner(b, now);
    if (this.fatal !== undefined) return;
    const mine = held.size - [...held].filter((b) => this.retiring.has(b)).length;
    const share = Math.ceil((await this.leases.businessCount()) / (await this.leases.liveWorkers(now)));
    if (mine < share) {
      for (const [b, until] of this.unopenable) if (until <= now) this.unopenable.delete(b);
      const claimable = (await this.leases.claimable(now)).filter((b) => !this.unopenable.has(b));
      const free = shuffle(claimable).slice(0, share - mine);
      for (const b of await this.leases.claim(now, free)) {
        if (this.stopped || this.fatal !== undefined) break;
        if (await this.startRunner(b, now)) this.emit({ event: 'acquired', businessId: b });
      }
    } else if (mine > share) {
      const idleFirst = [...this.runners.entries()].sort(
        (x, y) => Number(x[1].passing) - Number(y[1].passing),
      );
      for (const [b] of idleFirst.slice(0, mine - share)) this.retire(b, true);
    }
  }

  /**
   * Stops a business in the background; with `release`, gives its lease back once it has stopped (the
   * lease is renewed meanwhile, so no other worker starts it while this one still runs it).
   */
  private retire(businessId: bigint, release: boolean): void {
    const runner = this.runners.get(businessId);
    if (runner === undefined) return;
    this.runners.delete(businessId);
    this.retiring.add(businessId);
    const done = runner
      .stop()
      .then(async () => {
        if (release && !this.stopped) {
          await this.leases.release(businessId);
          this.emit({ event: 'released', businessId });
        }
      })
      .catch((error: unknown) =>
        this.emit({ event: 'error', businessId, where: 'release', message: message(error) }),
      )
      .finally(() => {
        this.retiring.delete(businessId);
        this.stopping.delete(done);
      });
    this.stopping.add(done);
  }

  /** Starts running a business whose lease is held; false (lease given back) when it cannot. */
  private async startRunner(businessId: bigint, now: number): Promise<boolean> {
    let credential: Awaited<ReturnType<BusinessRegistry['credential']>>;
    try {
      credential = await this.registry.credential(businessId);
    } catch (error) {
      await this.leases.release(businessId);
      if (error instanceof CredentialKeyError) await this.credentialFailed(businessId, error, now);
      // Otherwise (the database): the lease is given back and claimed again on a later tick.
      else this.emit({ event: 'error', businessId, where: 'credential', message: message(error) });
      return false;
    }
    if (credential === undefined) {
      await this.leases.release(businessId); // removed meanwhile
      return false;
    }
    const api = new ChatsApi({
      ...this.options.client,
      ...(credential.kind === 'api-key' ? { apiKey: credential.secret } : { accessToken: credential.secret }),
      baseUrl: this.options.baseUrl,
      pathPrefix: this.options.pathPrefix ?? '/v2',
      rateLimit: { ...(this.options.quotaStore === undefined ? {} : { store: this.options.quotaStore }) },
    });
    const runner = new BusinessRunner({
      businessId,
      api,
      store: this.options.store,
      policy: {
        trigger: this.options.mode === 'watch' ? 'watch' : 'reconcile',
        periodMs: this.options.periodMs,
        // A business that fails is tried again soon (quota aside: that waits for its window's end).
        retryMs: this.options.retryMs ?? 2000,
        pushRetryMs: this.options.retryMs ?? 2000,
        onFailure: 'retry',
      },
      gate: this.gate,
      // A key without the order scope is asked once per key, not once per lease.
      orders: { keyFingerprint: keyFingerprint(credential.secret) },
      ...(this.options.observer === undefined ? {} : { observer: this.options.observer }),
      ...(this.options.settleMs === undefined ? {} : { settleMs: this.options.settleMs }),
      onPass: (result) => this.emit({ event: 'pass', businessId, result }),
      onError: (error, where) => this.emit({ event: 'error', businessId, where, message: message(error) }),
    });
    this.runners.set(businessId, runner);
    // Its passes end only when it is stopped (failures are retried), so nothing awaits them here.
    void runner.start();
    return true;
  }

  /**
   * A credential that does not open: if the key opens none of them the worker is of no use (fatal);
   * otherwise this one row is bad — skip the business for a lease period (said once) for a worker that can.
   */
  private async credentialFailed(businessId: bigint, error: CredentialKeyError, now: number): Promise<void> {
    if ((await this.registry.keyCheck()) === 'opens-none') {
      if (this.fatal !== undefined) return;
      this.fatal = new WrongKeyError('while running');
      this.emit({ event: 'error', businessId: null, where: 'credential', message: this.fatal.message });
      this.options.onFatal?.(this.fatal);
      return;
    }
    this.unopenable.set(businessId, now + this.leases.leaseMs);
    this.emit({ event: 'error', businessId, where: 'credential', message: error.message });
  }

  /** Stops every business and gives the leases back, so the other workers take over at once. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.poller) clearTimeout(this.poller);
    await this.ticking;
    for (const b of [...this.runners.keys()]) this.retire(b, false);
    await Promise.all([...this.stopping]);
    await this.leases.leave().catch(() => undefined);
  }
}

function shuffle<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}
