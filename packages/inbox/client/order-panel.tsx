/**
 * The order and return behind the open chat, beside the conversation: a right-hand panel on a desktop
 * (≥ 1024 px), a section that opens under the header on a narrower screen. Everything comes from the sync
 * store (the route `…/context`): what sync has not read yet says so, and a key without the scope to read
 * orders is named with the scopes it needs — the chat itself keeps working.
 */
import type { Ref } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import {
  type ChatContextAnswer,
  type ChatView,
  chatContext,
  type OrderSummary,
  type ReturnSummary,
} from './api.js';
import type { T } from './i18n.js';
import { deliveryDate, formatDay, formatDays, formatMoney, orderStatus } from './order-format.js';
import { type OT, orderWords, phrase } from './order-i18n.js';
import { dateTime } from './times.js';

type ChatKey = { businessId: number; chatId: number };

/** The chat's context, read again whenever `version` moves (live events, the page's refresh timer). */
export function useChatContext(
  chat: ChatKey,
  version: number,
): { context: ChatContextAnswer | null; error: string | null } {
  const [context, setContext] = useState<ChatContextAnswer | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let current = true;
    chatContext(chat)
      .then((got) => {
        if (!current) return;
        setContext(got);
        setError(null);
      })
      .catch((e: unknown) => {
        if (current) setError(e instanceof Error ? e.message : String(e));
      });
    return () => {
      current = false;
    };
  }, [chat.businessId, chat.chatId, version]);
  useEffect(() => setContext(null), [chat.businessId, chat.chatId]);
  return { context, error };
}

/** Whether a chat has an order or a return to show (a DIRECT chat has neither). */
export function hasOrderSide(chat: ChatView): boolean {
  return chat.context.type === 'ORDER' || chat.context.type === 'RETURN';
}

/** `{orderStatus}` and `{deliveryDate}` for the reply's templates, once the order is known. */
export function orderValues(
  t: T,
  context: ChatContextAnswer | null,
): { orderStatus?: string; deliveryDate?: string } {
  const order = context?.order;
  if (!order) return {};
  const date = deliveryDate(t, order);
  return { orderStatus: orderStatus(t, order), ...(date ? { deliveryDate: date } : {}) };
}

export const PANEL_ID = 'order-panel';

interface Props {
  t: T;
  chat: ChatView;
  context: ChatContextAnswer | null;
  error: string | null;
  /** Open on a narrow screen (a desktop always shows it). */
  open: boolean;
  onToggle: () => void;
  /** The panel's heading, which the header's order button focuses. */
  headingRef: Ref<HTMLHeadingElement>;
}

export function OrderPanel({ t, chat, context, error, open, onToggle, headingRef }: Props) {
  const w = orderWords(t);
  const c = chat.context;
  const orderId = context?.order?.orderId ?? c.orderId;
  const returnId = context?.return?.returnId ?? c.returnId;
  const title =
    c.type === 'RETURN' && returnId !== undefined
      ? w(context?.return?.returnType === 'UNREDEEMED' ? 'unredeemedOf' : 'returnOf', { id: returnId })
      : orderId !== undefined
        ? w('orderOf', { id: orderId })
        : w('panel');
  // The narrow screen's one line: what the agent most often needs without opening it.
  const state = context?.return
    ? context.return.refundStatus && phrase(t, 'refund', context.return.refundStatus)
    : context?.order && orderStatus(t, context.order);
  return (
    <aside class={`order-panel${open ? ' open' : ''}`} id={PANEL_ID} aria-labelledby="order-panel-title">
      <button
        type="button"
        class="order-toggle"
        aria-expanded={open}
        aria-controls="order-panel-body"
        onClick={onToggle}
      >
        <span class="order-toggle-text">
          {title}
          {state ? ` · ${state}` : ''}
        </span>
        <span class="order-toggle-mark" aria-hidden="true">
          {open ? '▴' : '▾'}
        </span>
      </button>
      <section
        class="order-panel-body"
        id="order-panel-body"
        aria-labelledby="order-panel-title"
        // biome-ignore lint/a11y/noNoninteractiveTabindex: it scrolls when the order is long, and a keyboard must reach it to scroll it
        tabIndex={0}
      >
        <h3 id="order-panel-title" class="order-panel-title" tabIndex={-1} ref={headingRef}>
          {title}
        </h3>
        {error ? (
          <p class="order-problem" role="alert">
            {w('loadFailed', { m: error })}
          </p>
        ) : null}
        {context?.missingScope ? (
          <p class="order-scope" role="note">
            {scopeLine(w, context.missingScope.scopes)}
          </p>
        ) : null}
        {context ? <Contents t={t} w={w} chat={chat} context={context} /> : null}
      </section>
    </aside>
  );
}

function scopeLine(w: OT, scopes: string[]) {
  const [before, after] = w('missingScope').split('{scopes}');
  return (
    <>
      {before}
      {scopes.map((s, i) => (
        <span key={s}>
          {i > 0 ? w('or') : ''}
          <code>{s}</code>
        </span>
      ))}
      {after}
    </>
  );
}

function Contents({ t, w, chat, context }: { t: T; w: OT; chat: ChatView; context: ChatContextAnswer }) {
  const c = chat.context;
  // Nothing read yet and nothing to wait for: the key cannot read orders (the line above says so).
  const pending = context.missingScope === null;
  const ret =
    c.type === 'RETURN' ? (
      context.return ? (
        <ReturnPart t={t} w={w} ret={context.return} order={context.order} />
      ) : pending ? (
        <p class="order-pending">{w('notLoaded')}</p>
      ) : null
    ) : null;
  const order = context.order ? (
    <OrderPart t={t} w={w} order={context.order} titled={c.type === 'RETURN'} />
  ) : pending &&
    (c.type === 'ORDER' || c.orderId !== undefined) &&
    (c.type !== 'RETURN' || context.return) ? (
    <p class="order-pending">{w('notLoaded')}</p>
  ) : null;
  return (
    <>
      {ret}
      {order}
    </>
  );
}

function OrderPart({ t, w, order, titled }: { t: T; w: OT; order: OrderSummary; titled: boolean }) {
  const d = order.delivery;
  const sub = order.substatus && order.substatus !== 'UNKNOWN' ? phrase(t, 'substatus', order.substatus) : '';
  const promised = formatDays(t, d.from, d.to);
  return (
    <section class="order-part" aria-label={w('orderOf', { id: order.orderId })}>
      {titled ? <h4>{w('orderOf', { id: order.orderId })}</h4> : null}
      <dl class="order-facts">
        <dt>{w('status')}</dt>
        <dd>
          <strong class="order-status" data-status={order.status}>
            {orderStatus(t, order)}
          </strong>
          {sub ? (
            <span class="order-substatus" data-substatus={order.substatus}>
              {sub}
            </span>
          ) : null}
        </dd>
        <dt>{w('created')}</dt>
        <dd>{dateTime(t, order.createdAt)}</dd>
        <dt>{w('delivery')}</dt>
        <dd>
          {phrase(t, 'delivery', d.type)}
          {d.serviceName ? (
            <>
              {' · '}
              <bdi>{d.serviceName}</bdi>
            </>
          ) : null}
        </dd>
        {d.deliveredAt ? (
          <>
            <dt>{w('delivered')}</dt>
            <dd class="order-date">{formatDay(t, d.deliveredAt)}</dd>
          </>
        ) : promised ? (
          <>
            <dt>{w('deliveryDate')}</dt>
            <dd class="order-date">{promised}</dd>
          </>
        ) : null}
      </dl>
      <h4 class="order-items-title">{w('items')}</h4>
      <ul class="order-items">
        {order.items.map((item, i) => (
          <li key={`${item.offerId}-${i}`}>
            <bdi class="order-item-name">{item.name}</bdi>
            <span class="order-item-count">{w('count', { n: item.count })}</span>
            {item.price ? <span class="order-item-price">{formatMoney(t, item.price)}</span> : null}
          </li>
        ))}
      </ul>
      {order.total ? (
        <p class="order-total">
          {w('total')} <strong>{formatMoney(t, order.total)}</strong>
        </p>
      ) : null}
      <p class="order-fetched">{w('readAt', { at: dateTime(t, order.fetchedAt) })}</p>
    </section>
  );
}

function ReturnPart({ t, w, ret, order }: { t: T; w: OT; ret: ReturnSummary; order: OrderSummary | null }) {
  const names = new Map(order?.items.map((i) => [i.offerId, i.name]) ?? []);
  return (
    <section class="return-part" aria-label={w('returnOf', { id: ret.returnId })}>
      <dl class="order-facts">
        {ret.refundStatus ? (
          <>
            <dt>{w('refund')}</dt>
            <dd>
              <strong class="refund-status" data-status={ret.refundStatus}>
                {phrase(t, 'refund', ret.refundStatus)}
              </strong>
            </dd>
          </>
        ) : null}
        {ret.shipmentStatus ? (
          <>
            <dt>{w('shipment')}</dt>
            <dd class="shipment-status" data-status={ret.shipmentStatus}>
              {phrase(t, 'shipment', ret.shipmentStatus)}
            </dd>
          </>
        ) : null}
        {ret.amount ? (
          <>
            <dt>{w('amount')}</dt>
            <dd>{formatMoney(t, ret.amount)}</dd>
          </>
        ) : null}
        {ret.createdAt ? (
          <>
            <dt>{w('created')}</dt>
            <dd>{dateTime(t, ret.createdAt)}</dd>
          </>
        ) : null}
      </dl>
      <h4 class="order-items-title">{w('items')}</h4>
      <ul class="order-items">
        {ret.items.map((item, i) => (
          <li key={`${item.shopSku}-${i}`}>
            <bdi class="order-item-name">{item.name ?? names.get(item.shopSku) ?? item.shopSku}</bdi>
            <span class="order-item-count">{w('count', { n: item.count })}</span>
            {item.reason ? (
              <span class="order-item-note">
                {w('reason')}: {phrase(t, 'reason', item.reason)}
              </span>
            ) : null}
            {item.decision ? (
              <span class="order-item-note">
                {w('decision')}: {phrase(t, 'decision', item.decision)}
              </span>
            ) : null}
          </li>
        ))}
      </ul>
      <p class="order-fetched">{w('readAt', { at: dateTime(t, ret.fetchedAt) })}</p>
    </section>
  );
}
