/**
 * A client that can ask the person (MCP elicitation): the server asks with the chat and the exact text, and
 * only the person's "send" sends; the assistant's `confirm` counts for nothing either way.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ElicitResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { draftIdOf, McpBench, text } from './support/session.js';

let bench: McpBench;

beforeAll(async () => {
  bench = await McpBench.start();
});

afterAll(async () => {
  expect(await bench.close()).toEqual({ clientErrors: [], secretsShown: [] });
});

describe('confirmation through elicitation', () => {
  it('asks the person with the exact text; a decline sends nothing even with confirm: true', async () => {
    const asked: string[] = [];
    let answer: ElicitResult = { action: 'decline' };
    const session = await bench.open({
      elicit: (request) => {
        asked.push(request.params.message);
        return answer;
      },
    });
    const { chatId } = await bench.waitingChat();
    const reply = `Добрый день! Отправили трек-номер. ${Date.now()}`;
    const draftId = draftIdOf(await session.call('draft_reply', { chatId, text: reply }));

    const declined = await session.call('send_reply', { draftId, confirm: true });
    expect(declined.isError).toBe(true);
    expect(text(declined)).toMatch(/declined/);
    expect(asked).toHaveLength(1);
    expect(asked[0]).toContain(reply);
    expect(asked[0]).toContain(`chat ${chatId}`);
    expect(await bench.copiesOf(chatId, reply)).toBe(0);

    answer = { action: 'accept', content: { send: false } };
    expect((await session.call('send_reply', { draftId })).isError).toBe(true);
    expect(await bench.copiesOf(chatId, reply)).toBe(0);

    answer = { action: 'cancel' };
    expect((await session.call('send_reply', { draftId, confirm: true })).isError).toBe(true);
    expect(await bench.copiesOf(chatId, reply)).toBe(0);

    // The person's "send" sends without the assistant's confirm.
    answer = { action: 'accept', content: { send: true } };
    const sent = await session.call('send_reply', { draftId });
    expect(sent.isError).toBeFalsy();
    expect(sent.structuredContent).toMatchObject({ outcome: 'sent' });
    expect(await bench.copiesOf(chatId, reply)).toBe(1);
    expect(await session.call('send_reply', { draftId })).toMatchObject({ isError: true });
    expect(asked).toHaveLength(4);
    expect(await bench.copiesOf(chatId, reply)).toBe(1);
    const attempt = bench.auditLines().find((line) => line.sendId === draftId && line.event === 'attempt');
    expect(attempt).toMatchObject({ confirmedBy: 'elicitation' });
  });

  it('asks before a file goes, and a decline sends nothing', async () => {
    const filesDir = join(bench.work, 'files');
    mkdirSync(filesDir);
    writeFileSync(join(filesDir, 'receipt.txt'), 'Receipt 7\n');
    const asked: string[] = [];
    let answer: ElicitResult = { action: 'decline' };
    const session = await bench.open({
      filesDir,
      elicit: (request) => {
        asked.push(request.params.message);
        return answer;
      },
    });
    const { chatId } = await bench.waitingChat();
    const before = await bench.totalMessages();
    const declined = await session.call('send_file', { chatId, path: 'receipt.txt', confirm: true });
    expect(declined.isError).toBe(true);
    expect(asked[0]).toContain('receipt.txt');
    expect(asked[0]).toContain(`chat ${chatId}`);
    expect(await bench.totalMessages()).toBe(before);
    answer = { action: 'accept', content: { send: true } };
    const sent = await session.call('send_file', { chatId, path: 'receipt.txt' });
    expect(sent.structuredContent, text(sent)).toMatchObject({ outcome: 'sent' });
    expect(await bench.totalMessages()).toBe(before + 1);
  });

  it('a call cancelled while the person is asked withdraws the question and leaves the draft open', async () => {
    let asked = 0;
    let answerNow = false;
    const session = await bench.open({
      elicit: () => {
        asked++;
        if (answerNow) return { action: 'accept', content: { send: true } };
        // The person never answers this one. (The server withdraws it with notifications/cancelled; the
        // SDK's client ignores a cancellation of request id 0, so the handler is not told: not asserted.)
        return new Promise<ElicitResult>(() => {});
      },
    });
    const { chatId } = await bench.waitingChat();
    const reply = `Отменённый вопрос ${Date.now()}`;
    const draftId = draftIdOf(await session.call('draft_reply', { chatId, text: reply }));
    const controller = new AbortController();
    const pending = session.client.callTool({ name: 'send_reply', arguments: { draftId } }, undefined, {
      signal: controller.signal,
    });
    await expect.poll(() => asked).toBe(1);
    controller.abort();
    await expect(pending).rejects.toThrow();
    expect(await bench.copiesOf(chatId, reply)).toBe(0);
    // Without the cancellation reaching the confirmation, the draft would stay "being confirmed" for
    // the whole confirmation timeout and this send would be refused.
    answerNow = true;
    const sent = await session.call('send_reply', { draftId });
    expect(sent.structuredContent, text(sent)).toMatchObject({ outcome: 'sent' });
    expect(asked).toBe(2);
    expect(await bench.copiesOf(chatId, reply)).toBe(1);
  });

  it('a person who does not answer in time is a refusal; the draft stays open', async () => {
    let answerNow = false;
    const session = await bench.open({
      confirmTimeoutMs: 200,
      elicit: () =>
        answerNow ? { action: 'accept', content: { send: true } } : new Promise<ElicitResult>(() => {}),
    });
    const { chatId } = await bench.waitingChat();
    const reply = `Без ответа ${Date.now()}`;
    const draftId = draftIdOf(await session.call('draft_reply', { chatId, text: reply }));
    const unanswered = await session.call('send_reply', { draftId });
    expect(unanswered.isError).toBe(true);
    expect(await bench.copiesOf(chatId, reply)).toBe(0);
    answerNow = true;
    const sent = await session.call('send_reply', { draftId });
    expect(sent.structuredContent, text(sent)).toMatchObject({ outcome: 'sent' });
    expect(await bench.copiesOf(chatId, reply)).toBe(1);
  });

  it("without elicitation, approvals or the opt-in, the assistant's confirm: true sends nothing", async () => {
    writeFileSync(join(bench.work, 'note.txt'), 'a note\n');
    const session = await bench.open({ filesDir: bench.work });
    const { chatId } = await bench.waitingChat();
    const reply = `Возврат одобрен ${Date.now()}`;
    const draftId = draftIdOf(await session.call('draft_reply', { chatId, text: reply }));
    const before = await bench.totalMessages();
    const refused = await session.call('send_reply', { draftId, confirm: true });
    expect(refused.isError).toBe(true);
    expect(refused.structuredContent).toMatchObject({ outcome: 'refused' });
    expect(text(refused)).toMatch(/NOT SENT[\s\S]*--store[\s\S]*elicitation/);
    const file = await session.call('send_file', { chatId, path: 'note.txt', confirm: true });
    expect(file.isError).toBe(true);
    expect(text(file)).toMatch(/NOT SENT[\s\S]*elicitation/);
    expect(await bench.totalMessages()).toBe(before);
    expect(bench.trail(draftId)).toEqual(['refused']);
  });
});
