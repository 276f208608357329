/** The tools an assistant sees and the reading ones: schemas, annotations, chats, a chat, its history, the prompt. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUSINESS, McpBench, READ_TOOLS, SEND_TOOLS, type Session, text } from './support/session.js';

let bench: McpBench;
let session: Session;

beforeAll(async () => {
  bench = await McpBench.start();
  session = await bench.open({ filesDir: bench.work, unsafeModelConfirms: true });
});

afterAll(async () => {
  expect(await bench.close()).toEqual({ clientErrors: [], secretsShown: [] });
});

describe('the tools', () => {
  it('lists every tool with an input schema, an output schema and annotations', async () => {
    const { tools } = await session.client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual([...READ_TOOLS, ...SEND_TOOLS].sort());
    for (const tool of tools) {
      expect(tool.inputSchema.type).toBe('object');
      expect(tool.outputSchema?.type).toBe('object');
      expect(tool.annotations).toBeDefined();
    }
    const byName = Object.fromEntries(tools.map((t) => [t.name, t]));
    for (const name of READ_TOOLS) {
      expect(byName[name]!.annotations).toMatchObject({ readOnlyHint: true, destructiveHint: false });
    }
    expect(byName.draft_reply!.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: false });
    expect(byName.send_reply!.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: true });
    expect(byName.send_file!.annotations).toMatchObject({ destructiveHint: true, idempotentHint: false });
    expect(Object.keys(byName.draft_reply!.inputSchema.properties ?? {}).sort()).toEqual(['chatId', 'text']);
    expect(byName.draft_reply!.inputSchema.required).toEqual(['chatId', 'text']);
  });

  it('offers send_file only with a files directory', async () => {
    const without = await bench.open({ unsafeModelConfirms: true });
    const { tools } = await without.client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(['draft_reply', 'send_reply', ...READ_TOOLS].sort());
  });

  it('offers the "answer the waiting buyers" prompt', async () => {
    const { prompts } = await session.client.listPrompts();
    expect(prompts.map((p) => p.name)).toContain('answer_waiting_buyers');
    const prompt = await session.client.getPrompt({
      name: 'answer_waiting_buyers',
      arguments: { maxChats: '3' },
    });
    const first = prompt.messages[0]!.content;
    expect(first.type === 'text' ? first.text : '').toMatch(
      /at most 3 chats[\s\S]*draft_reply[\s\S]*send_reply/,
    );
  });
});

describe('reading chats', () => {
  it('lists the chats where the buyer waits, as the API does', async () => {
    await bench.waitingChat();
    const result = await session.call('list_chats', { waitingOnly: true });
    expect(result.isError).toBeFalsy();
    const { chats } = result.structuredContent as { chats: { chatId: number; status: string }[] };
    expect(chats.length).toBeGreaterThan(0);
    expect(chats.every((c) => c.status === 'WAITING_FOR_PARTNER')).toBe(true);
    const direct = await bench.api.getChats(BUSINESS, { statuses: ['WAITING_FOR_PARTNER'] }, undefined, 20);
    expect(chats.map((c) => c.chatId)).toEqual(direct.result.chats.map((c) => c.chatId));
    expect(text(result)).toContain(`chat ${chats[0]!.chatId}`);
  });

  it('reads a chat: context, buyer, status and how long the buyer has waited', async () => {
    const { chatId, firstAt } = await bench.waitingChat();
    const result = await session.call('get_chat', { chatId });
    expect(result.isError).toBeFalsy();
    const out = result.structuredContent as {
      chat: Record<string, unknown>;
      waiting: { since: string; minutes: number; unansweredMessages: number };
      recentMessages: { text?: string; sender: string }[];
    };
    expect(out.chat).toMatchObject({
      chatId,
      contextType: 'DIRECT',
      status: 'WAITING_FOR_PARTNER',
      customer: { name: 'Анна', publicId: 'anna-test' },
      waitingForSeller: true,
    });
    expect(out.waiting).toMatchObject({ since: firstAt, unansweredMessages: 2 });
    expect(out.waiting.minutes).toBeGreaterThanOrEqual(0);
    expect(out.recentMessages.map((m) => m.text)).toEqual(['Где заказ?', 'Ответьте, пожалуйста']);
  });

  it('counts the wait on the clock it is given', async () => {
    const { chatId, firstAt } = await bench.waitingChat();
    const later = await bench.open({ now: () => new Date(Date.parse(firstAt) + 90 * 60_000) });
    const result = await later.call('get_chat', { chatId });
    expect(result.structuredContent).toMatchObject({ waiting: { since: firstAt, minutes: 90 } });
  });

  it('reads the newest messages of a chat longer than one page, and pages from the start', async () => {
    const { chatId } = await bench.waitingChat();
    for (let i = 0; i < 128; i++) {
      await bench.admin.postMessage(BUSINESS, chatId, {
        sender: i % 2 ? 'CUSTOMER' : 'PARTNER',
        message: `m${i}`,
      });
    }
    const all: number[] = [];
    for await (const m of bench.api.iterateChatHistory(BUSINESS, chatId)) all.push(m.messageId);
    expect(all).toHaveLength(130);
    const newest = await session.call('get_chat_history', { chatId, newest: 3 });
    const tail = newest.structuredContent as { messages: { messageId: number }[]; complete: boolean };
    expect(tail.messages.map((m) => m.messageId)).toEqual(all.slice(-3));
    expect(tail.complete).toBe(true);
    const chat = await session.call('get_chat', { chatId });
    expect(chat.structuredContent).toMatchObject({ totalMessages: 130, waiting: { unansweredMessages: 1 } });
    const page = await session.call('get_chat_history', { chatId, pageSize: 2 });
    const first = page.structuredContent as { messages: { messageId: number }[]; nextPageToken?: string };
    expect(first.messages.map((m) => m.messageId)).toEqual(all.slice(0, 2));
    const second = await session.call('get_chat_history', {
      chatId,
      pageSize: 2,
      pageToken: first.nextPageToken,
    });
    expect((second.structuredContent as typeof first).messages.map((m) => m.messageId)).toEqual(
      all.slice(2, 4),
    );
    const both = await session.call('get_chat_history', { chatId, newest: 3, pageSize: 2 });
    expect(both.isError).toBe(true);
  });
});
