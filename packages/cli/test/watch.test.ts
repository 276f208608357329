/** watch, in polling and in push-notification mode, through the real binary and emulator. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  BUSINESS,
  expectNoSecrets,
  firstChatId,
  LongRun,
  requireBuilt,
  run,
  startEmulator,
  type TestEmulator,
  transcript,
} from './helpers.js';

let emu: TestEmulator;
let chatId: number;

function jsonLines(text: string): { chatId: number; messageId: number; sender: string; message?: string }[] {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l));
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

describe('watch (polling)', () => {
  it('prints a buyer message exactly once, and no old history', async () => {
    const text = `Where is my parcel? ${Date.now()}`;
    const watch = new LongRun(['watch', '--json', '--interval', '0.2', '--duration', '4', ...emu.flags], {
      env: emu.env(),
    });
    await watch.waitFor('stderr', /Watching \d+ chats/);
    await emu.admin.postMessage(BUSINESS, chatId, { sender: 'CUSTOMER', message: text });
    await watch.waitFor('stdout', new RegExp(text.replace(/[?]/g, '\\?')));
    // Let it poll many more times over the same, unchanged chat list before it stops on its own.
    const { code } = await watch.exited;
    expect(code).toBe(0);
    const lines = jsonLines(watch.stdout);
    expect(lines.filter((l) => l.message === text)).toHaveLength(1);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ chatId, sender: 'CUSTOMER', messageId: expect.any(Number) });
    // Polling 60 chats every 0.2 s would blow the hourly getChats quota; watch must say so.
    expect(watch.stderr).toMatch(/over the quota of 5000\. Use --interval \d+ or more/);
  });

  it('stops by itself after --max-events and prints a table line per message', async () => {
    const watch = new LongRun(['watch', '--interval', '0.2', '--max-events', '2', ...emu.flags], {
      env: emu.env(),
    });
    await watch.waitFor('stderr', /Watching \d+ chats/);
    await emu.admin.postMessage(BUSINESS, chatId, { sender: 'CUSTOMER', message: 'first of two' });
    await emu.admin.postMessage(BUSINESS, chatId, { sender: 'SUPPORT', message: 'second of two' });
    const { code } = await watch.exited;
    expect(code).toBe(0);
    expect(watch.stdout).toMatch(new RegExp(`#\\d+ {2}chat ${chatId} .* CUSTOMER\\n {2}first of two`));
    expect(watch.stdout).toContain('second of two');
    expect(watch.stdout.indexOf('first of two')).toBeLessThan(watch.stdout.indexOf('second of two'));
    expect(watch.stderr).toContain('Stopped after 2 messages');
  });

  it('--all-history prints existing messages first; --sender filters', async () => {
    const all = await run(['history', String(chatId), '--all', '--json', ...emu.flags], { env: emu.env() });
    const existing = (JSON.parse(all.stdout) as { sender: string }[]).filter(
      (m) => m.sender === 'CUSTOMER',
    ).length;
    expect(existing).toBeGreaterThan(0);
    const ok = new LongRun(
      [
        'watch',
        '--json',
        '--all-history',
        '--sender',
        'customer',
        '--interval',
        '5',
        '--duration',
        '3',
        ...emu.flags,
      ],
      { env: emu.env() },
    );
    await ok.exited;
    const lines = jsonLines(ok.stdout);
    expect(lines.filter((l) => l.chatId === chatId)).toHaveLength(existing);
    expect(lines.every((l) => l.sender === 'CUSTOMER')).toBe(true);
    expect(new Set(lines.map((l) => `${l.chatId}:${l.messageId}`)).size).toBe(lines.length);
  });

  it('--state resumes without repeating what was printed', async () => {
    const state = join(mkdtempSync(join(tmpdir(), 'ym-chats-watch-')), 'state.json');
    const args = ['watch', '--json', '--interval', '0.2', '--state', state, ...emu.flags];
    const first = new LongRun([...args, '--max-events', '1'], { env: emu.env() });
    await first.waitFor('stderr', /Watching/);
    await emu.admin.postMessage(BUSINESS, chatId, { sender: 'CUSTOMER', message: 'before restart' });
    expect((await first.exited).code).toBe(0);
    await emu.admin.postMessage(BUSINESS, chatId, { sender: 'CUSTOMER', message: 'while stopped' });
    // --duration only as a safety net: it ends a run that missed the message instead of hanging.
    const second = new LongRun([...args, '--max-events', '1', '--duration', '10'], { env: emu.env() });
    expect((await second.exited).code).toBe(0);
    expect(jsonLines(second.stdout).map((l) => l.message)).toEqual(['while stopped']);
  });

  describe("a buyer message in the same second as the chat's last update when watching began", () => {
    /** Moves the emulator clock to `ms`; it runs on from there. */
    const setClock = (ms: number) => emu.admin.clock({ setMs: ms });
    /** A new chat with an old message, created at `at` on the emulator clock. */
    async function chatAt(at: number): Promise<number> {
      await setClock(at);
      const { chat } = await emu.admin.createChat(BUSINESS, { context: { type: 'DIRECT' } });
      await emu.admin.postMessage(BUSINESS, chat.chatId, { sender: 'CUSTOMER', message: 'long ago' });
      return chat.chatId;
    }
    const post = (chat: number, message: string) =>
      emu.admin.postMessage(BUSINESS, chat, { sender: 'CUSTOMER', message });
    // Only this chat: the shared one may have been written to within the last two seconds, and whether that
    // prints is the documented limit, not what these tests are about.
    const messagesOf = (stdout: string, chat: number) =>
      jsonLines(stdout)
        .filter((l) => l.chatId === chat)
        .map((l) => l.message);

    afterEach(async () => {
      const { offsetMs } = await emu.admin.clock({ advanceMs: 0 });
      await emu.admin.clock({ advanceMs: -offsetMs });
    });

    /** The next second of this machine's clock: still going on (or just over) when a watch starts now. */
    const nextSecond = () => Math.ceil(Date.now() / 1000) * 1000;
    const watchArgs = ['watch', '--json', '--interval', '0.2', '--duration', '4'];

    // The whole second watching began in is news: a message written in it just before the start prints
    // too, because one written just after cannot be told apart from it and must never be skipped.
    it('is printed once with the rest of that second, and so is a later message that moves the chat', async () => {
      const s = nextSecond();
      const chat = await chatAt(s - 10_000);
      await setClock(s + 100);
      const m1 = await post(chat, 'M1 before watching');
      const watch = new LongRun([...watchArgs, ...emu.flags], { env: emu.env() });
      await watch.waitFor('stderr', /Watching \d+ chats/);
      await setClock(s + 300);
      const m2 = await post(chat, 'M2 same second');
      expect(m2.createdAt).toBe(m1.createdAt);
      await setClock(s + 2100);
      await post(chat, 'M3 later');
      await watch.waitFor('stdout', /M3 later/);
      // It runs on, polling the unchanged list, until --duration ends it.
      expect((await watch.exited).code).toBe(0);
      expect(messagesOf(watch.stdout, chat)).toEqual(['M1 before watching', 'M2 same second', 'M3 later']);
    });

    it('is printed even when nothing moves the chat afterwards', async () => {
      const s = nextSecond();
      const chat = await chatAt(s - 10_000);
      await setClock(s + 100);
      const m1 = await post(chat, 'M1 before watching');
      const watch = new LongRun([...watchArgs, ...emu.flags], { env: emu.env() });
      await watch.waitFor('stderr', /Watching \d+ chats/);
      await setClock(s + 300);
      const m2 = await post(chat, 'M2 same second');
      expect(m2.createdAt).toBe(m1.createdAt);
      await watch.waitFor('stdout', /M2 same second/);
      expect((await watch.exited).code).toBe(0);
      expect(messagesOf(watch.stdout, chat)).toEqual(['M1 before watching', 'M2 same second']);
    });

    it('a second that was over when watching began stays old, however many messages it holds', async () => {
      const s = Math.floor(Date.now() / 1000) * 1000 - 60_000;
      const chat = await chatAt(s - 10_000);
      await setClock(s + 100);
      await post(chat, 'M1 before watching');
      await post(chat, 'M1b in the same second, before watching');
      const watch = new LongRun([...watchArgs, ...emu.flags], { env: emu.env() });
      await watch.waitFor('stderr', /Watching \d+ chats/);
      await setClock(s + 2100);
      await post(chat, 'M3 later');
      await watch.waitFor('stdout', /M3 later/);
      expect((await watch.exited).code).toBe(0);
      expect(messagesOf(watch.stdout, chat)).toEqual(['M3 later']);
    });

    it('--state keeps it when stopped before the chat was read again', async () => {
      const state = join(mkdtempSync(join(tmpdir(), 'ym-chats-watch-')), 'state.json');
      const s = nextSecond();
      const chat = await chatAt(s - 10_000);
      await setClock(s + 100);
      const m1 = await post(chat, 'M1 before watching');
      // A long interval: stopped before its first poll, so the chat is saved still on its baseline.
      const first = new LongRun(['watch', '--json', '--interval', '60', '--state', state, ...emu.flags], {
        env: emu.env(),
      });
      await first.waitFor('stderr', /Watching \d+ chats/);
      first.kill('SIGINT');
      expect((await first.exited).code).toBe(0);
      expect(first.stdout).toBe('');
      await setClock(s + 300);
      const m2 = await post(chat, 'M2 same second, while stopped');
      expect(m2.createdAt).toBe(m1.createdAt);
      const second = new LongRun([...watchArgs, '--state', state, ...emu.flags], { env: emu.env() });
      await second.waitFor('stdout', /M2 same second/);
      expect((await second.exited).code).toBe(0);
      expect(messagesOf(second.stdout, chat)).toEqual([
        'M1 before watching',
        'M2 same second, while stopped',
      ]);
    });
  });

  it('a chat created while watch takes its first listing has its first message printed', async () => {
    // The first listing is held 1.5 s by the emulator, so the chat is certainly created after watch started
    // and still appears in that listing, in the second watching began.
    await emu.admin.addFaults([{ operation: 'getChats', delayMs: 1500, count: 1 }]);
    const watch = new LongRun(
      ['watch', '--json', '--interval', '0.2', '--max-events', '1', '--duration', '8', ...emu.flags],
      {
        env: emu.env(),
      },
    );
    try {
      for (let i = 0; i < 200; i++) {
        const { inFlight } = (await emu.admin.state()).quotas;
        if ((inFlight[String(BUSINESS)] ?? 0) > 0) break;
        await new Promise((r) => setTimeout(r, 20));
      }
      const { chat } = await emu.admin.createChat(BUSINESS, { context: { type: 'DIRECT' } });
      await emu.admin.postMessage(BUSINESS, chat.chatId, { sender: 'CUSTOMER', message: 'first words' });
      expect((await watch.exited).code).toBe(0);
      expect(jsonLines(watch.stdout)).toEqual([
        expect.objectContaining({ chatId: chat.chatId, message: 'first words' }),
      ]);
    } finally {
      await emu.admin.clearFaults();
    }
  });

  it('missing credentials: exit 4 before watching; bad flags exit 2', async () => {
    const result = await run(['watch', '--interval', '1', ...emu.flags]);
    expect(result.code).toBe(4);
    expect(result.stderr).toContain('YM_API_KEY');
    expect((await run(['watch', '--interval', 'soon', ...emu.flags], { env: emu.env() })).code).toBe(2);
    expect((await run(['watch', '--sender', 'BOT', ...emu.flags], { env: emu.env() })).code).toBe(2);
    expect(
      (await run(['watch', '--listen', '0', '--all-history', ...emu.flags], { env: emu.env() })).code,
    ).toBe(2);
  });
});

describe('watch --listen (push notifications)', () => {
  it('receives CHAT_MESSAGE_SENT from the emulator and prints the message once despite retries', async () => {
    const watch = new LongRun(['watch', '--json', '--listen', '0', '--max-events', '1', ...emu.flags], {
      env: emu.env(),
    });
    const [, url] = await watch.waitFor('stderr', /notifications on (http:\/\/127\.0\.0\.1:\d+\/)/);
    // PING and malformed events, as the platform's checker sends them.
    const ping = await fetch(url!, {
      method: 'POST',
      body: JSON.stringify({ notificationType: 'PING', time: '2026-01-01T00:00:00Z' }),
    });
    expect(ping.status).toBe(200);
    expect(await ping.json()).toMatchObject({
      name: 'ym-chats',
      version: expect.any(String),
      time: expect.any(String),
    });
    const broken = await fetch(url!, {
      method: 'POST',
      body: '{"notificationType":"CHAT_MESSAGE_SENT","chatId":"x"}',
    });
    expect(broken.status).toBe(400);
    expect(await broken.json()).toEqual({
      error: { type: 'WRONG_EVENT_FORMAT', message: expect.any(String) },
    });
    const notJson = await fetch(url!, { method: 'POST', body: 'hello' });
    expect(notJson.status).toBe(400);

    await emu.admin.configureNotifications({ url: url!, retryScheduleMs: [50, 50] });
    const posted = await emu.admin.postMessage(BUSINESS, chatId, {
      sender: 'CUSTOMER',
      message: 'pushed to you',
    });
    // The platform may deliver the same event again; the receiver must answer 200 and not print it twice.
    const duplicate = {
      notificationType: 'CHAT_MESSAGE_SENT',
      businessId: BUSINESS,
      chatId,
      messageId: String(posted.messageId),
      sentAt: posted.createdAt,
    };
    await watch.waitFor('stdout', /pushed to you/);
    const again = await fetch(url!, { method: 'POST', body: JSON.stringify(duplicate) }).catch(
      () => undefined,
    );
    if (again) expect(again.status).toBe(200);
    expect((await watch.exited).code).toBe(0);
    const lines = jsonLines(watch.stdout);
    expect(lines).toEqual([
      expect.objectContaining({ chatId, messageId: posted.messageId, message: 'pushed to you' }),
    ]);
    // The receiver answered 200 before stopping, so the emulator records the delivery as done.
    let state: string | undefined;
    for (let i = 0; i < 100 && state !== 'delivered'; i++) {
      const log = await emu.admin.notifications();
      state = log.deliveries.find((d) => d.body.notificationType === 'CHAT_MESSAGE_SENT')?.state;
      if (state !== 'delivered') await new Promise((r) => setTimeout(r, 50));
    }
    expect(state).toBe('delivered');
    await emu.admin.configureNotifications({ url: null });
  });

  it('acknowledges (200) and reports a notification whose message does not exist; 500 only while it may pass', async () => {
    const watch = new LongRun(['watch', '--json', '--listen', '0', '--duration', '3', ...emu.flags], {
      env: emu.env(),
    });
    const [, url] = await watch.waitFor('stderr', /notifications on (http:\/\/127\.0\.0\.1:\d+\/)/);
    const event = (chat: number, messageId: string) =>
      JSON.stringify({
        notificationType: 'CHAT_MESSAGE_SENT',
        businessId: BUSINESS,
        chatId: chat,
        messageId,
        sentAt: '2026-01-01T00:00:00+03:00',
      });
    const missingMessage = await fetch(url!, { method: 'POST', body: event(chatId, '999999999999') });
    expect(missingMessage.status).toBe(200);
    const missingChat = await fetch(url!, { method: 'POST', body: event(99_999_999, '1') });
    expect(missingChat.status).toBe(200);
    // A failure that may pass is still a 500, so the platform retries it.
    await emu.admin.addFaults([{ operation: 'getChatMessage', status: 503 }]);
    const posted = await emu.admin.postMessage(BUSINESS, chatId, { sender: 'CUSTOMER', message: 'later' });
    const transient = await fetch(url!, { method: 'POST', body: event(chatId, String(posted.messageId)) });
    await emu.admin.clearFaults();
    expect(transient.status).toBe(500);
    expect((await watch.exited).code).toBe(0);
    expect(watch.stderr).toMatch(/cannot act on the notification for message 999999999999 .* acknowledged/);
    expect(watch.stdout).toBe('');
  });

  it('reads pushes by the spec, as serve does: int64 ids above 2^53 exact, messageId a string, RFC 3339 times', async () => {
    const watch = new LongRun(['watch', '--json', '--listen', '0', '--duration', '3', ...emu.flags], {
      env: emu.env(),
    });
    const [, url] = await watch.waitFor('stderr', /notifications on (http:\/\/127\.0\.0\.1:\d+\/)/);
    const post = (body: string) => fetch(url!, { method: 'POST', body });
    const event = (chat: string, messageId: string, sentAt = '"2026-11-25T10:00:00Z"') =>
      `{"notificationType":"CHAT_MESSAGE_SENT","businessId":${BUSINESS},"chatId":${chat},"messageId":${messageId},"sentAt":${sentAt}}`;
    // A chat id above 2^53 is a valid int64: no such chat here, so it is acknowledged as one never to act on,
    // named with every digit.
    const big = await post(event('9007199254740993', '"9007199254740995"'));
    expect(big.status).toBe(200);
    const numericMessageId = await post(event(String(chatId), '5'));
    expect(numericMessageId.status).toBe(400);
    expect(await numericMessageId.json()).toEqual({
      error: { type: 'WRONG_EVENT_FORMAT', message: expect.stringContaining('messageId') },
    });
    const httpDate = await post(event(String(chatId), '"5"', '"Tue, 25 Nov 2026 10:00:00 GMT"'));
    expect(httpDate.status).toBe(400);
    expect((await watch.exited).code).toBe(0);
    expect(watch.stderr).toContain('message 9007199254740995 of chat 9007199254740993');
    expect(watch.stdout).toBe('');
  });

  it('dedupes repeated deliveries while it keeps running', async () => {
    const watch = new LongRun(['watch', '--json', '--listen', '0', '--duration', '3', ...emu.flags], {
      env: emu.env(),
    });
    const [, url] = await watch.waitFor('stderr', /notifications on (http:\/\/127\.0\.0\.1:\d+\/)/);
    const posted = await emu.admin.postMessage(BUSINESS, chatId, {
      sender: 'CUSTOMER',
      message: 'retried event',
    });
    const event = JSON.stringify({
      notificationType: 'CHAT_MESSAGE_SENT',
      businessId: BUSINESS,
      chatId,
      messageId: String(posted.messageId),
      sentAt: posted.createdAt,
    });
    const answers = await Promise.all([1, 2, 3].map(() => fetch(url!, { method: 'POST', body: event })));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    const late = await fetch(url!, { method: 'POST', body: event });
    expect(late.status).toBe(200);
    expect((await watch.exited).code).toBe(0);
    expect(jsonLines(watch.stdout).filter((l) => l.message === 'retried event')).toHaveLength(1);
  });
});
