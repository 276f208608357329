/**
 * Reading a push notification body. Ids are taken from the JSON text itself, so an int64 above 2^53 keeps
 * every digit; fields are checked against the shapes of spec/notifications.openapi.yaml.
 */
import type { ChatNotificationType, InboundNotification } from '../store/inbound.js';

export type ParsedNotification =
  | { kind: 'ping' }
  | { kind: 'chat'; notification: InboundNotification }
  /** A type this receiver does not act on (orders, feedback, questions, anything added later). */
  | { kind: 'other'; type: string }
  | { kind: 'malformed'; message: string };

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
  // Quoted by the id rewrite below; a real string value arrives with a marker and is refused.
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
    throw new Malformed(`${field}: must be an ISO 8601 date-time`);
  }
  return v;
}

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
  if (!(type in TIME_FIELD)) return { kind: 'other', type };
  const chatType = type as ChatNotificationType;
  try {
    const businessId = id(fields, 'businessId');
    const chatId = id(fields, 'chatId');
    let messageId: string | null = null;
    if (chatType === 'CHAT_MESSAGE_SENT') {
      const m = fields.messageId;
      if (typeof m !== 'string' || !/^\d{1,19}$/.test(m) || BigInt(m) < 1n || BigInt(m) > INT64_MAX) {
        throw new Malformed('messageId: must be a string holding a positive int64');
      }
      messageId = BigInt(m).toString();
    }
    const eventTime = dateTime(fields, TIME_FIELD[chatType]);
    return { kind: 'chat', notification: { type: chatType, businessId, chatId, messageId, eventTime } };
  } catch (error) {
    if (error instanceof Malformed) return { kind: 'malformed', message: `${type}: ${error.message}` };
    throw error;
  }
}
