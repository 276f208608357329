/** Rules shared by the page and the server: the SDK's limits, template filling, search highlighting, passwords. */

import type { IncomingMessage } from 'node:http';
import {
  FILE_MAX_BYTES,
  hashPassword,
  MESSAGE_MAX_LENGTH,
  messageLength,
  verifyPassword,
} from '@ym-chats/inbox';
import {
  clientAddress,
  requestHost,
  FILE_MAX_BYTES as SDK_FILE_MAX,
  MESSAGE_MAX_LENGTH as SDK_MESSAGE_MAX,
} from '@ym-chats/sdk';
import { describe, expect, it } from 'vitest';
import { checkBusinessHours, waitMs } from '../src/shared/business-hours.js';
import { textProblem } from '../src/shared/limits.js';
import { fillTemplate } from '../src/shared/template-fill.js';
import { formatWait, urgency } from '../src/shared/urgency.js';
import { highlightRanges, searchWords, snippet } from '../src/store/words.js';

describe('limits', () => {
  it('are the SDK limits, counted as the API counts (UTF-16 units)', () => {
    expect(MESSAGE_MAX_LENGTH).toBe(SDK_MESSAGE_MAX);
    expect(FILE_MAX_BYTES).toBe(SDK_FILE_MAX);
    expect(messageLength('😀'.repeat(2048))).toBe(4096);
    expect(textProblem('😀'.repeat(2048))).toBeUndefined();
    expect(textProblem(`${'😀'.repeat(2048)}a`)).toBe('too_long');
    expect(textProblem('')).toBe('empty');
    expect(textProblem('\uD83D')).toBe('broken');
  });
});

describe('templates', () => {
  it('fill the chat variables and leave missing ones visible', () => {
    expect(
      fillTemplate('Заказ {orderId}, {customerName}; возврат {returnId}', {
        orderId: 50000001,
        customerName: 'Анна',
      }),
    ).toBe('Заказ 50000001, Анна; возврат {returnId}');
  });
});

describe('search words and highlights', () => {
  it('finds word-start prefixes case-insensitively and keeps emoji whole when cutting', () => {
    const words = searchWords('Доставк ЗАКАЗ <script>');
    expect(words).toEqual(['доставк', 'заказ', 'script']);
    const text = 'Где заказ? Доставка задерживается, <script>';
    expect(highlightRanges(text, words).map(([a, b]) => text.slice(a, b))).toEqual([
      'заказ',
      'Доставк',
      'script',
    ]);
    const long = `${'😀'.repeat(200)} заказ ${'😀'.repeat(200)}`;
    const cut = snippet(long, highlightRanges(long, ['заказ']));
    expect(cut.text.slice(cut.ranges[0]![0], cut.ranges[0]![1])).toBe('заказ');
    expect(cut.text).not.toMatch(/^…?[\uDC00-\uDFFF]|[\uD800-\uDBFF]…?$/);
  });
});

describe('waits', () => {
  it('colour against the target and read in units', () => {
    expect(urgency(60_000, 15 * 60_000)).toBe('ok');
    expect(urgency(8 * 60_000, 15 * 60_000)).toBe('soon');
    expect(urgency(15 * 60_000, 15 * 60_000)).toBe('late');
    expect(formatWait(3 * 3600_000 + 5 * 60_000, { s: 's', min: 'min', h: 'h', d: 'd' })).toBe('3 h 05 min');
  });
});

describe('business hours', () => {
  const moscow = { timeZone: 'Europe/Moscow', days: [1, 2, 3, 4, 5], from: '09:00', to: '18:00' };
  it('count only opening hours, in the seller time zone', () => {
    // Friday 17:00 Moscow (14:00 UTC) to Monday 10:00 Moscow (07:00 UTC): one hour each side of the weekend.
    expect(waitMs(Date.parse('2026-11-20T14:00:00Z'), Date.parse('2026-11-23T07:00:00Z'), moscow)).toBe(
      2 * 3600_000,
    );
    expect(waitMs(Date.parse('2026-11-21T10:00:00Z'), Date.parse('2026-11-22T10:00:00Z'), moscow)).toBe(0);
    expect(waitMs(0, 5000)).toBe(5000);
  });
  it('follow daylight saving time', () => {
    const berlin = { timeZone: 'Europe/Berlin', days: [1, 2, 3, 4, 5, 6, 7], from: '09:00', to: '10:00' };
    // 2026-03-29 is the switch to summer time: 09:00 is 07:00 UTC that day, 08:00 UTC the day before.
    expect(waitMs(Date.parse('2026-03-28T08:00:00Z'), Date.parse('2026-03-28T09:00:00Z'), berlin)).toBe(
      3600_000,
    );
    expect(waitMs(Date.parse('2026-03-29T07:00:00Z'), Date.parse('2026-03-29T08:00:00Z'), berlin)).toBe(
      3600_000,
    );
    expect(waitMs(Date.parse('2026-03-29T08:00:00Z'), Date.parse('2026-03-29T09:00:00Z'), berlin)).toBe(0);
  });
  it('refuses settings that cannot be right', () => {
    expect(() => checkBusinessHours({ ...moscow, timeZone: 'Mars/Olympus' })).toThrow();
    expect(() => checkBusinessHours({ ...moscow, from: '18:00', to: '09:00' })).toThrow();
    expect(() => checkBusinessHours({ ...moscow, days: [0] })).toThrow();
  });
});

describe('client address behind a proxy', () => {
  const req = {
    headers: {
      'x-forwarded-for': '203.0.113.9, 198.51.100.7',
      'x-forwarded-host': 'inbox.example',
      host: '10.0.0.2:8090',
    },
    socket: { remoteAddress: '10.0.0.1' },
  } as unknown as IncomingMessage;
  it('ignores forwarding headers unless told to trust the proxy, then takes what the proxy appended', () => {
    expect(clientAddress(req, false)).toBe('10.0.0.1');
    expect(requestHost(req, false)).toBe('10.0.0.2:8090');
    expect(clientAddress(req, true)).toBe('198.51.100.7');
    expect(requestHost(req, true)).toBe('inbox.example');
  });
});

describe('passwords', () => {
  it('are scrypt hashes that verify only the right password', async () => {
    const hash = await hashPassword('пароль-1');
    expect(hash).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(await verifyPassword('пароль-1', hash)).toBe(true);
    expect(await verifyPassword('пароль-2', hash)).toBe(false);
    expect(await verifyPassword('пароль-1', 'plain')).toBe(false);
  });
});
