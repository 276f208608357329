/**
 * Drafts and sends through a client without elicitation, with the `unsafeModelConfirms` opt-in (without it
 * such a client sends nothing: elicitation.test.ts and the CLI's mcp-approval test): each draft at most
 * once, the quotas, the send budget, the audit log, the file send and the send that may have gone.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUSINESS, draftIdOf, McpBench, type Session, text } from './support/session.js';

let bench: McpBench;
let session: Session;
let filesDir: string;

beforeAll(async () => {
  bench = await McpBench.start();
  filesDir = join(bench.work, 'files');
  mkdirSync(filesDir);
  writeFileSync(join(filesDir, 'invoice.txt'), 'Invoice 42: 1 990 ₽\n');
  session = await bench.open({ filesDir, unsafeModelConfirms: true });
});

afterAll(async () => {
  expect(await bench.close()).toEqual({ clientErrors: [], secretsShown: [] });
});

describe('drafts and sends', () => {
  it('drafts without sending, refuses to send unconfirmed, sends once when confirmed, then never again', async () => {
    const { chatId } = await bench.waitingChat();
    const reply = `Здравствуйте, Анна! Заказ уже в пути. ${Date.now()}`;
    const before = await bench.totalMessages();

    const draft = await session.call('draft_reply', { chatId, text: reply });
    expect(draft.isError).toBeFalsy();
    const { draftId, text: drafted } = draft.structuredContent as { draftId: string; text: string };
    expect(drafted).toBe(reply);
    expect(text(draft)).toContain(reply);
    expect(await bench.totalMessages()).toBe(before);

    const unconfirmed = await session.call('send_reply', { draftId });
    expect(unconfirmed.isError).toBe(true);
    expect(text(unconfirmed)).toMatch(/confirm: true/);
    // What to show the person: the chat and the exact text.
    expect(text(unconfirmed)).toContain(`chat ${chatId}`);
    expect(text(unconfirmed)).toContain(reply);
    const declined = await session.call('send_reply', { draftId, confirm: false });
    expect(declined.isError).toBe(true);
    expect(await bench.totalMessages()).toBe(before);

    const sent = await session.call('send_reply', { draftId, confirm: true });
    expect(sent.isError).toBeFalsy();
    expect(sent.structuredContent).toMatchObject({ draftId, chatId, outcome: 'sent', dryRun: false });
    expect(await bench.copiesOf(chatId, reply)).toBe(1);

    const again = await session.call('send_reply', { draftId, confirm: true });
    expect(again.isError).toBe(true);
    expect(text(again)).toMatch(/already sent/);
    expect(await bench.copiesOf(chatId, reply)).toBe(1);
    expect(await bench.totalMessages()).toBe(before + 1);

    const trail = bench.auditLines().filter((line) => line.sendId === draftId);
    expect(trail.map((line) => [line.event, line.outcome ?? null])).toEqual([
      ['outcome', 'refused'],
      ['outcome', 'refused'],
      ['attempt', null],
      ['outcome', 'sent'],
      ['outcome', 'refused'],
    ]);
    expect(trail.every((line) => line.via === 'mcp' && line.chatId === String(chatId))).toBe(true);
    expect(trail[2]).toMatchObject({
      kind: 'text',
      characters: reply.length,
      confirmedBy: 'unsafe-model-confirms',
    });
    expect(bench.auditText()).not.toContain(reply);
  });

  it('a draft is bound to its chat and text: extra arguments are refused, concurrent sends deliver once', async () => {
    const one = await bench.waitingChat();
    const two = await bench.waitingChat();
    const reply = `Ответ только для первого чата ${Date.now()}`;
    const draftId = draftIdOf(await session.call('draft_reply', { chatId: one.chatId, text: reply }));
    for (const extra of [{ text: 'Другой текст' }, { chatId: two.chatId }]) {
      const changed = await session.call('send_reply', { draftId, confirm: true, ...extra });
      expect(changed.isError).toBe(true);
      expect(text(changed)).toMatch(/Unrecognized key/);
    }
    expect(await bench.copiesOf(one.chatId, reply)).toBe(0);
    const results = await Promise.all(
      [1, 2, 3].map(() => session.call('send_reply', { draftId, confirm: true })),
    );
    expect(results.filter((r) => !r.isError)).toHaveLength(1);
    expect(await bench.copiesOf(one.chatId, reply)).toBe(1);
    expect(await bench.copiesOf(two.chatId, reply)).toBe(0);
    expect(await bench.copiesOf(two.chatId, 'Другой текст')).toBe(0);
  });

  it('sends a file from the allowed directory once, when confirmed', async () => {
    const { chatId } = await bench.waitingChat();
    const refused = await session.call('send_file', { chatId, path: 'invoice.txt' });
    expect(refused.isError).toBe(true);
    const sent = await session.call('send_file', { chatId, path: 'invoice.txt', confirm: true });
    expect(sent.isError).toBeFalsy();
    const size = Buffer.byteLength('Invoice 42: 1 990 ₽\n');
    expect(sent.structuredContent).toMatchObject({
      chatId,
      outcome: 'sent',
      file: { name: 'invoice.txt', size },
    });
    const files = [];
    for await (const m of bench.api.iterateChatHistory(BUSINESS, chatId)) files.push(...(m.payload ?? []));
    expect(files.map((f) => [f.name, f.size])).toEqual([['invoice.txt', size]]);
  });
});

describe('what stops a send', () => {
  it('a spent quota refuses the send, nothing is sent, and the draft stays open', async () => {
    // A session of its own: its client remembers the spent quota until the hour turns over.
    const spent = await bench.open({ unsafeModelConfirms: true });
    const { chatId } = await bench.waitingChat();
    const reply = `После сброса квоты ${Date.now()}`;
    const draftId = draftIdOf(await spent.call('draft_reply', { chatId, text: reply }));
    // One send left in the hour, spent by someone else.
    await bench.admin.quotas({ limits: { sendMessageToChat: 1 }, reset: true });
    try {
      await bench.api.sendMessageToChat(BUSINESS, chatId, { message: 'sent by another tool' });
      const limited = await spent.call('send_reply', { draftId, confirm: true });
      expect(limited.isError).toBe(true);
      expect(limited.structuredContent).toMatchObject({ outcome: 'notSent' });
      expect(text(limited)).toMatch(/quota[\s\S]*nothing was sent[\s\S]*still open/);
    } finally {
      await bench.admin.quotas({ limits: { sendMessageToChat: 1000 }, reset: true });
    }
    expect(await bench.copiesOf(chatId, reply)).toBe(0);
    expect(bench.trail(draftId)).toEqual(['attempt', 'notSent']);
    // Still open: asked again, the draft meets the quota again, not "already sent" or "no draft".
    const again = await spent.call('send_reply', { draftId, confirm: true });
    expect(again.structuredContent).toMatchObject({ outcome: 'notSent' });
    expect(text(again)).toMatch(/quota[\s\S]*still open/);
    expect(await bench.copiesOf(chatId, reply)).toBe(0);
  });

  it('maxSendsPerHour caps sends whatever the confirmations; the refused draft stays open', async () => {
    let now = Date.parse('2026-11-25T10:00:00Z');
    const capped = await bench.open({
      maxSendsPerHour: 1,
      unsafeModelConfirms: true,
      now: () => new Date(now),
    });
    const { chatId } = await bench.waitingChat();
    const drafts: string[] = [];
    for (const reply of ['Первый ответ', 'Второй ответ']) {
      drafts.push(draftIdOf(await capped.call('draft_reply', { chatId, text: `${reply} ${Date.now()}` })));
    }
    const first = await capped.call('send_reply', { draftId: drafts[0], confirm: true });
    expect(first.structuredContent).toMatchObject({ outcome: 'sent' });
    const before = await bench.totalMessages();
    const second = await capped.call('send_reply', { draftId: drafts[1], confirm: true });
    expect(second.isError).toBe(true);
    expect(second.structuredContent).toMatchObject({ outcome: 'notSent' });
    expect(text(second)).toMatch(/at most 1 send an hour[\s\S]*still open/);
    expect(await bench.totalMessages()).toBe(before);
    // An hour later the budget has room again and the refused draft is still there to send.
    now += 60 * 60_000 + 1;
    const afterHour = await capped.call('send_reply', { draftId: drafts[1], confirm: true });
    expect(afterHour.structuredContent, text(afterHour)).toMatchObject({ outcome: 'sent' });
    expect(await bench.totalMessages()).toBe(before + 1);
  });

  it('no send without a record: an audit log that cannot be written refuses the send', async () => {
    // A directory where the log file should be: every append fails.
    const unwritable = await bench.open({ auditLog: filesDir, unsafeModelConfirms: true });
    const { chatId } = await bench.waitingChat();
    const reply = `Без записи не отправлять ${Date.now()}`;
    const draftId = draftIdOf(await unwritable.call('draft_reply', { chatId, text: reply }));
    const refused = await unwritable.call('send_reply', { draftId, confirm: true });
    expect(refused.isError).toBe(true);
    expect(refused.structuredContent).toMatchObject({ outcome: 'notSent' });
    expect(text(refused)).toMatch(/audit log cannot be written/);
    expect(await bench.copiesOf(chatId, reply)).toBe(0);
    expect(unwritable.log.join('\n')).toMatch(/audit log .* cannot be written/);
  });

  it('a send that may have been delivered is reported as such and the draft is closed', async () => {
    const { chatId } = await bench.waitingChat();
    const reply = `Проверяем заказ ${Date.now()}`;
    const draftId = draftIdOf(await session.call('draft_reply', { chatId, text: reply }));
    // The emulator stores the message, then drops the connection without answering.
    await bench.admin.addFaults([{ operation: 'sendMessageToChat', drop: 'after', count: 1 }]);
    const maybe = await session.call('send_reply', { draftId, confirm: true });
    expect(maybe.isError).toBe(true);
    expect(maybe.structuredContent).toMatchObject({ outcome: 'maybeSent' });
    expect(text(maybe)).toMatch(/MAY HAVE BEEN DELIVERED/);
    const again = await session.call('send_reply', { draftId, confirm: true });
    expect(again.isError).toBe(true);
    expect(text(again)).toMatch(/MAY HAVE BEEN DELIVERED[\s\S]*will not be sent again/);
    expect(await bench.copiesOf(chatId, reply)).toBe(1);
    const outcomes = bench
      .auditLines()
      .filter((line) => line.sendId === draftId && line.event === 'outcome')
      .map((line) => line.outcome);
    expect(outcomes).toEqual(['maybeSent', 'refused']);
  });
});
