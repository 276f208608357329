/**
 * `sendOutcome` / `outcomeOf`: the one vocabulary for what became of a send, read off real answers of the
 * emulator — sent, maybeSent (the platform may have acted), notSent (it provably did not).
 */
import { outcomeOf, sendOutcome } from '@ym-chats/sdk';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { BUSINESS, startEmulator } from './emulator.js';

let env: Awaited<ReturnType<typeof startEmulator>>;
beforeAll(async () => {
  env = await startEmulator({ seed: 3 }, { maxRetries: 0 });
});
afterAll(() => env.close());

it('names each outcome the way the CLI, the inbox and MCP report it', async () => {
  const { chatId } = await env.newChat();
  const send = (message: string) => () => env.api.sendMessageToChat(BUSINESS, chatId, { message });
  expect(await outcomeOf(send('Здравствуйте!'))).toEqual({ outcome: 'sent' });
  // Refused before sending: nothing went out.
  expect(await outcomeOf(send(''))).toMatchObject({ outcome: 'notSent', code: 'INVALID' });
  // A 404 from the platform: it acted on nothing.
  const unknown = await outcomeOf(() => env.api.sendMessageToChat(BUSINESS, 99_999_999, { message: 'x' }));
  expect(unknown).toMatchObject({ outcome: 'notSent', code: expect.any(String) });
  // A 500 after the request arrived: the platform may have acted.
  await env.admin.addFaults([{ operation: 'sendMessageToChat', status: 500, count: 1 }]);
  expect(await outcomeOf(send('Проверяем'))).toMatchObject({
    outcome: 'maybeSent',
    code: expect.any(String),
  });
  // Anything that is not the SDK's own error is a bug, not an answer: thrown again.
  expect(() => sendOutcome(new TypeError('boom'))).toThrow('boom');
});
