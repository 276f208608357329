/** Human formats for sizes, times and chat contexts. */
import type { Chat, ChatContext } from '@ym-chats/sdk';

export function humanSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value >= 10 ? value.toFixed(0) : value.toFixed(1)} ${units[unit]}`;
}

/** `2025-09-01T09:00:00+03:00` → `2025-09-01 09:00:00 +03:00`: the platform's own offset is kept. */
export function humanTime(iso: string | undefined): string {
  if (iso === undefined || iso === '') return '';
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(?:\.\d+)?(Z|[+-]\d{2}:?\d{2})?$/.exec(iso);
  if (!m) return iso;
  return m[3] === undefined ? `${m[1]} ${m[2]}` : `${m[1]} ${m[2]} ${m[3]}`;
}

/** `ORDER 123`, `RETURN 45 (order 123)`, `DIRECT`; falls back to the deprecated top-level orderId. */
export function contextLabel(chat: { context?: ChatContext; orderId?: number }): string {
  const context = chat.context;
  if (!context) return chat.orderId !== undefined ? `ORDER ${chat.orderId}` : '';
  if (context.type === 'ORDER') return `ORDER ${context.orderId ?? chat.orderId ?? '?'}`;
  if (context.type === 'RETURN') {
    const order = context.orderId ?? chat.orderId;
    return `RETURN ${context.returnId ?? '?'}${order !== undefined ? ` (order ${order})` : ''}`;
  }
  return String(context.type);
}

export function customerLabel(chat: Chat): string {
  return chat.context?.customer?.name ?? '';
}
