/**
 * `ym-chats mcp` end to end: the MCP SDK's own client talks over stdio to the built binary, which talks
 * HTTP to a real emulator. What reached the buyer is counted on the emulator's side.
 */
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import {
  type CallToolResult,
  type ElicitRequest,
  ElicitRequestSchema,
  type ElicitResult,
} from '@modelcontextprotocol/sdk/types.js';
import { ChatsApi } from '@ym-chats/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  API_KEY,
  BIN,
  BUSINESS,
  expectNoSecrets,
  requireBuilt,
  run,
  startEmulator,
  type TestEmulator,
  transcript,
  WRONG_KEY,
} from './helpers.js';

const READ_TOOLS = ['get_chat', 'get_chat_history', 'list_chats'];
/**
 * Without elicitation the assistant's own confirm sends nothing (mcp-approval.test.ts): the send mechanics
 * below (at most once, quotas, audit, maybe-sent) are exercised through the explicit opt-in.
 */
const UNSAFE = '--unsafe-model-confirms';
const SEND_TOOLS = ['draft_reply', 'send_file', 'send_reply'];

let emu: TestEmulator;
let api: ChatsApi;
const work = mkdtempSync(join(tmpdir(), 'ym-chats-mcp-'));
const filesDir = join(work, 'files');
const auditLog = join(work, 'audit', 'mcp.jsonl');

interface Session {
  client: Client;
  stderr: () => string;
  /** Errors the client transport saw, e.g. a line on stdout that is not a protocol message. */
  transportErrors: Error[];
  close(): Promise<void>;
}

type Elicit = (
  request: ElicitRequest,
  extra: { signal: AbortSignal },
) => ElicitResult | Promise<ElicitResult>;

async function open(args: string[], elicit?: Elicit, env = emu.env()): Promise<Session> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [BIN, 'mcp', ...emu.flags, ...args],
    env: env as Record<string, string>,
    cwd: work,
    stderr: 'pipe',
  });
  let stderr = '';
  transport.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const client = new Client(
    { name: 'ym-chats-test', version: '1.0.0' },
    elicit ? { capabilities: { elicitation: {} } } : {},
  );
  if (elicit) client.setRequestHandler(ElicitRequestSchema, (request, extra) => elicit(request, extra));
  const transportErrors: Error[] = [];
  client.onerror = (error) => transportErrors.push(error);
  await client.connect(transport);
  return {
    client,
    stderr: () => stderr,
    transportErrors,
    close: async () => {
      await client.close();
      transcript.push(stderr);
    },
  };
}

async function call(session: Session, name: string, args: Record<string, unknown>): Promise<CallToolResult> {
  const result = (await session.client.callTool({ name, arguments: args })) as CallToolResult;
  transcript.push(JSON.stringify(result));
  return result;
}

function text(result: CallToolResult): string {
  return result.content.map((part) => (part.type === 'text' ? part.text : '')).join('\n');
}

async function totalMessages(): Promise<number> {
  return (await emu.admin.state()).totals.messages;
}

/** How many messages in the chat carry exactly this text. */
async function copiesOf(chatId: number, message: string): Promise<number> {
  let count = 0;
  for await (const m of api.iterateChatHistory(BUSINESS, chatId)) if (m.message === message) count++;
  return count;
}

/** A fresh chat where the buyer wrote twice and waits. */
async function waitingChat(): Promise<{ chatId: number; firstAt: string }> {
  const { chat } = await emu.admin.createChat(BUSINESS, {
    context: { type: 'DIRECT' },
    customer: { name: 'Анна', publicId: 'anna-test' },
  });
  const first = await emu.admin.postMessage(BUSINESS, chat.chatId, {
    sender: 'CUSTOMER',
    message: 'Где заказ?',
  });
  await emu.admin.postMessage(BUSINESS, chat.chatId, { sender: 'CUSTOMER', message: 'Ответьте, пожалуйста' });
  return { chatId: chat.chatId, firstAt: first.createdAt };
}

function auditLines(): Record<string, unknown>[] {
  return readFileSync(auditLog, 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

let plain: Session;
const sessions: Session[] = [];

beforeAll(async () => {
  requireBuilt();
  emu = await startEmulator();
  api = new ChatsApi({ apiKey: API_KEY, baseUrl: emu.url, pathPrefix: '/v2', rateLimit: false });
  mkdirSync(filesDir);
  writeFileSync(join(filesDir, 'invoice.txt'), 'Invoice 42: 1 990 ₽\n');
  writeFileSync(join(filesDir, 'big.bin'), Buffer.alloc(6 * 1024 * 1024, 1));
  writeFileSync(join(work, 'outside.txt'), 'not for buyers');
  symlinkSync(join(work, 'outside.txt'), join(filesDir, 'link-out.txt'));
  plain = await open(['--files-dir', filesDir, '--audit-log', auditLog, UNSAFE]);
  sessions.push(plain);
});

afterAll(async () => {
  for (const session of sessions) await session.close();
  await emu?.close();
  for (const session of sessions) expect(session.transportErrors).toEqual([]);
  transcript.push(readFileSync(auditLog, 'utf8'));
  expect(expectNoSecrets(transcript)).toEqual([]);
});

describe('ym-chats mcp: tools', () => {
  it('lists every tool with an input schema, an output schema and annotations', async () => {
    const { tools } = await plain.client.listTools();
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

  it('lists the chats where the buyer waits, as the API does', async () => {
    await waitingChat();
    const result = await call(plain, 'list_chats', { waitingOnly: true });
    expect(result.isError).toBeFalsy();
    const { chats } = result.structuredContent as { chats: { chatId: number; status: string }[] };
    expect(chats.length).toBeGreaterThan(0);
    expect(chats.every((c) => c.status === 'WAITING_FOR_PARTNER')).toBe(true);
    const direct = await api.getChats(BUSINESS, { statuses: ['WAITING_FOR_PARTNER'] }, undefined, 20);
    expect(chats.map((c) => c.chatId)).toEqual(direct.result.chats.map((c) => c.chatId));
    expect(text(result)).toContain(`chat ${chats[0]!.chatId}`);
  });

  it('reads a chat: context, buyer, status and how long the buyer has waited', async () => {
    const { chatId, firstAt } = await waitingChat();
    const result = await call(plain, 'get_chat', { chatId });
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

  it('reads the newest messages of a chat longer than one page, and pages from the start', async () => {
    const { chatId } = await waitingChat();
    for (let i = 0; i < 128; i++) {
      await emu.admin.postMessage(BUSINESS, chatId, {
        sender: i % 2 ? 'CUSTOMER' : 'PARTNER',
        message: `m${i}`,
      });
    }
    const all: number[] = [];
    for await (const m of api.iterateChatHistory(BUSINESS, chatId)) all.push(m.messageId);
    expect(all).toHaveLength(130);
    const newest = await call(plain, 'get_chat_history', { chatId, newest: 3 });
    const tail = newest.structuredContent as { messages: { messageId: number }[]; complete: boolean };
    expect(tail.messages.map((m) => m.messageId)).toEqual(all.slice(-3));
    expect(tail.complete).toBe(true);
    const chat = await call(plain, 'get_chat', { chatId });
    expect(chat.structuredContent).toMatchObject({ totalMessages: 130, waiting: { unansweredMessages: 1 } });
    const page = await call(plain, 'get_chat_history', { chatId, pageSize: 2 });
    const first = page.structuredContent as { messages: { messageId: number }[]; nextPageToken?: string };
    expect(first.messages.map((m) => m.messageId)).toEqual(all.slice(0, 2));
    const second = await call(plain, 'get_chat_history', {
      chatId,
      pageSize: 2,
      pageToken: first.nextPageToken,
    });
    expect((second.structuredContent as typeof first).messages.map((m) => m.messageId)).toEqual(
      all.slice(2, 4),
    );
    const both = await call(plain, 'get_chat_history', { chatId, newest: 3, pageSize: 2 });
    expect(both.isError).toBe(true);
  });
});

describe('ym-chats mcp: drafts and sends (client without elicitation, --unsafe-model-confirms)', () => {
  it('drafts without sending, refuses to send unconfirmed, sends once when confirmed, then never again', async () => {
    const { chatId } = await waitingChat();
    const reply = `Здравствуйте, Анна! Заказ уже в пути. ${Date.now()}`;
    const before = await totalMessages();

    const draft = await call(plain, 'draft_reply', { chatId, text: reply });
    expect(draft.isError).toBeFalsy();
    const { draftId, text: drafted } = draft.structuredContent as { draftId: string; text: string };
    expect(drafted).toBe(reply);
    expect(text(draft)).toContain(reply);
    expect(await totalMessages()).toBe(before);

    const unconfirmed = await call(plain, 'send_reply', { draftId });
    expect(unconfirmed.isError).toBe(true);
    expect(text(unconfirmed)).toMatch(/confirm: true/);
    // What to show the person: the chat and the exact text.
    expect(text(unconfirmed)).toContain(`chat ${chatId}`);
    expect(text(unconfirmed)).toContain(reply);
    const declined = await call(plain, 'send_reply', { draftId, confirm: false });
    expect(declined.isError).toBe(true);
    expect(await totalMessages()).toBe(before);

    const sent = await call(plain, 'send_reply', { draftId, confirm: true });
    expect(sent.isError).toBeFalsy();
    expect(sent.structuredContent).toMatchObject({ draftId, chatId, outcome: 'sent', dryRun: false });
    expect(await copiesOf(chatId, reply)).toBe(1);

    const again = await call(plain, 'send_reply', { draftId, confirm: true });
    expect(again.isError).toBe(true);
    expect(text(again)).toMatch(/already sent/);
    expect(await copiesOf(chatId, reply)).toBe(1);
    expect(await totalMessages()).toBe(before + 1);

    const trail = auditLines().filter((line) => line.sendId === draftId);
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
    expect(readFileSync(auditLog, 'utf8')).not.toContain(reply);
  });

  it('a draft is bound to its chat and text: extra arguments are refused, concurrent sends deliver once', async () => {
    const one = await waitingChat();
    const two = await waitingChat();
    const reply = `Ответ только для первого чата ${Date.now()}`;
    const draft = await call(plain, 'draft_reply', { chatId: one.chatId, text: reply });
    const { draftId } = draft.structuredContent as { draftId: string };
    for (const extra of [{ text: 'Другой текст' }, { chatId: two.chatId }]) {
      const changed = await call(plain, 'send_reply', { draftId, confirm: true, ...extra });
      expect(changed.isError).toBe(true);
      expect(text(changed)).toMatch(/Unrecognized key/);
    }
    expect(await copiesOf(one.chatId, reply)).toBe(0);
    const results = await Promise.all(
      [1, 2, 3].map(() => call(plain, 'send_reply', { draftId, confirm: true })),
    );
    expect(results.filter((r) => !r.isError)).toHaveLength(1);
    expect(await copiesOf(one.chatId, reply)).toBe(1);
    expect(await copiesOf(two.chatId, reply)).toBe(0);
    expect(await copiesOf(two.chatId, 'Другой текст')).toBe(0);
  });

  it('a spent quota refuses the send, nothing is sent, and the draft stays open', async () => {
    const session = await open(['--audit-log', auditLog, UNSAFE]);
    sessions.push(session);
    const { chatId } = await waitingChat();
    const reply = `После сброса квоты ${Date.now()}`;
    const draft = await call(session, 'draft_reply', { chatId, text: reply });
    const { draftId } = draft.structuredContent as { draftId: string };
    // One send left in the hour, spent by someone else.
    await emu.admin.quotas({ limits: { sendMessageToChat: 1 }, reset: true });
    try {
      await api.sendMessageToChat(BUSINESS, chatId, { message: 'sent by another tool' });
      const limited = await call(session, 'send_reply', { draftId, confirm: true });
      expect(limited.isError).toBe(true);
      expect(limited.structuredContent).toMatchObject({ outcome: 'notSent' });
      expect(text(limited)).toMatch(/quota[\s\S]*nothing was sent[\s\S]*still open/);
    } finally {
      await emu.admin.quotas({ limits: { sendMessageToChat: 1000 }, reset: true });
    }
    expect(await copiesOf(chatId, reply)).toBe(0);
    const outcomes = auditLines()
      .filter((line) => line.sendId === draftId)
      .map((line) => line.outcome ?? line.event);
    expect(outcomes).toEqual(['attempt', 'notSent']);
  });

  it('--max-sends-per-hour caps sends whatever the confirmations; the refused draft stays open', async () => {
    const session = await open(['--audit-log', auditLog, '--max-sends-per-hour', '1', UNSAFE]);
    sessions.push(session);
    const { chatId } = await waitingChat();
    const drafts: string[] = [];
    for (const reply of ['Первый ответ', 'Второй ответ']) {
      const draft = await call(session, 'draft_reply', { chatId, text: `${reply} ${Date.now()}` });
      drafts.push((draft.structuredContent as { draftId: string }).draftId);
    }
    const first = await call(session, 'send_reply', { draftId: drafts[0], confirm: true });
    expect(first.structuredContent).toMatchObject({ outcome: 'sent' });
    const before = await totalMessages();
    const second = await call(session, 'send_reply', { draftId: drafts[1], confirm: true });
    expect(second.isError).toBe(true);
    expect(second.structuredContent).toMatchObject({ outcome: 'notSent' });
    expect(text(second)).toMatch(/at most 1 send an hour[\s\S]*still open/);
    expect(await totalMessages()).toBe(before);
  });

  it('no send without a record: an audit log that cannot be written refuses the send', async () => {
    // A directory where the log file should be: every append fails.
    const session = await open(['--audit-log', filesDir, UNSAFE]);
    sessions.push(session);
    const { chatId } = await waitingChat();
    const reply = `Без записи не отправлять ${Date.now()}`;
    const draft = await call(session, 'draft_reply', { chatId, text: reply });
    const { draftId } = draft.structuredContent as { draftId: string };
    const refused = await call(session, 'send_reply', { draftId, confirm: true });
    expect(refused.isError).toBe(true);
    expect(refused.structuredContent).toMatchObject({ outcome: 'notSent' });
    expect(text(refused)).toMatch(/audit log cannot be written/);
    expect(await copiesOf(chatId, reply)).toBe(0);
    expect(session.stderr()).toMatch(/audit log .* cannot be written/);
  });

  it('a credential the API refuses is a tool error that never shows the credential', async () => {
    const session = await open(['--read-only'], undefined, emu.env({ YM_API_KEY: WRONG_KEY }));
    sessions.push(session);
    const result = await call(session, 'list_chats', {});
    expect(result.isError).toBe(true);
    expect(text(result)).toMatch(/refused the seller's credential \(401\)/);
    expect(`${text(result)}${session.stderr()}`).not.toContain(WRONG_KEY);
  });

  it('bad input gets a clear tool error and nothing is sent', async () => {
    const { chatId } = await waitingChat();
    const finished = await waitingChat();
    await emu.admin.updateChat(BUSINESS, finished.chatId, { status: 'FINISHED' });
    const before = await totalMessages();

    const unknown = await call(plain, 'draft_reply', { chatId: 99_999_999, text: 'Hello' });
    expect(unknown.isError).toBe(true);
    expect(text(unknown)).toMatch(/not found[\s\S]*Nothing was drafted or sent/);

    const long = await call(plain, 'draft_reply', { chatId, text: 'x'.repeat(4097) });
    expect(long.isError).toBe(true);
    expect(text(long)).toMatch(/4097 characters[\s\S]*at most 4096/);
    const blank = await call(plain, 'draft_reply', { chatId, text: '   ' });
    expect(blank.isError).toBe(true);
    const closed = await call(plain, 'draft_reply', { chatId: finished.chatId, text: 'Hello' });
    expect(closed.isError).toBe(true);
    expect(text(closed)).toMatch(/FINISHED/);

    const unknownDraft = await call(plain, 'send_reply', { draftId: 'draft-nope', confirm: true });
    expect(unknownDraft.isError).toBe(true);
    expect(text(unknownDraft)).toMatch(/no draft/);

    const big = await call(plain, 'send_file', { chatId, path: 'big.bin', confirm: true });
    expect(big.isError).toBe(true);
    expect(text(big)).toMatch(/6\.0 MB \(6291456 bytes\); the limit is 5 MB/);

    for (const path of [
      '../outside.txt',
      join(work, 'outside.txt'),
      'link-out.txt',
      `${filesDir}/../outside.txt`,
    ]) {
      const outside = await call(plain, 'send_file', { chatId, path, confirm: true });
      expect(outside.isError, path).toBe(true);
      expect(text(outside), path).toMatch(/outside the directory files may be sent from/);
    }
    const missing = await call(plain, 'send_file', { chatId, path: 'nope.pdf', confirm: true });
    expect(text(missing)).toMatch(/No file "nope.pdf"/);
    const unknownChat = await call(plain, 'send_file', {
      chatId: 99_999_999,
      path: 'invoice.txt',
      confirm: true,
    });
    expect(unknownChat.isError).toBe(true);
    expect(text(unknownChat)).toMatch(/not found/);

    expect(await totalMessages()).toBe(before);
  });

  it('sends a file from the allowed directory once, when confirmed', async () => {
    const { chatId } = await waitingChat();
    const refused = await call(plain, 'send_file', { chatId, path: 'invoice.txt' });
    expect(refused.isError).toBe(true);
    const sent = await call(plain, 'send_file', { chatId, path: 'invoice.txt', confirm: true });
    expect(sent.isError).toBeFalsy();
    const size = Buffer.byteLength('Invoice 42: 1 990 ₽\n');
    expect(sent.structuredContent).toMatchObject({
      chatId,
      outcome: 'sent',
      file: { name: 'invoice.txt', size },
    });
    const files = [];
    for await (const m of api.iterateChatHistory(BUSINESS, chatId)) files.push(...(m.payload ?? []));
    expect(files.map((f) => [f.name, f.size])).toEqual([['invoice.txt', size]]);
  });

  it('a send that may have been delivered is reported as such and the draft is closed', async () => {
    const { chatId } = await waitingChat();
    const reply = `Проверяем заказ ${Date.now()}`;
    const draft = await call(plain, 'draft_reply', { chatId, text: reply });
    const { draftId } = draft.structuredContent as { draftId: string };
    // The emulator stores the message, then drops the connection without answering.
    await emu.admin.addFaults([{ operation: 'sendMessageToChat', drop: 'after', count: 1 }]);
    const maybe = await call(plain, 'send_reply', { draftId, confirm: true });
    expect(maybe.isError).toBe(true);
    expect(maybe.structuredContent).toMatchObject({ outcome: 'maybeSent' });
    expect(text(maybe)).toMatch(/MAY HAVE BEEN DELIVERED/);
    const again = await call(plain, 'send_reply', { draftId, confirm: true });
    expect(again.isError).toBe(true);
    expect(text(again)).toMatch(/MAY HAVE BEEN DELIVERED[\s\S]*will not be sent again/);
    expect(await copiesOf(chatId, reply)).toBe(1);
    const outcomes = auditLines()
      .filter((line) => line.sendId === draftId && line.event === 'outcome')
      .map((line) => line.outcome);
    expect(outcomes).toEqual(['maybeSent', 'refused']);
  });
});

describe('ym-chats mcp: confirmation through elicitation', () => {
  it('asks the person with the exact text; a decline sends nothing even with confirm: true', async () => {
    const asked: string[] = [];
    let answer: ElicitResult = { action: 'decline' };
    const session = await open(['--audit-log', auditLog], (request) => {
      asked.push(request.params.message);
      return answer;
    });
    sessions.push(session);
    const { chatId } = await waitingChat();
    const reply = `Добрый день! Отправили трек-номер. ${Date.now()}`;
    const draft = await call(session, 'draft_reply', { chatId, text: reply });
    const { draftId } = draft.structuredContent as { draftId: string };

    const declined = await call(session, 'send_reply', { draftId, confirm: true });
    expect(declined.isError).toBe(true);
    expect(text(declined)).toMatch(/declined/);
    expect(asked).toHaveLength(1);
    expect(asked[0]).toContain(reply);
    expect(asked[0]).toContain(`chat ${chatId}`);
    expect(await copiesOf(chatId, reply)).toBe(0);

    answer = { action: 'accept', content: { send: false } };
    expect((await call(session, 'send_reply', { draftId })).isError).toBe(true);
    expect(await copiesOf(chatId, reply)).toBe(0);

    answer = { action: 'accept', content: { send: true } };
    const sent = await call(session, 'send_reply', { draftId });
    expect(sent.isError).toBeFalsy();
    expect(sent.structuredContent).toMatchObject({ outcome: 'sent' });
    expect(await copiesOf(chatId, reply)).toBe(1);
    expect(await call(session, 'send_reply', { draftId })).toMatchObject({ isError: true });
    expect(asked).toHaveLength(3);
    expect(await copiesOf(chatId, reply)).toBe(1);
    const attempt = auditLines().find((line) => line.sendId === draftId && line.event === 'attempt');
    expect(attempt).toMatchObject({ confirmedBy: 'elicitation' });
    // No files directory configured: no send_file.
    const { tools } = await session.client.listTools();
    expect(tools.map((t) => t.name)).not.toContain('send_file');
  });
  it('a call cancelled while the person is asked withdraws the question and leaves the draft open', async () => {
    let asked = 0;
    let answerNow = false;
    const session = await open(['--audit-log', auditLog], () => {
      asked++;
      if (answerNow) return { action: 'accept', content: { send: true } };
      // The person never answers this one. (The server withdraws it with notifications/cancelled; the
      // SDK's client ignores a cancellation of request id 0, so the handler is not told: not asserted.)
      return new Promise<ElicitResult>(() => {});
    });
    sessions.push(session);
    const { chatId } = await waitingChat();
    const reply = `Отменённый вопрос ${Date.now()}`;
    const draft = await call(session, 'draft_reply', { chatId, text: reply });
    const { draftId } = draft.structuredContent as { draftId: string };
    const controller = new AbortController();
    const pending = session.client.callTool({ name: 'send_reply', arguments: { draftId } }, undefined, {
      signal: controller.signal,
    });
    await expect.poll(() => asked).toBe(1);
    controller.abort();
    await expect(pending).rejects.toThrow();
    expect(await copiesOf(chatId, reply)).toBe(0);
    // Without the cancellation reaching the confirmation, the draft would stay "being confirmed" for
    // the whole confirmation timeout and this send would be refused.
    answerNow = true;
    const sent = await call(session, 'send_reply', { draftId });
    expect(sent.structuredContent, text(sent)).toMatchObject({ outcome: 'sent' });
    expect(asked).toBe(2);
    expect(await copiesOf(chatId, reply)).toBe(1);
  });
});

describe('ym-chats mcp: --read-only and --dry-run', () => {
  it('--read-only lists no tool that drafts or sends', async () => {
    const session = await open(['--read-only', '--files-dir', filesDir]);
    sessions.push(session);
    const { tools } = await session.client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(READ_TOOLS);
    const refused = await session.client.callTool({ name: 'send_reply', arguments: { draftId: 'x' } });
    expect(refused.isError).toBe(true);
  });

  it('--dry-run confirms and records but sends nothing', async () => {
    const session = await open(['--dry-run', '--audit-log', auditLog, UNSAFE]);
    sessions.push(session);
    const { chatId } = await waitingChat();
    const before = await totalMessages();
    const draft = await call(session, 'draft_reply', { chatId, text: 'Dry run reply' });
    const { draftId } = draft.structuredContent as { draftId: string };
    const result = await call(session, 'send_reply', { draftId, confirm: true });
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toMatchObject({ outcome: 'dryRun', dryRun: true });
    expect(await totalMessages()).toBe(before);
    const lines = auditLines().filter((line) => line.sendId === draftId);
    expect(lines.map((line) => line.outcome ?? line.event)).toEqual(['attempt', 'dryRun']);
    expect(lines.every((line) => line.dryRun === true)).toBe(true);
  });

  it('offers the "answer the waiting buyers" prompt', async () => {
    const { prompts } = await plain.client.listPrompts();
    expect(prompts.map((p) => p.name)).toContain('answer_waiting_buyers');
    const prompt = await plain.client.getPrompt({
      name: 'answer_waiting_buyers',
      arguments: { maxChats: '3' },
    });
    const first = prompt.messages[0]!.content;
    expect(first.type === 'text' ? first.text : '').toMatch(
      /at most 3 chats[\s\S]*draft_reply[\s\S]*send_reply/,
    );
  });

  it('starts as the README configures it: a ym-chats profile, no credential in the client configuration', async () => {
    const readme = readFileSync(join(BIN, '../../../mcp/README.md'), 'utf8');
    const block = [...readme.matchAll(/```json\n([\s\S]*?)```/g)]
      .map((m) => JSON.parse(m[1]!) as Record<string, unknown>)
      .find((json) => 'mcpServers' in json) as {
      mcpServers: { 'ym-chats': { command: string; args: string[]; env?: Record<string, string> } };
    };
    const server = block.mcpServers['ym-chats'];
    expect(server.command).toBe('ym-chats');
    expect(server.env).toBeUndefined();
    const args = server.args.map((arg) => (arg.startsWith('/Users/me/') ? filesDir : arg));
    const config = join(work, 'config.json');
    writeFileSync(
      config,
      JSON.stringify({ profiles: { shop: { apiKey: API_KEY, businessId: BUSINESS, baseUrl: emu.url } } }),
      { mode: 0o600 },
    );
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [BIN, ...args, '--audit-log', auditLog],
      env: { PATH: process.env.PATH ?? '', HOME: work, YM_CHATS_CONFIG: config },
      stderr: 'pipe',
    });
    const client = new Client({ name: 'readme', version: '1.0.0' });
    await client.connect(transport);
    try {
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name).sort()).toEqual([...READ_TOOLS, ...SEND_TOOLS].sort());
      const listed = (await client.callTool({
        name: 'list_chats',
        arguments: { limit: 1 },
      })) as CallToolResult;
      expect(listed.isError, text(listed)).toBeFalsy();
    } finally {
      await client.close();
    }
  });

  it('refuses the seed paths, which lack getChat', async () => {
    const result = await run(['mcp', '--seed-paths', ...emu.flags], { env: emu.env() });
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toMatch(/needs the current API paths/);
    expect(result.stdout).toBe('');
  });

  it('logs to stderr only, and never the credential', () => {
    expect(plain.stderr()).toContain(`serving business ${BUSINESS}`);
    expect(plain.stderr()).not.toContain(API_KEY);
  });
});

describe('ym-chats mcp --store: reading the sync store', () => {
  const storePath = join(work, 'store.sqlite');
  let session: Session;
  let marked: { chatId: number; text: string };

  beforeAll(async () => {
    const { chatId } = await waitingChat();
    marked = { chatId, text: 'Коробка пришла ПОМЯТАЯ, что делать?' };
    await emu.admin.postMessage(BUSINESS, chatId, { sender: 'CUSTOMER', message: marked.text });
    const synced = await run(['sync', '--once', '--store', storePath, ...emu.flags], { env: emu.env() });
    expect(synced.code, synced.stderr).toBe(0);
    session = await open(['--store', storePath, '--audit-log', auditLog]);
    sessions.push(session);
  });

  it('offers search_messages beside the reading and sending tools', async () => {
    const { tools } = await session.client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(
      ['draft_reply', 'get_chat', 'get_chat_history', 'list_chats', 'search_messages', 'send_reply'].sort(),
    );
    const search = tools.find((t) => t.name === 'search_messages')!;
    expect(search.annotations).toMatchObject({ readOnlyHint: true, destructiveHint: false });
    expect(search.outputSchema?.type).toBe('object');
  });

  it('reads chats, a chat and its history from the store without one API call', async () => {
    const waitingNow = new Set<number>();
    for await (const chat of api.iterateChats(BUSINESS, { statuses: ['WAITING_FOR_PARTNER'] })) {
      waitingNow.add(chat.chatId);
    }
    // Every reading operation fails at the API from here on: answers can only come from the store.
    await emu.admin.addFaults(
      (['getChats', 'getChat', 'getChatHistory'] as const).map((operation) => ({ operation, status: 500 })),
    );
    try {
      const listed = new Set<number>();
      let pageToken: string | undefined;
      do {
        const page = await call(session, 'list_chats', {
          waitingOnly: true,
          ...(pageToken ? { pageToken } : {}),
        });
        expect(page.isError, text(page)).toBeFalsy();
        const out = page.structuredContent as {
          chats: { chatId: number }[];
          nextPageToken?: string;
          syncedAt: string;
        };
        expect(out.syncedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
        for (const chat of out.chats) listed.add(chat.chatId);
        pageToken = out.nextPageToken;
      } while (pageToken !== undefined);
      expect([...listed].sort()).toEqual([...waitingNow].sort());

      const chat = await call(session, 'get_chat', { chatId: marked.chatId });
      expect(chat.isError, text(chat)).toBeFalsy();
      expect(chat.structuredContent).toMatchObject({
        chat: { chatId: marked.chatId, customer: { name: 'Анна' }, waitingForSeller: true },
        waiting: { unansweredMessages: 3 },
        totalMessages: 3,
      });
      expect(text(chat)).toContain('from the sync store');

      const first = await call(session, 'get_chat_history', { chatId: marked.chatId, pageSize: 2 });
      const page = first.structuredContent as { messages: { text?: string }[]; nextPageToken?: string };
      expect(page.messages.map((m) => m.text)).toEqual(['Где заказ?', 'Ответьте, пожалуйста']);
      const rest = await call(session, 'get_chat_history', {
        chatId: marked.chatId,
        pageSize: 2,
        pageToken: page.nextPageToken,
      });
      expect((rest.structuredContent as typeof page).messages.map((m) => m.text)).toEqual([marked.text]);
      expect((rest.structuredContent as typeof page).nextPageToken).toBeUndefined();
    } finally {
      await emu.admin.clearFaults();
    }
  });

  it('searches the stored messages, case-insensitively and in Russian', async () => {
    const found = await call(session, 'search_messages', { query: 'помятая' });
    expect(found.isError, text(found)).toBeFalsy();
    const out = found.structuredContent as {
      hits: { chatId: number; text?: string }[];
      scannedMessages: number;
    };
    expect(out.hits).toEqual([
      expect.objectContaining({ chatId: marked.chatId, text: marked.text, sender: 'CUSTOMER' }),
    ]);
    expect(out.scannedMessages).toBeGreaterThan(100);
    const partner = await call(session, 'search_messages', { query: 'помятая', sender: 'PARTNER' });
    expect((partner.structuredContent as typeof out).hits).toEqual([]);
    const inChat = await call(session, 'search_messages', { query: 'ответьте', chatId: marked.chatId });
    expect((inChat.structuredContent as typeof out).hits.map((h) => h.text)).toEqual([
      'Ответьте, пожалуйста',
    ]);
  });

  it('a chat newer than the last sync is a clear error; its draft waits for approval, then goes once', async () => {
    const fresh = await waitingChat();
    const missing = await call(session, 'get_chat', { chatId: fresh.chatId });
    expect(missing.isError).toBe(true);
    expect(text(missing)).toMatch(/not in the sync store/);
    const reply = `Ответ из режима хранилища ${Date.now()}`;
    const draft = await call(session, 'draft_reply', { chatId: fresh.chatId, text: reply });
    expect(draft.isError, text(draft)).toBeFalsy();
    const { draftId } = draft.structuredContent as { draftId: string };
    expect((await call(session, 'send_reply', { draftId, confirm: true })).structuredContent).toMatchObject({
      outcome: 'waitingForApproval',
    });
    expect(await copiesOf(fresh.chatId, reply)).toBe(0);
    const approved = await run(['mcp', 'approve', draftId, '--store', storePath, ...emu.flags], {
      env: emu.env(),
    });
    expect(approved.code, approved.stderr).toBe(0);
    expect(await copiesOf(fresh.chatId, reply)).toBe(1);
  });

  it('a store that does not exist is a usage error, not a new empty mirror', async () => {
    const result = await run(['mcp', '--store', join(work, 'nope.sqlite'), ...emu.flags], { env: emu.env() });
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toMatch(/no sync store at .*nope\.sqlite[\s\S]*sync --store/);
    expect(result.stdout).toBe('');
  });
});
