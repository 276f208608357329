/**
 * `watch --listen` answers every push the way spec/notifications.openapi.yaml describes, through the
 * built binary: the 200 (`version`, `name`, `time`) and the error envelope, built by the SDK's
 * `pushAnswer`/`pushError` as sync's receiver builds them.
 */
import { answerProblems } from '@ym-chats/testkit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { BUSINESS, firstChatId, LongRun, requireBuilt, startEmulator, type TestEmulator } from './helpers.js';

let emu: TestEmulator;
let chatId: number;
beforeAll(async () => {
  requireBuilt();
  emu = await startEmulator();
  chatId = await firstChatId(emu);
});
afterAll(async () => {
  await emu?.close();
});

it('answers PING, other types, malformed and oversized bodies, a wrong method and a failed fetch by the spec', async () => {
  const watch = new LongRun(['watch', '--json', '--listen', '0', '--duration', '30', ...emu.flags], {
    env: emu.env(),
  });
  try {
    const [, url] = await watch.waitFor('stderr', /notifications on (http:\/\/127\.0\.0\.1:\d+\/)/);
    const event = (messageId: string) =>
      JSON.stringify({
        notificationType: 'CHAT_MESSAGE_SENT',
        businessId: BUSINESS,
        chatId,
        messageId,
        sentAt: '2026-11-25T10:00:00Z',
      });
    const answers: { what: string; status: number; body: unknown }[] = [];
    const send = async (what: string, init: RequestInit) => {
      const res = await fetch(url!, init);
      expect(res.headers.get('content-type'), what).toMatch(/^application\/json/);
      answers.push({ what, status: res.status, body: await res.json() });
    };
    await send('ping', { method: 'POST', body: '{"notificationType":"PING","time":"2026-11-25T10:00:00Z"}' });
    await send('other', { method: 'POST', body: '{"notificationType":"ORDER_CREATED","orderId":1}' });
    await send('missing', { method: 'POST', body: event('999999999999') });
    await send('malformed', { method: 'POST', body: '{"notificationType":"CHAT_CREATED","chatId":"x"}' });
    await send('not json', { method: 'POST', body: '{' });
    await send('oversized', { method: 'POST', body: `{"pad":"${'x'.repeat(70_000)}"}` });
    await send('get', { method: 'GET' });
    await emu.admin.addFaults([{ operation: 'getChatMessage', status: 503 }]);
    const posted = await emu.admin.postMessage(BUSINESS, chatId, { sender: 'CUSTOMER', message: 'later' });
    await send('transient', { method: 'POST', body: event(String(posted.messageId)) });
    await emu.admin.clearFaults();

    expect(answers.map((a) => [a.what, a.status])).toEqual([
      ['ping', 200],
      ['other', 200],
      ['missing', 200],
      ['malformed', 400],
      ['not json', 400],
      ['oversized', 400],
      ['get', 405],
      ['transient', 500],
    ]);
    // The 405 for a wrong method is not in the spec: it carries the spec's error envelope all the same.
    expect(
      answers.flatMap((a) => answerProblems(a.status, a.body, { undocumented: 'errorEnvelope' })),
    ).toEqual([]);
    expect(answers[0]!.body).toEqual({
      version: expect.any(String),
      name: 'ym-chats',
      time: expect.any(String),
    });
    expect(answers[3]!.body).toEqual({
      error: { type: 'WRONG_EVENT_FORMAT', message: expect.stringContaining('CHAT_CREATED') },
    });
  } finally {
    watch.kill('SIGINT');
    await watch.exited;
  }
}, 60_000);
