import { validateResponse } from '@ym-chats/contract';
import {
  AuthenticationError,
  BadRequestError,
  ChatsApi,
  InternalServerError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
} from '@ym-chats/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_KEY, BUSINESS, startEmulator } from './emulator.js';

let env: Awaited<ReturnType<typeof startEmulator>>;
beforeAll(async () => {
  env = await startEmulator({ seed: 7 });
});
afterAll(() => env.close());

describe('SDK ↔ emulator over HTTP', () => {
  it('create → send → the message is in the history, and the chat waits for the buyer', async () => {
    const { orderId, chatId } = await env.newChat();
    const again = await env.api.createChat(BUSINESS, { context: { type: 'ORDER', id: orderId } });
    expect(again.result.chatId).toBe(chatId); // createChat is idempotent per context

    await env.api.sendMessageToChat(BUSINESS, chatId, { message: 'Ваш заказ собран 📦' });
    const history = await env.messages(chatId);
    expect(history.at(-1)).toMatchObject({ sender: 'PARTNER', message: 'Ваш заказ собран 📦' });
    const { result: chat } = await env.api.getChat(BUSINESS, chatId);
    expect(chat.status).toBe('WAITING_FOR_CUSTOMER');
    expect(chat.context).toMatchObject({ type: 'ORDER', orderId });
    const one = await env.api.getChatMessage(BUSINESS, chatId, history.at(-1)!.messageId);
    expect(one.result.message).toBe('Ваш заказ собран 📦');
    expect(validateResponse('current', 'getChat', 200, { status: 'OK', result: chat })).toEqual([]);
  });

  it('file upload → a payload whose URL downloads the same bytes', async () => {
    const { chatId } = await env.newChat();
    const bytes = new Uint8Array(300_000).map((_, i) => (i * 7) % 256);
    await env.api.sendFileToChat(
      BUSINESS,
      chatId,
      new File([bytes], 'накладная.pdf', { type: 'application/pdf' }),
    );
    const last = (await env.messages(chatId)).at(-1)!;
    expect(last.sender).toBe('PARTNER');
    expect(last.payload).toHaveLength(1);
    const file = last.payload![0]!;
    expect(file).toMatchObject({ name: 'накладная.pdf', size: bytes.length });
    const download = await fetch(file.url, { headers: { 'Api-Key': API_KEY } });
    expect(download.status).toBe(200);
    expect(new Uint8Array(await download.arrayBuffer())).toEqual(bytes);
  });

  it('the seed paths work too (no prefix, OAuth)', async () => {
    const seedApi = new ChatsApi({ baseUrl: env.url, accessToken: 'emulator-oauth-token' });
    const page = await seedApi.getChats(BUSINESS, { types: ['CHAT'] }, undefined, 20);
    expect(page.result.chats.length).toBeGreaterThan(0);
    expect(validateResponse('current', 'getChats', 200, page)).toEqual([]);
  });

  it('iterateChats walks every chat of the seeded business exactly once', async () => {
    const state = await env.admin.state();
    const chats = state.businesses.find((b) => b.businessId === BUSINESS)!.chats;
    const ids: number[] = [];
    for await (const chat of env.api.iterateChats(BUSINESS, {}, { limit: 7 })) ids.push(chat.chatId);
    expect(ids).toHaveLength(chats);
    expect(new Set(ids).size).toBe(chats);
  });
});

describe('every error status arrives as its class', () => {
  it('400 from the server (a bad page token)', async () => {
    const error = await env.api.getChats(BUSINESS, {}, 'not-a-token').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BadRequestError);
    expect((error as BadRequestError).errors[0]?.message).toMatch(/pageToken|page_token/);
  });

  it('401 for a wrong key, 403 for another business, 404 for an unknown chat', async () => {
    const wrong = new ChatsApi({ baseUrl: env.url, apiKey: 'wrong-key-000000', pathPrefix: '/v2' });
    await expect(wrong.getChats(BUSINESS)).rejects.toBeInstanceOf(AuthenticationError);
    await expect(env.api.getChats(BUSINESS + 1)).rejects.toBeInstanceOf(PermissionDeniedError);
    await expect(env.api.getChat(BUSINESS, 999_999_999)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('5xx after retries are spent', async () => {
    await env.admin.addFaults([{ operation: 'getChat', status: 503 }]);
    try {
      const error = await env.api.getChat(BUSINESS, 1, { maxRetries: 2 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InternalServerError);
      expect((error as InternalServerError).attempts).toBe(3);
    } finally {
      await env.admin.clearFaults();
    }
  });

  it('420 once the (scaled) quota is spent, with the reset time; usable again after the clock moves', async () => {
    const small = await startEmulator(
      { quotas: { limits: { getChat: 3 } } },
      { rateLimit: false, maxRetries: 0 },
    );
    try {
      const { chatId } = await small.newChat();
      for (let i = 0; i < 3; i++) await small.api.getChat(BUSINESS, chatId);
      const error = (await small.api.getChat(BUSINESS, chatId).catch((e: unknown) => e)) as RateLimitError;
      expect(error).toBeInstanceOf(RateLimitError);
      expect(error.local).toBe(false);
      expect(error.resetAt).toBeInstanceOf(Date);
      expect(error.message).toContain(error.resetAt!.toISOString());
      await small.admin.clock({ advanceMs: 3_600_000 });
      await small.api.getChat(BUSINESS, chatId);
    } finally {
      await small.close();
    }
  });
});
