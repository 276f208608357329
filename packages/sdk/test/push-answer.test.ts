/**
 * The push answer (`pushAnswer`, `pushError`) that sync's receiver and `watch --listen` both send, held to
 * spec/notifications.openapi.yaml: the 200 body and the error envelope for the statuses the spec documents.
 */
import { pushAnswer, pushBodyTooLarge, pushError } from '@ym-chats/sdk';
import { answerProblems as problems } from '@ym-chats/testkit';
import { describe, expect, it } from 'vitest';

describe('push answers', () => {
  it('the 200 carries version, name and the time in UTC, as the spec has them', () => {
    const answer = pushAnswer({ version: '1.2.3', name: 'shop-bot' }, Date.UTC(2026, 10, 25, 10, 0, 0, 213));
    expect(answer).toEqual({
      status: 200,
      body: { version: '1.2.3', name: 'shop-bot', time: '2026-11-25T10:00:00.213Z' },
    });
    expect(problems(200, answer.body)).toEqual([]);
  });

  it('fits an empty or overlong name and version to the spec’s 1–100 characters instead of answering one it refuses', () => {
    const empty = { version: '', name: '' };
    expect(problems(200, { ...empty, time: new Date().toISOString() })).not.toEqual([]);
    const fitted = pushAnswer(empty).body;
    expect(fitted.name).toBe('ym-chats');
    expect(problems(200, fitted)).toEqual([]);
    const long = pushAnswer({ version: 'v'.repeat(150), name: 'я'.repeat(150) }).body;
    expect([long.version.length, long.name.length]).toEqual([100, 100]);
    expect(problems(200, long)).toEqual([]);
  });

  it('errors are the spec’s envelope with one of its error types', () => {
    for (const answer of [
      pushError(400, 'WRONG_EVENT_FORMAT', 'businessId: must be an integer'),
      pushError(500, 'UNKNOWN', 'could not store the notification'),
      pushBodyTooLarge(),
    ]) {
      expect(problems(answer.status, answer.body)).toEqual([]);
    }
    expect(pushBodyTooLarge()).toMatchObject({
      status: 400,
      body: { error: { type: 'WRONG_EVENT_FORMAT' } },
    });
  });
});
