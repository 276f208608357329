/**
 * The one push parser (sync's receiver and `watch --listen` both use it). Its rules are the spec's
 * (spec/notifications.openapi.yaml), including where the CLI's own copy used to differ: int64 ids kept
 * exact above 2^53, `messageId` only as a string, times only as RFC 3339 date-times.
 */
import { parseNotification } from '@ym-chats/sdk';
import { describe, expect, it } from 'vitest';

const sent = (fields: Record<string, string>) =>
  `{"notificationType":"CHAT_MESSAGE_SENT",${Object.entries(fields)
    .map(([k, v]) => `"${k}":${v}`)
    .join(',')}}`;

const valid = { businessId: '1001', chatId: '7', messageId: '"5"', sentAt: '"2026-11-25T10:00:00Z"' };

describe('parseNotification', () => {
  it('keeps int64 ids above 2^53 exact (they were refused with 400 by the CLI)', () => {
    const parsed = parseNotification(
      sent({
        businessId: '9223372036854775807',
        chatId: '9007199254740993',
        messageId: '"9007199254740995"',
        sentAt: '"2026-11-25T10:00:00.213+03:00"',
      }),
    );
    expect(parsed).toEqual({
      kind: 'chat',
      notification: {
        type: 'CHAT_MESSAGE_SENT',
        businessId: 9223372036854775807n,
        chatId: 9007199254740993n,
        messageId: '9007199254740995',
        eventTime: '2026-11-25T10:00:00.213+03:00',
      },
    });
  });

  it('refuses a numeric messageId: the spec makes it a string (the CLI took a number)', () => {
    const parsed = parseNotification(sent({ ...valid, messageId: '5' }));
    expect(parsed).toEqual({ kind: 'malformed', message: expect.stringContaining('messageId') });
    expect(parseNotification(sent(valid))).toMatchObject({ kind: 'chat', notification: { messageId: '5' } });
  });

  it('refuses times that are not RFC 3339 date-times, even where Date.parse reads them (the CLI only asked Date.parse)', () => {
    for (const time of [
      'Tue, 25 Nov 2026 10:00:00 GMT',
      '2026-11-25 10:00:00',
      '2026-11-25',
      '2026-11-25T10:00:00',
      '2026-13-01T10:00:00Z',
      'yesterday',
    ]) {
      expect(parseNotification(sent({ ...valid, sentAt: JSON.stringify(time) })), time).toEqual({
        kind: 'malformed',
        message: expect.stringContaining('sentAt'),
      });
    }
    expect(parseNotification(sent({ ...valid, sentAt: '1764064800000' }))).toMatchObject({
      kind: 'malformed',
    });
  });

  it('refuses ids that are not positive int64 integers', () => {
    for (const [field, value] of [
      ['chatId', '"7"'],
      ['chatId', '0'],
      ['chatId', '-7'],
      ['chatId', '7.5'],
      ['chatId', '7e3'],
      ['businessId', '9223372036854775808'],
      ['businessId', 'null'],
      ['messageId', '"0"'],
      ['messageId', '"12345678901234567890"'],
      ['messageId', '" 5"'],
    ] as const) {
      const parsed = parseNotification(sent({ ...valid, [field]: value }));
      expect(parsed, `${field}: ${value}`).toEqual({
        kind: 'malformed',
        message: expect.stringContaining(field),
      });
    }
    const missing = parseNotification(
      '{"notificationType":"CHAT_CREATED","businessId":1,"createdAt":"2026-11-25T10:00:00Z"}',
    );
    expect(missing).toEqual({ kind: 'malformed', message: expect.stringContaining('chatId') });
  });

  it('each chat type needs its own time field', () => {
    const created =
      '{"notificationType":"CHAT_CREATED","businessId":1,"chatId":2,"createdAt":"2026-11-25T10:00:00Z"}';
    expect(parseNotification(created)).toEqual({
      kind: 'chat',
      notification: {
        type: 'CHAT_CREATED',
        businessId: 1n,
        chatId: 2n,
        messageId: null,
        eventTime: '2026-11-25T10:00:00Z',
      },
    });
    const wrongField = created
      .replace('createdAt', 'startedAt')
      .replace('CHAT_CREATED', 'CHAT_ARBITRAGE_FINISHED');
    expect(parseNotification(wrongField)).toEqual({
      kind: 'malformed',
      message: expect.stringContaining('finishedAt'),
    });
  });

  it('PING, other types and non-notifications', () => {
    expect(parseNotification('{"notificationType":"PING","time":"2026-11-25T10:00:00Z"}')).toEqual({
      kind: 'ping',
    });
    expect(parseNotification('{"notificationType":"ORDER_CREATED","orderId":1}')).toEqual({
      kind: 'other',
      type: 'ORDER_CREATED',
    });
    // Names an object has by inheritance are types like any other, not chat types.
    for (const type of ['constructor', 'toString', '__proto__']) {
      expect(parseNotification(JSON.stringify({ notificationType: type }))).toEqual({ kind: 'other', type });
    }
    for (const body of [
      '',
      'not json',
      '[1]',
      'null',
      '"PING"',
      '{}',
      '{"notificationType":""}',
      '{"notificationType":5}',
    ]) {
      expect(parseNotification(body), body).toMatchObject({ kind: 'malformed' });
    }
  });

  it('reads only the top-level ids, however the text is laid out', () => {
    const parsed = parseNotification(
      '{ "note": "\\"chatId\\": 1", "nested": {"chatId": 99}, "notificationType" : "CHAT_MESSAGE_SENT",\n' +
        '  "businessId" :\t1001 , "chatId"  :  18446744073709551 , "messageId": "5", "sentAt": "2026-11-25T10:00:00z" }',
    );
    expect(parsed).toMatchObject({
      kind: 'chat',
      notification: { businessId: 1001n, chatId: 18446744073709551n },
    });
  });
});
