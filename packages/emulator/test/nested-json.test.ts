/** Deeply nested JSON is a client mistake: 400 naming the field, never a 500 (which on a send means "maybe sent"). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIZ, call, errorText, orderChat, type Running, start } from './helpers.js';

let run: Running;
let chatId: number;
beforeAll(async () => {
  run = await start();
  ({ chatId } = await orderChat(run));
});
afterAll(() => run.emu.close());

const arrays = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;
const objects = (n: number) => `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`;

describe.each([10_000, 60_000])('nested %i deep', (depth) => {
  it.each([
    ['sendMessageToChat', 'message', () => `{"message":${arrays(depth)}}`],
    ['createChat', 'context', () => `{"context":${objects(Math.min(depth, 40_000))}}`],
    ['getChats', 'statuses', () => `{"statuses":${arrays(depth)}}`],
    ['getChatHistory', 'messageIdFrom', () => `{"messageIdFrom":${arrays(depth)}}`],
  ] as const)('%s: 400 naming %s', async (op, field, body) => {
    const res = await call(run.url, op, { query: { chatId }, body: body() });
    expect(res.status).toBe(400);
    expect(errorText(res.body)).toMatch(new RegExp(`^INVALID_PARAMETER ${field}: nested deeper than`));
  });

  it('admin messages: 400 naming the field', async () => {
    const res = await fetch(`${run.url}/_emulator/businesses/${BIZ}/chats/${chatId}/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: `{"sender":${arrays(depth)},"message":"hi"}`,
    });
    expect(res.status).toBe(400);
    expect((await res.json()).errors[0].message).toMatch(/^sender: nested deeper than/);
  });
});

it('ordinary nesting still works, and nothing was stored by the refused sends', async () => {
  const res = await call(run.url, 'getChats', { json: { contexts: [{ type: 'ORDER', id: 1 }] } });
  expect(res.status).toBe(200);
  const history = await call(run.url, 'getChatHistory', { query: { chatId } });
  expect(history.body.result.messages).toEqual([]);
});
