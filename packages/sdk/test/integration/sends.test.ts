import { ChatsApiError, RateLimitError } from '@ym-chats/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUSINESS, startEmulator } from './emulator.js';

let env: Awaited<ReturnType<typeof startEmulator>>;
beforeAll(async () => {
  env = await startEmulator();
});
afterAll(() => env.close());

const fault = (value: string) => ({ headers: { 'X-Emulator-Fault': value } });
const partnerTexts = async (chatId: number) =>
  (await env.messages(chatId)).filter((m) => m.sender === 'PARTNER').map((m) => m.message);

describe('a send is never duplicated', () => {
  it('connection dropped after the server stored it: error says maybe sent; exactly one message exists', async () => {
    const { chatId } = await env.newChat();
    const error = await env.api
      .sendMessageToChat(BUSINESS, chatId, { message: 'one' }, fault('drop=after'))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ChatsApiError);
    expect((error as ChatsApiError).maybeSent).toBe(true);
    expect(await partnerTexts(chatId)).toEqual(['one']);
  });

  it('verified resend finds the stored message and does not send it again', async () => {
    const { chatId } = await env.newChat();
    const res = await env.api.sendMessageToChat(
      BUSINESS,
      chatId,
      { message: 'two' },
      {
        ...fault('drop=after'),
        verifiedResend: true,
      },
    );
    expect(res.status).toBe('OK');
    expect(await partnerTexts(chatId)).toEqual(['two']);
  });

  it('verified resend with no resends allowed still checks, and resolves OK when the message is there', async () => {
    const { chatId } = await env.newChat();
    const res = await env.api.sendMessageToChat(
      BUSINESS,
      chatId,
      { message: 'checked, not resent' },
      { ...fault('drop=after'), verifiedResend: true, maxRetries: 0 },
    );
    expect(res.status).toBe('OK');
    expect(await partnerTexts(chatId)).toEqual(['checked, not resent']);
  });

  it('verified resend sends again when the dropped request never got stored', async () => {
    const { chatId } = await env.newChat();
    // drop=before: the emulator closes the connection before handling; an ambiguous failure for the client.
    await env.admin.addFaults([{ operation: 'sendMessageToChat', drop: 'before', count: 1 }]);
    const res = await env.api.sendMessageToChat(
      BUSINESS,
      chatId,
      { message: 'three' },
      { verifiedResend: true },
    );
    expect(res.status).toBe('OK');
    expect(await partnerTexts(chatId)).toEqual(['three']);
  });

  it('verified resend waits until a slow first request can no longer land, then finds it (no double send)', async () => {
    const { chatId } = await env.newChat();
    const { ChatsApi } = await import('@ym-chats/sdk');
    // The platform keeps working after the client times out; the emulator's delay fault does the same.
    const patient = new ChatsApi({
      baseUrl: env.url,
      apiKey: 'emulator-api-key',
      pathPrefix: '/v2',
      timeoutMs: 100,
      verifiedResend: true,
      retry: { baseDelayMs: 1, verifySettleMs: 800 },
    });
    const res = await patient.sendMessageToChat(
      BUSINESS,
      chatId,
      { message: 'slow one' },
      fault('delay=400'),
    );
    expect(res.status).toBe('OK');
    expect(await partnerTexts(chatId)).toEqual(['slow one']);
  });

  it('a 500 on a file send is not repeated; verified resend checks name and size', async () => {
    const { chatId } = await env.newChat();
    await env.admin.addFaults([{ operation: 'sendFileToChat', status: 500, count: 1 }]);
    const file = { data: new TextEncoder().encode('receipt'), name: 'receipt.txt' };
    const error = (await env.api
      .sendFileToChat(BUSINESS, chatId, file)
      .catch((e: unknown) => e)) as ChatsApiError;
    expect(error.maybeSent).toBe(true);
    expect((await env.messages(chatId)).filter((m) => m.sender === 'PARTNER')).toHaveLength(0);
    await env.admin.addFaults([{ operation: 'sendFileToChat', status: 500, count: 1 }]);
    await env.api.sendFileToChat(BUSINESS, chatId, file, { verifiedResend: true });
    const sent = (await env.messages(chatId)).filter((m) => m.sender === 'PARTNER');
    expect(sent.map((m) => m.payload?.[0]?.name)).toEqual(['receipt.txt']);
  });

  it('a 420 is refused before processing: nothing stored, the error gives the reset time', async () => {
    const { chatId } = await env.newChat();
    await env.admin.addFaults([{ operation: 'sendMessageToChat', status: 420, count: 1 }]);
    // The injected 420 resets at the top of the hour; near it the SDK would wait and retry, so waiting is
    // switched off here to look at the refusal itself whatever the time.
    const error = (await env.api
      .sendMessageToChat(BUSINESS, chatId, { message: 'four' }, { maxRetries: 0 })
      .catch((e: unknown) => e)) as RateLimitError;
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error.maybeSent).toBe(false);
    expect(error.resetAt).toBeInstanceOf(Date);
    expect(await partnerTexts(chatId)).toEqual([]);
  });
});
