/** send, send-file, create and quota exhaustion, through the real binary and emulator. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BUSINESS,
  expectNoSecrets,
  firstChatId,
  type MessageJson,
  requireBuilt,
  run,
  startEmulator,
  type TestEmulator,
  transcript,
} from './helpers.js';

let emu: TestEmulator;
let chatId: number;
const dir = mkdtempSync(join(tmpdir(), 'ym-chats-files-'));

async function historyOf(id: number): Promise<MessageJson[]> {
  const result = await run(['history', String(id), '--all', '--json', ...emu.flags], { env: emu.env() });
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout) as MessageJson[];
}

async function totals() {
  return (await emu.admin.state()).totals;
}

beforeAll(async () => {
  requireBuilt();
  emu = await startEmulator();
  chatId = await firstChatId(emu);
});
afterAll(async () => {
  await emu?.close();
  expect(expectNoSecrets(transcript)).toEqual([]);
});

describe('send', () => {
  it('sends a message that history then shows as the seller’s', async () => {
    const text = `Your order ships tomorrow ${Date.now()}`;
    const result = await run(['send', String(chatId), text, ...emu.flags], { env: emu.env() });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Sent to chat ${chatId}`);
    const last = (await historyOf(chatId)).at(-1)!;
    expect(last).toMatchObject({ sender: 'PARTNER', message: text });
    const table = await run(['history', String(chatId), '--all', ...emu.flags], { env: emu.env() });
    expect(table.stdout).toContain(text);
  });

  it('--json prints a status document', async () => {
    const result = await run(['send', String(chatId), 'json please', '--json', ...emu.flags], {
      env: emu.env(),
    });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ status: 'OK', chatId, characters: 11 });
  });

  it('reads the text from stdin with "-" or with no text argument', async () => {
    const viaDash = await run(['send', String(chatId), '-', ...emu.flags], {
      env: emu.env(),
      input: 'Line one\nline two\n',
    });
    expect(viaDash.code).toBe(0);
    expect((await historyOf(chatId)).at(-1)!.message).toBe('Line one\nline two');
    const implicit = await run(['send', String(chatId), ...emu.flags], {
      env: emu.env(),
      input: 'from a pipe\n',
    });
    expect(implicit.code).toBe(0);
    expect((await historyOf(chatId)).at(-1)!.message).toBe('from a pipe');
  });

  it('an empty message is a usage error (exit 2) and nothing is sent', async () => {
    const before = (await totals()).messages;
    for (const input of ['', '  \n']) {
      const result = await run(['send', String(chatId), '-', ...emu.flags], { env: emu.env(), input });
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('empty');
    }
    const arg = await run(['send', String(chatId), '', ...emu.flags], { env: emu.env() });
    expect(arg.code).toBe(2);
    expect((await totals()).messages).toBe(before);
  });

  it('a message over 4096 characters is refused before sending (exit 2)', async () => {
    const result = await run(['send', String(chatId), 'x'.repeat(4097), '--json', ...emu.flags], {
      env: emu.env(),
    });
    expect(result.code).toBe(2);
    expect(JSON.parse(result.stderr).error.message).toContain('4096');
  });

  it('a bad chat id is exit 2, an unknown chat exit 3', async () => {
    expect((await run(['send', 'abc', 'hi', ...emu.flags], { env: emu.env() })).code).toBe(2);
    expect((await run(['send', '0', 'hi', ...emu.flags], { env: emu.env() })).code).toBe(2);
    const unknown = await run(['send', '987654321', 'hi', ...emu.flags], { env: emu.env() });
    expect(unknown.code).toBe(3);
    expect(unknown.stderr).toContain('404');
  });

  it('a send that may have gone through says so and exits 3', async () => {
    await emu.admin.addFaults([{ operation: 'sendMessageToChat', status: 500, count: 1 }]);
    const result = await run(['send', String(chatId), 'maybe delivered', ...emu.flags], { env: emu.env() });
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('MAY HAVE BEEN SENT');
    expect(result.stderr).toContain(`history`);
    const json = await (async () => {
      await emu.admin.addFaults([{ operation: 'sendMessageToChat', status: 500, count: 1 }]);
      return run(['send', String(chatId), 'maybe delivered', '--json', ...emu.flags], { env: emu.env() });
    })();
    expect(json.code).toBe(3);
    expect(JSON.parse(json.stderr).error).toMatchObject({ status: 500, exitCode: 3, maybeSent: true });
    await emu.admin.clearFaults();
  });
});

describe('send-file', () => {
  it('uploads a file; history shows its name and size', async () => {
    const path = join(dir, 'invoice.txt');
    writeFileSync(path, 'Invoice #1\nTotal: 100 RUB\n');
    const result = await run(['send-file', String(chatId), path, ...emu.flags], { env: emu.env() });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('invoice.txt');
    const last = (await historyOf(chatId)).at(-1)!;
    expect(last.sender).toBe('PARTNER');
    expect(last.payload).toEqual([
      { name: 'invoice.txt', size: 26, url: expect.stringContaining('/_emulator/files/') },
    ]);
    const json = await run(['send-file', String(chatId), path, '--json', ...emu.flags], { env: emu.env() });
    expect(JSON.parse(json.stdout)).toEqual({
      status: 'OK',
      chatId,
      file: { name: 'invoice.txt', size: 26 },
    });
  });

  it('a missing file is exit 2 and nothing is sent', async () => {
    const before = await totals();
    const result = await run(['send-file', String(chatId), join(dir, 'nope.pdf'), ...emu.flags], {
      env: emu.env(),
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('file not found');
    expect(await totals()).toEqual(before);
  });

  it('a file over 5 MB is exit 2 naming its size and the limit, and the emulator receives nothing', async () => {
    const path = join(dir, 'big.bin');
    writeFileSync(path, Buffer.alloc(5 * 1024 * 1024 + 1));
    const before = await totals();
    const result = await run(['send-file', String(chatId), path, ...emu.flags], { env: emu.env() });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('5242881 bytes');
    expect(result.stderr).toContain('5242880 bytes');
    expect(await totals()).toEqual(before);
    const json = await run(['send-file', String(chatId), path, '--json', ...emu.flags], { env: emu.env() });
    expect(JSON.parse(json.stderr).error).toMatchObject({ type: 'UsageError', exitCode: 2 });
  });

  it('exactly 5 MB is accepted', async () => {
    const path = join(dir, 'limit.bin');
    writeFileSync(path, Buffer.alloc(5 * 1024 * 1024));
    const result = await run(['send-file', String(chatId), path, '--json', ...emu.flags], { env: emu.env() });
    expect(result.code).toBe(0);
  });
});

describe('create', () => {
  it('creates a chat for an existing order; repeating returns the same chat', async () => {
    const order = await emu.admin.createOrder(BUSINESS, {});
    const first = await run(['create', '--order', String(order.orderId), '--json', ...emu.flags], {
      env: emu.env(),
    });
    expect(first.code).toBe(0);
    const created = JSON.parse(first.stdout) as { chatId: number; context: { type: string; id: number } };
    expect(created.context).toEqual({ type: 'ORDER', id: order.orderId });
    const again = await run(['create', '--order', String(order.orderId), ...emu.flags], { env: emu.env() });
    expect(again.code).toBe(0);
    expect(again.stdout).toContain(`Chat ${created.chatId} for order ${order.orderId}`);
    const listed = await run(['chats', '--order', String(order.orderId), '--json', ...emu.flags], {
      env: emu.env(),
    });
    expect((JSON.parse(listed.stdout) as { chatId: number }[]).map((c) => c.chatId)).toEqual([
      created.chatId,
    ]);
  });

  it('creates a chat for a return', async () => {
    const ret = await emu.admin.createReturn(BUSINESS, {});
    const result = await run(['create', '--return', String(ret.returnId), '--json', ...emu.flags], {
      env: emu.env(),
    });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).context).toEqual({ type: 'RETURN', id: ret.returnId });
  });

  it('needs exactly one of --order and --return; bad ids are exit 2; an unknown order exit 3', async () => {
    expect((await run(['create', ...emu.flags], { env: emu.env() })).code).toBe(2);
    expect(
      (await run(['create', '--order', '1', '--return', '2', ...emu.flags], { env: emu.env() })).code,
    ).toBe(2);
    expect((await run(['create', '--order', 'abc', ...emu.flags], { env: emu.env() })).code).toBe(2);
    const unknown = await run(['create', '--order', '123', ...emu.flags], { env: emu.env() });
    expect(unknown.code).toBe(3);
    expect(unknown.stderr).toContain('404');
  });
});

describe('quota', () => {
  it('exhausted quota is exit 5 with the reset time; JSON carries resetAt', async () => {
    const tiny = await startEmulator({ quotas: { limits: { getChats: 1 } } });
    try {
      // Mid-hour on the emulator's clock, so the hourly window cannot turn over between the calls.
      await tiny.admin.clock({ setMs: Date.UTC(2026, 0, 15, 12, 30) });
      const first = await run(['chats', ...tiny.flags], { env: tiny.env() });
      expect(first.code).toBe(0);
      const second = await run(['chats', ...tiny.flags], { env: tiny.env() });
      expect(second.code).toBe(5);
      expect(second.stderr).toContain('420');
      expect(second.stderr).toMatch(/quota resets at \d{4}-\d{2}-\d{2}T/);
      const json = await run(['chats', '--json', ...tiny.flags], { env: tiny.env() });
      expect(json.code).toBe(5);
      expect(JSON.parse(json.stderr).error).toMatchObject({
        type: 'RateLimitError',
        status: 420,
        exitCode: 5,
        resetAt: expect.any(String),
      });
    } finally {
      await tiny.close();
    }
  });
});
