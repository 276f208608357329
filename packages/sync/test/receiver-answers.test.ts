/**
 * The receiver's answers are the SDK's `pushAnswer`/`pushError`, valid per the notifications spec whatever
 * name and version the integration gives (an answer the platform refuses would have it resend for days).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NotificationHandler, openStore, type SyncStore } from '@ym-chats/sync';
import { answerProblems } from '@ym-chats/testkit';
import { afterEach, beforeEach, expect, it } from 'vitest';

let dir: string;
let store: SyncStore;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ym-answers-'));
  store = await openStore(join(dir, 'store.sqlite'));
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

it('fits an empty name and an overlong version into the spec instead of answering what it refuses', async () => {
  const handler = new NotificationHandler({
    store,
    businessId: 1001n,
    name: '',
    version: `1.0.0-${'x'.repeat(120)}`,
    now: () => Date.UTC(2026, 10, 25, 10, 0, 0),
  });
  const ping = await handler.handle('{"notificationType":"PING"}');
  expect(ping.status).toBe(200);
  expect(answerProblems(ping.status, ping.body)).toEqual([]);
  expect(ping.body).toMatchObject({ name: 'ym-chats', time: '2026-11-25T10:00:00.000Z' });
  const malformed = await handler.handle('{"notificationType":"CHAT_CREATED"}');
  expect(malformed.status).toBe(400);
  expect(answerProblems(malformed.status, malformed.body)).toEqual([]);
});
