/**
 * The quota-store contract as tests: every `QuotaStore` (the SDK's memory store, @ym-chats/redis) runs
 * this suite. `open(n)` gives n handles onto one fresh, empty store — the same object for memory,
 * separate connections for Redis — so "another process" is another handle.
 *
 * Windows run on a made-up platform clock passed as `now`; leases on the store's real clock. A window no
 * answer has placed is a probe (one request at a time), so tests that need several grants at once give
 * the window an answer first (`place`).
 */
import type { AcquireRequest, AcquireResult, OperationId, QuotaState, QuotaStore } from '@ym-chats/sdk';
import { describe, expect, it } from 'vitest';

export interface QuotaStoreHarness {
  open(count: number): Promise<{ stores: QuotaStore[]; close(): Promise<void> }>;
}

const HOUR = 3_600_000;
/** A platform hour boundary, far from today so no real clock is involved. */
const H = Date.UTC(2031, 0, 1, 12);

type Grant = { business: string; operation: OperationId; lease: string };

function request(business: string, now: number, extra: Partial<AcquireRequest> = {}): AcquireRequest {
  return {
    business,
    operation: 'getChat',
    now,
    limit: 10,
    maxConcurrent: 4,
    leaseMs: 30_000,
    ...extra,
  };
}

async function take(store: QuotaStore, req: AcquireRequest): Promise<AcquireResult> {
  return store.acquire(req);
}

async function grant(store: QuotaStore, req: AcquireRequest): Promise<Grant> {
  const result = await store.acquire(req);
  if (!result.ok) throw new Error(`expected a grant, got ${JSON.stringify(result)}`);
  return { business: req.business, operation: req.operation, lease: result.lease };
}

/** Ends a grant; `answered` false when no response came (a timeout, a dropped connection, nothing sent). */
async function release(
  store: QuotaStore,
  g: Grant,
  now: number,
  reported?: QuotaState,
  answered = true,
): Promise<void> {
  await store.release({ ...g, now, maxConcurrent: 4, leaseMs: 30_000, reported, answered });
}

/**
 * Ends the probe of a window the store does not know yet with one answered request (spending one unit):
 * with the platform's figures when given, else an answer without rate-limit headers.
 */
async function place(store: QuotaStore, req: AcquireRequest, reported?: QuotaState): Promise<void> {
  await release(store, await grant(store, req), req.now, reported);
}

/**
 * A platform with fixed hourly windows per business × operation that counts what arrives. `served`
 * over the limit would have been a 420.
 */
class Platform {
  private readonly used = new Map<number, number>();
  over = 0;
  constructor(private readonly limit: number) {}
  arrive(now: number): QuotaState {
    const start = now - (now % HOUR);
    const used = (this.used.get(start) ?? 0) + 1;
    this.used.set(start, used);
    if (used > this.limit) this.over += 1;
    return { limit: this.limit, remaining: Math.max(0, this.limit - used), resetAt: start + HOUR };
  }
}

/** A small deterministic generator, so a failing interleaving can be replayed. */
function prng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

export function describeQuotaStoreContract(name: string, harness: QuotaStoreHarness): void {
  describe(`QuotaStore contract: ${name}`, () => {
    const withStores = async (count: number, body: (stores: QuotaStore[]) => Promise<void>) => {
      const { stores, close } = await harness.open(count);
      try {
        await body(stores);
      } finally {
        await close();
      }
    };

    it('an acquire spends one unit of the window and leases one slot', async () => {
      await withStores(1, async ([store]) => {
        const s = store!;
        const g = await grant(s, request('1', H - 60_000));
        expect(await s.get('1', 'getChat', H - 60_000)).toMatchObject({ limit: 10, remaining: 9 });
        await release(s, g, H - 59_000);
        expect(await s.get('1', 'getChat', H - 59_000)).toMatchObject({ remaining: 9 });
        // Releasing twice, or a lease nobody knows, changes nothing.
        await release(s, g, H - 59_000);
        await release(s, { ...g, lease: 'no-such-lease' }, H - 59_000);
        expect(await s.get('1', 'getChat', H - 59_000)).toMatchObject({ remaining: 9 });
      });
    });

    it('the 4 slots of a business are shared by every handle (not 4 per client)', async () => {
      await withStores(2, async ([a, b]) => {
        const now = H - 60_000;
        await place(a!, request('7', now));
        const held = [await grant(a!, request('7', now)), await grant(a!, request('7', now))];
        held.push(
          await grant(b!, request('7', now)),
          await grant(b!, request('7', now, { operation: 'getChats' })),
        );
        for (const s of [a!, b!]) {
          const refused = await take(s, request('7', now));
          expect(refused).toMatchObject({ ok: false, wait: 'slot' });
          expect(refused.ok === false && refused.wait === 'slot' && refused.retryInMs > 0).toBe(true);
        }
        // Another business has its own four.
        await grant(b!, request('8', now));
        await release(a!, held[0]!, now);
        await grant(b!, request('7', now));
        expect(await take(a!, request('7', now))).toMatchObject({ ok: false, wait: 'slot' });
      });
    });

    it('a lease nobody releases (a killed process) frees its slot when it expires', async () => {
      await withStores(2, async ([a, b]) => {
        const now = H - 60_000;
        await place(a!, request('9', now));
        for (let i = 0; i < 4; i++) await grant(a!, request('9', now, { leaseMs: 300 }));
        expect(await take(b!, request('9', now, { leaseMs: 300 }))).toMatchObject({
          ok: false,
          wait: 'slot',
        });
        await new Promise((resolve) => setTimeout(resolve, 450));
        expect(await take(b!, request('9', now, { leaseMs: 300 }))).toMatchObject({ ok: true });
      });
    });

    it('refuses once the window is used up, naming its reset time; nothing is leased', async () => {
      await withStores(1, async ([s]) => {
        const now = H - 60_000;
        const first = await grant(s!, request('2', now, { limit: 3 }));
        await release(s!, first, now, { limit: 3, remaining: 2, resetAt: H });
        await grant(s!, request('2', now, { limit: 3 }));
        await grant(s!, request('2', now, { limit: 3 }));
        const refused = await take(s!, request('2', now, { limit: 3 }));
        expect(refused).toEqual({ ok: false, wait: 'quota', state: { limit: 3, remaining: 0, resetAt: H } });
        // A refused acquire holds no slot: two more requests (probes of two operations) fit beside the two leases.
        await grant(s!, request('2', now, { operation: 'getChats' }));
        await grant(s!, request('2', now, { operation: 'getChatHistory' }));
      });
    });

    it('a report counts the units in flight in every process (15 of 10 with a slow client)', async () => {
      await withStores(2, async ([slow, fast]) => {
        const platform = new Platform(10);
        const now = H - 600_000;
        const cap = { maxConcurrent: 100 };
        await place(fast!, request('3', now, cap), platform.arrive(now));
        // The slow client's three requests are on their way and not yet counted by the platform.
        const pending = [];
        for (let i = 0; i < 3; i++) pending.push(await grant(slow!, request('3', now, cap)));
        for (;;) {
          const r = await take(fast!, request('3', now, cap));
          if (!r.ok) break;
          const reported = platform.arrive(now);
          await release(fast!, { business: '3', operation: 'getChat', lease: r.lease }, now, reported);
        }
        for (const g of pending) await release(slow!, g, now, platform.arrive(now));
        expect(platform.over).toBe(0);
        expect(await s0(fast!)).toBe(0);
      });
      async function s0(s: QuotaStore) {
        return (await s.get('3', 'getChat', H - 600_000))?.remaining;
      }
    });

    it('a report can lower the window but never raise it', async () => {
      await withStores(1, async ([s]) => {
        const now = H - 60_000;
        const g = await grant(s!, request('4', now));
        await release(s!, g, now, { limit: 10, remaining: 5, resetAt: H });
        const g2 = await grant(s!, request('4', now));
        await release(s!, g2, now, { limit: 10, remaining: 8, resetAt: H });
        expect(await s!.get('4', 'getChat', now)).toEqual({ limit: 10, remaining: 4, resetAt: H });
        const g3 = await grant(s!, request('4', now));
        await release(s!, g3, now, { limit: 10, remaining: 1, resetAt: H });
        expect(await s!.get('4', 'getChat', now)).toEqual({ limit: 10, remaining: 1, resetAt: H });
      });
    });

    it('a late answer from the old window never overwrites the new one (the hour boundary)', async () => {
      await withStores(2, async ([a, b]) => {
        const before = H - 1_000;
        const after = H + 1_000;
        const g = await grant(a!, request('5', before, { limit: 5 }));
        await release(a!, g, before, { limit: 5, remaining: 1, resetAt: H });
        // Sent before the boundary, still in flight after it: the platform may count it in either hour.
        const straddling = await grant(a!, request('5', before, { limit: 5 }));
        // The new hour: the store opens the next window itself, minus the unit still in flight.
        const fresh = await grant(b!, request('5', after, { limit: 5 }));
        expect(await b!.get('5', 'getChat', after)).toEqual({ limit: 5, remaining: 3, resetAt: H + HOUR });
        // The straddling request's answer comes from the old window: ignored.
        await release(a!, straddling, after, { limit: 5, remaining: 0, resetAt: H });
        expect(await a!.get('5', 'getChat', after)).toEqual({ limit: 5, remaining: 3, resetAt: H + HOUR });
        // An answer from the new window is taken (and only lowers).
        await release(b!, fresh, after, { limit: 5, remaining: 4, resetAt: H + HOUR });
        expect(await a!.get('5', 'getChat', after)).toEqual({ limit: 5, remaining: 3, resetAt: H + HOUR });
      });
    });

    it('a report about an earlier hour never moves a newer window back, even from a lagging clock', async () => {
      await withStores(2, async ([a, b]) => {
        const g = await grant(a!, request('16', H - 60_000));
        await release(a!, g, H - 60_000, { limit: 10, remaining: 6, resetAt: H });
        const late = await grant(a!, request('16', H - 5));
        // Another process is already past the boundary: the next window follows the confirmed one.
        await grant(b!, request('16', H + 10));
        expect(await b!.get('16', 'getChat', H + 10)).toEqual({ limit: 10, remaining: 8, resetAt: H + HOUR });
        // The old window's answer, released with a clock reading from just before the boundary.
        await release(a!, late, H - 1, { limit: 10, remaining: 5, resetAt: H });
        expect(await b!.get('16', 'getChat', H + 10)).toEqual({ limit: 10, remaining: 8, resetAt: H + HOUR });
      });
      await withStores(1, async ([s]) => {
        // Nothing known: a window guessed after the boundary is not pulled back by an older report.
        const g = await grant(s!, request('17', H + 10));
        await release(s!, g, H - 1, { limit: 10, remaining: 5, resetAt: H });
        expect(await s!.get('17', 'getChat', H + 10)).toEqual({
          limit: 10,
          remaining: 9,
          resetAt: H + 10 + HOUR,
        });
      });
    });

    it('a report from a newer window than the stored one replaces it', async () => {
      await withStores(1, async ([s]) => {
        const now = H - 60_000;
        const g = await grant(s!, request('6', now));
        await release(s!, g, now, { limit: 10, remaining: 2, resetAt: H });
        // This client's clock lags the platform's: the platform is already in the next hour.
        const g2 = await grant(s!, request('6', now));
        await release(s!, g2, now, { limit: 10, remaining: 9, resetAt: H + HOUR });
        expect(await s!.get('6', 'getChat', now)).toEqual({ limit: 10, remaining: 9, resetAt: H + HOUR });
      });
    });

    it('a window the store guessed takes the reset time the platform names', async () => {
      await withStores(1, async ([s]) => {
        const now = H - 600_000;
        const g = await grant(s!, request('10', now));
        expect((await s!.get('10', 'getChat', now))?.resetAt).toBe(now + HOUR);
        await release(s!, g, now, { limit: 10, remaining: 9, resetAt: H });
        expect(await s!.get('10', 'getChat', now)).toEqual({ limit: 10, remaining: 9, resetAt: H });
      });
    });

    it("a guessed window takes the platform's limit, keeping count of what it gave out", async () => {
      await withStores(1, async ([s]) => {
        const now = H - 600_000;
        // Configured 10, and a first answer without figures. Then the platform says 1000 (and has counted
        // 3: this client's first two and another's).
        await place(s!, request('18', now));
        const g = await grant(s!, request('18', now));
        await grant(s!, request('18', now));
        await release(s!, g, now, { limit: 1000, remaining: 997, resetAt: H });
        // 1000 − 3 given out = 997, but the platform's 997 minus the 1 still in flight is lower.
        expect(await s!.get('18', 'getChat', now)).toEqual({ limit: 1000, remaining: 996, resetAt: H });
        // The next hour follows with the platform's limit, not the configured one.
        await grant(s!, request('18', H + 1));
        expect(await s!.get('18', 'getChat', H + 1)).toEqual({
          limit: 1000,
          remaining: 998,
          resetAt: H + HOUR,
        });
      });
    });

    it('grants are atomic: parallel acquires from several handles never exceed the cap or the quota', async () => {
      await withStores(3, async (stores) => {
        const now = H - 60_000;
        const all = (req: AcquireRequest) =>
          Promise.all(Array.from({ length: 30 }, (_, i) => take(stores[i % stores.length]!, req)));
        await place(stores[0]!, request('11', now, { limit: 100 }));
        const slots = await all(request('11', now, { limit: 100 }));
        expect(slots.filter((r) => r.ok)).toHaveLength(4);
        await place(stores[0]!, request('12', now, { limit: 6, maxConcurrent: 1000 }));
        const quota = await all(request('12', now, { limit: 6, maxConcurrent: 1000 }));
        expect(quota.filter((r) => r.ok)).toHaveLength(5);
        // A probe: however many ask at once, one goes.
        const probes = await all(request('19', now, { limit: 100 }));
        expect(probes.filter((r) => r.ok)).toHaveLength(1);
      });
    });

    it('random interleavings across an hour boundary never overrun the platform', async () => {
      await withStores(3, async (stores) => {
        const random = prng(13);
        const platform = new Platform(8);
        // Events on the platform clock: acquire attempts, arrivals at the platform, answers.
        type Flight = {
          store: QuotaStore;
          g: Grant;
          arriveAt: number;
          answerAt: number;
          report?: QuotaState;
        };
        const flights: Flight[] = [];
        let now = H - 20_000;
        while (now < H + 20_000) {
          now += Math.floor(random() * 400);
          for (const f of flights.filter((x) => x.report === undefined && x.arriveAt <= now))
            f.report = platform.arrive(f.arriveAt);
          for (const f of flights.filter((x) => x.report !== undefined && x.answerAt <= now)) {
            await release(f.store, f.g, now, f.report);
            flights.splice(flights.indexOf(f), 1);
          }
          const store = stores[Math.floor(random() * stores.length)]!;
          const r = await take(store, request('14', now, { limit: 8, maxConcurrent: 1000 }));
          if (r.ok) {
            const arriveAt = now + Math.floor(random() * 3_000);
            flights.push({
              store,
              g: { business: '14', operation: 'getChat', lease: r.lease },
              arriveAt,
              answerAt: arriveAt + Math.floor(random() * 3_000),
            });
          }
        }
        expect(platform.over).toBe(0);
      });
    });

    it('a window no answer has placed is a probe: a second request waits until the first is answered', async () => {
      await withStores(2, async ([a, b]) => {
        const now = H - 60_000;
        const probe = await grant(a!, request('20', now));
        for (const s of [a!, b!]) {
          const refused = await take(s, request('20', now));
          expect(refused).toMatchObject({ ok: false, wait: 'slot' });
          expect(refused.ok === false && refused.wait === 'slot' && refused.retryInMs > 0).toBe(true);
        }
        // Only that key waits: other operations and businesses probe their own windows.
        await grant(b!, request('20', now, { operation: 'getChats' }));
        await grant(b!, request('21', now));
        // No answer (a timeout, a dropped connection): still a probe, one at a time.
        await release(a!, probe, now, undefined, false);
        const second = await grant(b!, request('20', now));
        expect(await take(a!, request('20', now))).toMatchObject({ ok: false, wait: 'slot' });
        await release(b!, second, now, { limit: 10, remaining: 8, resetAt: H });
        for (let i = 0; i < 3; i++) await grant(i % 2 ? a! : b!, request('20', now));
      });
    });

    it('a probe that got no answer stops probing at once but keeps its slot until released', async () => {
      await withStores(2, async ([a, b]) => {
        if (a!.hold === undefined) return;
        const now = H - 60_000;
        const probe = await grant(a!, request('26', now));
        // Timed out: the platform may still count it in flight, so its slot stays leased for a while.
        await a!.hold({ ...probe, now, maxConcurrent: 4, leaseMs: 30_000 });
        const next = await grant(b!, request('26', now));
        expect(await take(a!, request('26', now))).toMatchObject({ ok: false, wait: 'slot' });
        await grant(a!, request('26', now, { operation: 'getChats' }));
        await grant(a!, request('26', now, { operation: 'getChatHistory' }));
        // Four slots: the held one, the next probe and two other operations.
        expect(await take(b!, request('26', now, { operation: 'createChat' }))).toMatchObject({
          ok: false,
          wait: 'slot',
        });
        await release(a!, probe, now, undefined, false);
        await grant(b!, request('26', now, { operation: 'createChat' }));
        await release(b!, next, now, { limit: 10, remaining: 7, resetAt: H });
        expect(await a!.get('26', 'getChat', now)).toEqual({ limit: 10, remaining: 7, resetAt: H });
      });
    });

    it("the first answer's figures place the window, whatever the configured limit", async () => {
      await withStores(2, async ([a, b]) => {
        const now = H - 600_000;
        // The platform has counted 8 of 10 before this store knew anything (a restart, another prefix).
        await place(a!, request('22', now, { limit: 1000 }), { limit: 10, remaining: 2, resetAt: H });
        expect(await b!.get('22', 'getChat', now)).toEqual({ limit: 10, remaining: 2, resetAt: H });
        await grant(b!, request('22', now, { limit: 1000 }));
        await grant(a!, request('22', now, { limit: 1000 }));
        expect(await take(b!, request('22', now, { limit: 1000 }))).toEqual({
          ok: false,
          wait: 'quota',
          state: { limit: 10, remaining: 0, resetAt: H },
        });
      });
    });

    it('an answer without rate-limit figures opens the window at the configured limit', async () => {
      await withStores(2, async ([a, b]) => {
        const now = H - 600_000;
        await place(a!, request('23', now, { limit: 6 }));
        for (let i = 0; i < 4; i++) await grant(i % 2 ? a! : b!, request('23', now, { limit: 6 }));
        expect(await a!.get('23', 'getChat', now)).toEqual({ limit: 6, remaining: 1, resetAt: now + HOUR });
      });
    });

    it('a 420 to the probe closes the window until the time it names', async () => {
      await withStores(2, async ([a, b]) => {
        const now = H - 600_000;
        await place(a!, request('24', now), { limit: 10, remaining: 0, resetAt: H });
        const closed = { ok: false, wait: 'quota', state: { limit: 10, remaining: 0, resetAt: H } };
        expect(await take(a!, request('24', now))).toEqual(closed);
        expect(await take(b!, request('24', now))).toEqual(closed);
        // The next hour follows the placed window: no probe needed there.
        await grant(b!, request('24', H + 1));
        await grant(a!, request('24', H + 1));
      });
    });

    it('a window more than an hour past the last one known is a probe again', async () => {
      await withStores(1, async ([s]) => {
        await place(s!, request('25', H - 60_000), { limit: 10, remaining: 5, resetAt: H });
        const later = H + HOUR + 60_000;
        await grant(s!, request('25', later));
        expect(await take(s!, request('25', later))).toMatchObject({ ok: false, wait: 'slot' });
      });
    });

    it('slotFreed wakes a waiter when another handle releases', async () => {
      await withStores(2, async ([a, b]) => {
        if (b!.slotFreed === undefined) return;
        const now = H - 60_000;
        await place(a!, request('15', now));
        const held = [];
        for (let i = 0; i < 4; i++) held.push(await grant(a!, request('15', now)));
        expect(await take(b!, request('15', now))).toMatchObject({ ok: false, wait: 'slot' });
        const woke = b!.slotFreed('15', 20_000).then(() => 'woken');
        await release(a!, held[0]!, now);
        const outcome = await Promise.race([
          woke,
          new Promise((r) => setTimeout(() => r('still waiting'), 10_000)),
        ]);
        expect(outcome).toBe('woken');
        expect(await take(b!, request('15', now))).toMatchObject({ ok: true });
      });
    });
  });
}
