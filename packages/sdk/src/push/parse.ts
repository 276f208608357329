/**
 * Reading a push notification body (spec/notifications.openapi.yaml), the one parser every receiver uses.
 * Ids are taken from the JSON text itself, so an int64 above 2^53 keeps every digit; fields are checked
 * against the spec's shapes: `messageId` is a string, times are RFC 3339 date-times.
 */

/** The chat notification types a receiver acts on; anything else is `other`. */
export type ChatNotificationType =
  | 'CHAT_CREATED'
  | 'CHAT_MESSAGE_SENT'
  | 'CHAT_ARBITRAGE_STARTED'
  | 'CHAT_ARBITRAGE_FINISHED';

export interface ChatNotification {
  type: ChatNotificationType;
  businessId: bigint;
  chatId: bigint;
  /** CHAT_MESSAGE_SENT only (the platform sends it as a string), in canonical decimal form; else null. */
  messageId: string | null;
  /** The event's own time field (createdAt, sentAt, startedAt, finishedAt) as sent. */
  eventTime: string;
}

export type ParsedNotification =
  | { kind: 'ping' }
  | { kind: 'chat'; notification: ChatNotification }
  /** A type this receiver does not act on (orders, feedback, questions, anything added later). */
  | { kind: 'other'; type: string }
  | { kind: 'malformed'; message: string };

/** The largest body a receiver reads; chat notifications are a few hundred bytes. */
export const PUSH_BODY_LIMIT_BYTES = 64 * 1024;

const TIME_FIELD: Record<ChatNotificationType, string> = {
  CHAT_CREATED: 'createdAt',
  CHAT_MESSAGE_SENT: 'sentAt',
  CHAT_ARBITRAGE_STARTED: 'startedAt',
  CHAT_ARBITRAGE_FINISHED: 'finishedAt',
};

const ID_FIELDS = /"(chatId|businessId)"(\s*):(\s*)(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)/g;
/** RFC 3339 date-time, as the spec's `format: date-time` means it. */
const DATE_TIME = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
const INT64_MAX = 2n ** 63n - 1n;

class Malformed extends Error {}

function id(body: Record<string, unknown>, field: string): bigint {
  const raw = body[field];
  // Quoted by the id rewrite below; a real string value arrives without the marker and is refused.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the NUL marker comes from our own id rewrite.
  if (typeof raw !== 'string' || !/^\u0000\d+$/.test(raw)) {
    throw new Malformed(`${field}: must be an integer`);
  }
  const value = BigInt(raw.slice(1));
  if (value < 1n || value > INT64_MAX) throw new Malformed(`${field}: must be a positive int64`);
  return value;
}

function dateTime(body: Record<string, unknown>, field: string): string {
  const v = body[field];
  if (typeof v !== 'string' || !DATE_TIME.test(v) || Number.isNaN(Date.parse(v))) {
    throw new Malformed(`${field}: must be an RFC 3339 date-time`);
  }
  return v;
}

function messageId(body: Record<string, unknown>): string {
  const m = body.messageId;
  if (typeof m !== 'string' || !/^\d{1,19}$/.test(m) || BigInt(m) < 1n || BigInt(m) > INT64_MAX) {
    throw new Malformed('messageId: must be a string holding a positive int64');
  }
  return BigInt(m).toString();
}

/** Never throws: a body that is not a notification is `malformed`, with a message naming the field. */
export function parseNotification(text: string): ParsedNotification {
  let body: unknown;
  try {
    // Integer ids become marked strings before JSON.parse can round them.
    body = JSON.parse(
      text.replace(ID_FIELDS, (_m, name, a, b, digits) => `"${name}"${a}:${b}"\\u0000${digits}"`),
    );
  } catch {
    return { kind: 'malformed', message: 'body: not valid JSON' };
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { kind: 'malformed', message: 'body: must be a JSON object' };
  }
  const fields = body as Record<string, unknown>;
  const type = fields.notificationType;
  if (typeof type !== 'string' || type === '') {
    return { kind: 'malformed', message: 'notificationType: required string' };
  }
  if (type === 'PING') return { kind: 'ping' };
  if (!Object.hasOwn(TIME_FIELD, type)) return { kind: 'other', type };
  const chatType = type as ChatNotificationType;
  try {
    const businessId = id(fields, 'businessId');
    const chatId = id(fields, 'chatId');
    const message = chatType === 'CHAT_MESSAGE_SENT' ? messageId(fields) : null;
    const eventTime = dateTime(fields, TIME_FIELD[chatType]);
    return {
      kind: 'chat',
      notification: { type: chatType, businessId, chatId, messageId: message, eventTime },
    };
  } catch (error) {
    if (error instanceof Malformed) return { kind: 'malformed', message: `${type}: ${error.message}` };
    throw error;
  }
}
