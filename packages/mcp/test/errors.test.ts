/** Bad input and a refused credential: a clear tool error, nothing reaches the buyer, no secret is shown. */
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUSINESS, McpBench, type Session, text, WRONG_KEY } from './support/session.js';

let bench: McpBench;
let session: Session;
let filesDir: string;

beforeAll(async () => {
  bench = await McpBench.start();
  filesDir = join(bench.work, 'files');
  mkdirSync(filesDir);
  writeFileSync(join(filesDir, 'invoice.txt'), 'Invoice 42: 1 990 ₽\n');
  writeFileSync(join(filesDir, 'big.bin'), Buffer.alloc(6 * 1024 * 1024, 1));
  writeFileSync(join(bench.work, 'outside.txt'), 'not for buyers');
  symlinkSync(join(bench.work, 'outside.txt'), join(filesDir, 'link-out.txt'));
  session = await bench.open({ filesDir, unsafeModelConfirms: true });
});

afterAll(async () => {
  expect(await bench.close()).toEqual({ clientErrors: [], secretsShown: [] });
});

describe('errors', () => {
  it('a credential the API refuses is a tool error that never shows the credential', async () => {
    const wrong = await bench.open({ readOnly: true, apiKey: WRONG_KEY });
    const result = await wrong.call('list_chats', {});
    expect(result.isError).toBe(true);
    expect(text(result)).toMatch(/refused the seller's credential \(401\)/);
    // The transcript check in afterAll covers every result and log line too.
    expect(`${text(result)}${wrong.log.join('\n')}`).not.toContain(WRONG_KEY);
  });

  it('bad input to draft_reply and send_reply gets a clear tool error and nothing is sent', async () => {
    const { chatId } = await bench.waitingChat();
    const finished = await bench.waitingChat();
    await bench.admin.updateChat(BUSINESS, finished.chatId, { status: 'FINISHED' });
    const before = await bench.totalMessages();

    const unknown = await session.call('draft_reply', { chatId: 99_999_999, text: 'Hello' });
    expect(unknown.isError).toBe(true);
    expect(text(unknown)).toMatch(/not found[\s\S]*Nothing was drafted or sent/);

    const long = await session.call('draft_reply', { chatId, text: 'x'.repeat(4097) });
    expect(long.isError).toBe(true);
    expect(text(long)).toMatch(/4097 characters[\s\S]*at most 4096/);
    const blank = await session.call('draft_reply', { chatId, text: '   ' });
    expect(blank.isError).toBe(true);
    const closed = await session.call('draft_reply', { chatId: finished.chatId, text: 'Hello' });
    expect(closed.isError).toBe(true);
    expect(text(closed)).toMatch(/FINISHED/);

    const unknownDraft = await session.call('send_reply', { draftId: 'draft-nope', confirm: true });
    expect(unknownDraft.isError).toBe(true);
    expect(text(unknownDraft)).toMatch(/no draft/);

    expect(await bench.totalMessages()).toBe(before);
  });

  it('bad input to send_file gets a clear tool error and nothing is sent', async () => {
    const { chatId } = await bench.waitingChat();
    const before = await bench.totalMessages();

    const big = await session.call('send_file', { chatId, path: 'big.bin', confirm: true });
    expect(big.isError).toBe(true);
    expect(text(big)).toMatch(/6\.0 MB \(6291456 bytes\); the limit is 5 MB/);

    for (const path of [
      '../outside.txt',
      join(bench.work, 'outside.txt'),
      'link-out.txt',
      `${filesDir}/../outside.txt`,
    ]) {
      const outside = await session.call('send_file', { chatId, path, confirm: true });
      expect(outside.isError, path).toBe(true);
      expect(text(outside), path).toMatch(/outside the directory files may be sent from/);
    }
    const missing = await session.call('send_file', { chatId, path: 'nope.pdf', confirm: true });
    expect(missing.isError).toBe(true);
    expect(text(missing)).toMatch(/No file "nope.pdf"/);
    const unknownChat = await session.call('send_file', {
      chatId: 99_999_999,
      path: 'invoice.txt',
      confirm: true,
    });
    expect(unknownChat.isError).toBe(true);
    expect(text(unknownChat)).toMatch(/not found/);

    expect(await bench.totalMessages()).toBe(before);
  });
});
