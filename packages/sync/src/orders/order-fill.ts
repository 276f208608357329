/**
 * The orders and returns behind the chats, read into the store by the sync engine after each pass's chat
 * work (chats first: nothing here runs before or between the chat calls).
 *
 * - What is read: the chats a pass (or a push) read are owed an order read (`order_wants`, kept until
 *   met, so a read deferred by the window, the quota or the key survives restarts); an engine's first
 *   fill also owes every ORDER/RETURN chat whose order or return the store lacks.
 * - How often: an order or return read less than `refreshMs` ago is not read again — its chat's want waits
 *   for the window to pass. So a pass costs at most one order read per changed order, and the orders are
 *   asked 50 to a getBusinessOrders call.
 * - Quota: every call has a short deadline, so a used-up order quota (the SDK's limiter refuses at once
 *   when the reset is later) ends the fill until the next pass; the chat methods' quota is not touched.
 * - A key without the order scope (403, `MissingScopeError`): recorded for the business with the scopes
 *   it needs and a fingerprint of the key; no order read is asked again for that business until the key
 *   changes (another fingerprint). Without a fingerprint, an engine asks once and then not again.
 * - Nothing here fails a pass: what went wrong is in the result, and the wants stay for the next one.
 */
import {
  type BusinessOrder,
  type ChatsApi,
  MissingScopeError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  type RequestOptions,
} from '@ym-chats/sdk';
import type { Sql } from '../db/sql.js';
import { isoNow } from '../time.js';
import {
  clearMissingScope,
  dropWants,
  missingScope,
  type OwedChat,
  owedChats,
  recordMissingScope,
  wantChats,
  wantMissing,
  writeOrders,
  writeReturn,
} from './order-writes.js';
import {
  DEFAULT_ORDER_REFRESH_MS,
  ORDER_CALL_DEADLINE_MS,
  ORDERS_PER_CALL,
  RETURN_READERS,
} from './policy.js';

export interface OrderFillOptions {
  /** An order or return is read again at most once in this window. Default 5 minutes. */
  refreshMs?: number;
  /**
   * A fingerprint of the business's key (`keyFingerprint(key)`): a 403 recorded under one key is not
   * retried until the key changes. Without it, an engine that met the 403 stops asking until it restarts.
   */
  keyFingerprint?: string;
}

/** What one fill did: its calls, the rows it wrote, what it left for later and why. */
export interface OrderFillResult {
  calls: { getBusinessOrders: number; getReturn: number };
  ordersRead: number;
  returnsRead: number;
  /** Chats still owed a read (the window, a stop below). */
  owed: number;
  /** Why the fill stopped early, if it did. */
  stopped?: 'missingScope' | 'quota' | 'error';
  error?: string;
}

/** Ends a fill until the next pass: the key lacks the scope, or the order quota is used up. */
class Stop extends Error {
  constructor(
    readonly why: 'missingScope' | 'quota',
    override readonly cause: unknown,
  ) {
    super(why);
  }
}

export class OrderFill {
  private readonly refreshMs: number;
  private readonly fingerprint: string | null;
  /** The catch-up of wantMissing has run (once per engine). */
  private caughtUp = false;
  /** This engine met the 403 itself (what stops it when the key has no fingerprint). */
  private denied = false;

  constructor(
    private readonly api: ChatsApi,
    private readonly sql: Sql,
    private readonly businessId: bigint,
    private readonly now: () => number,
    options: OrderFillOptions = {},
  ) {
    this.refreshMs = Math.max(0, options.refreshMs ?? DEFAULT_ORDER_REFRESH_MS);
    this.fingerprint = options.keyFingerprint ?? null;
  }

  /** These chats were read: they owe an order read if they are about an order. */
  want(chatIds: readonly bigint[]): Promise<void> {
    return wantChats(this.sql, this.businessId, chatIds);
  }

  /** Reads what is owed and due; never throws for the API's sake (see the file's comment). */
  async fill(signal?: AbortSignal): Promise<OrderFillResult> {
    const result: OrderFillResult = {
      calls: { getBusinessOrders: 0, getReturn: 0 },
      ordersRead: 0,
      returnsRead: 0,
      owed: 0,
    };
    if (!this.caughtUp) {
      await wantMissing(this.sql, this.businessId);
      this.caughtUp = true;
    }
    const owed = await owedChats(this.sql, this.businessId);
    result.owed = owed.length;
    if (owed.length === 0) return result;
    const denied = await missingScope(this.sql, this.businessId);
    if (denied !== undefined && denied.fingerprint === this.fingerprint) {
      // A known key: the same key is never asked again. An unknown one: asked once per engine.
      if (this.fingerprint !== null || this.denied) {
        result.stopped = 'missingScope';
        return result;
      }
    }
    const cutoff = isoNow(() => this.now() - this.refreshMs);
    const due = (readAt: string | null) => readAt === null || readAt <= cutoff;
    const orderDue = owed.filter((c) => due(c.orderReadAt));
    const returnDue = owed.filter((c) => c.returnId !== null && due(c.returnReadAt));
    const ordersDone = new Set<bigint>();
    const returnsMet = new Set<bigint>();
    const write = { cleared: false };
    try {
      await this.readOrders(orderDue, result, ordersDone, write, signal);
      await this.readReturns(returnDue, result, returnsMet, write, signal);
    } catch (error) {
      if (signal?.aborted) throw error;
      const cause = error instanceof Stop ? error.cause : error;
      result.stopped = error instanceof Stop ? error.why : 'error';
      result.error = cause instanceof Error ? cause.message : String(cause);
      if (cause instanceof MissingScopeError) {
        this.denied = true;
        await recordMissingScope(this.sql, this.businessId, this.fingerprint, cause.scopes, isoNow(this.now));
      }
    }
    // A want is met once its order was read now and its return (if any) too. A chat whose order was read
    // within the window keeps its want: its change came after that read, so it is read once the window ends.
    const met = owed.filter(
      (c) => ordersDone.has(c.orderId) && (c.returnId === null || returnsMet.has(c.chatId)),
    );
    await dropWants(
      this.sql,
      this.businessId,
      met.map((c) => c.chatId),
    );
    result.owed = owed.length - met.length;
    return result;
  }

  private options(signal: AbortSignal | undefined): RequestOptions {
    return signal ? { deadlineMs: ORDER_CALL_DEADLINE_MS, signal } : { deadlineMs: ORDER_CALL_DEADLINE_MS };
  }

  /** An order read went through: a 403 recorded before no longer holds (cleared once per fill). */
  private async allowed(write: { cleared: boolean }): Promise<void> {
    if (write.cleared) return;
    write.cleared = true;
    this.denied = false;
    await clearMissingScope(this.sql, this.businessId);
  }

  private async readOrders(
    owed: OwedChat[],
    result: OrderFillResult,
    done: Set<bigint>,
    write: { cleared: boolean },
    signal?: AbortSignal,
  ): Promise<void> {
    const ids = [...new Set(owed.map((c) => c.orderId))];
    for (let at = 0; at < ids.length; at += ORDERS_PER_CALL) {
      const part = ids.slice(at, at + ORDERS_PER_CALL);
      result.calls.getBusinessOrders += 1;
      let orders: BusinessOrder[];
      try {
        const answer = await this.api.getBusinessOrders(
          this.businessId,
          { orderIds: part },
          undefined,
          ORDERS_PER_CALL,
          this.options(signal),
        );
        orders = answer.orders;
      } catch (error) {
        throw stopFor(error);
      }
      await this.allowed(write);
      const unique = [...new Map(orders.map((o) => [String(o.orderId), o])).values()];
      await writeOrders(this.sql, this.businessId, unique, isoNow(this.now));
      result.ordersRead += unique.length;
      // An id the answer lacks is unknown to the platform: asked again only when its chat changes.
      for (const id of part) done.add(id);
    }
  }

  private async readReturns(
    owed: OwedChat[],
    result: OrderFillResult,
    met: Set<bigint>,
    write: { cleared: boolean },
    signal?: AbortSignal,
  ): Promise<void> {
    let next = 0;
    let failure: unknown;
    const reader = async () => {
      while (next < owed.length && failure === undefined) {
        const chat = owed[next++]!;
        const { returnId, orderId } = chat;
        const campaignId = chat.campaignId ?? (await this.campaignOf(orderId));
        if (returnId === null || campaignId === null) {
          met.add(chat.chatId); // nothing the API can be asked with
          continue;
        }
        result.calls.getReturn += 1;
        try {
          const { result: ret } = await this.api.getReturn(
            campaignId,
            orderId,
            returnId,
            this.options(signal),
          );
          await this.allowed(write);
          await writeReturn(this.sql, this.businessId, campaignId, ret, isoNow(this.now));
          result.returnsRead += 1;
          met.add(chat.chatId);
        } catch (error) {
          // Gone, or of a campaign this key cannot see: asked again only when the chat changes.
          if (error instanceof NotFoundError) met.add(chat.chatId);
          else if (error instanceof PermissionDeniedError && !(error instanceof MissingScopeError))
            met.add(chat.chatId);
          else failure ??= stopFor(error);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(RETURN_READERS, owed.length) }, reader));
    if (failure !== undefined) throw failure;
  }

  /** A return chat without a campaign in its context: the order's, once read. */
  private async campaignOf(orderId: bigint): Promise<bigint | null> {
    const [row] = await this.sql.all(
      'SELECT campaign_id FROM orders WHERE business_id = ? AND order_id = ?',
      [this.businessId, orderId],
    );
    return row ? BigInt(row.campaign_id!) : null;
  }
}

function stopFor(error: unknown): unknown {
  if (error instanceof MissingScopeError) return new Stop('missingScope', error);
  if (error instanceof RateLimitError) return new Stop('quota', error);
  return error;
}
