/**
 * `ym-chats mcp` as the CLI composes it: the MCP SDK's own client talks over stdio to the built binary,
 * which talks HTTP to a real emulator. What the server itself does (tools, drafts and sends, elicitation,
 * modes) is tested in-process in packages/mcp/test; here: the configuration as the README gives it, the
 * flags as the CLI parses them, the refusals before serving, the logs, one send end to end, and the sync
 * store the CLI opens. What reached the buyer is counted on the emulator's side.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
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
} from './helpers.js';

const READ_TOOLS = ['get_chat', 'get_chat_history', 'list_chats'];
/**
 * Without elicitation the assistant's own confirm sends nothing (mcp-approval.test.ts): the send below
 * goes through the explicit opt-in.
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

async function open(args: string[], env = emu.env()): Promise<Session> {
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
  const client = new Client({ name: 'ym-chats-test', version: '1.0.0' });
  const transportErrors: Error[] = [];
  client.onerror = (error) => transportErrors.push(error);
  await client.connect(transport);
  const session: Session = {
    client,
    stderr: () => stderr,
    transportErrors,
    close: async () => {
      await client.close();
      transcript.push(stderr);
    },
  };
  sessions.push(session);
  return session;
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

function auditLines(path = auditLog): Record<string, unknown>[] {
  return readFileSync(path, 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

const sessions: Session[] = [];

beforeAll(async () => {
  requireBuilt();
  emu = await startEmulator();
  api = new ChatsApi({ apiKey: API_KEY, baseUrl: emu.url, pathPrefix: '/v2', rateLimit: false });
  mkdirSync(filesDir);
  writeFileSync(join(filesDir, 'invoice.txt'), 'Invoice 42: 1 990 ₽\n');
});

afterAll(async () => {
  for (const session of sessions) await session.close();
  await emu?.close();
  for (const session of sessions) expect(session.transportErrors).toEqual([]);
  transcript.push(readFileSync(auditLog, 'utf8'));
  expect(expectNoSecrets(transcript)).toEqual([]);
});

describe('ym-chats mcp: over stdio, as the CLI composes it', () => {
  it('sends end to end: --unsafe-model-confirms, a relative --files-dir, --audit-log, --max-sends-per-hour', async () => {
    // --files-dir relative to the working directory the client starts the server in.
    const session = await open([
      '--files-dir',
      'files',
      '--audit-log',
      auditLog,
      '--max-sends-per-hour',
      '2',
      UNSAFE,
    ]);
    const { tools } = await session.client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual([...READ_TOOLS, ...SEND_TOOLS].sort());
    const { chatId } = await waitingChat();
    const reply = `Здравствуйте, Анна! Заказ уже в пути. ${Date.now()}`;
    const before = await totalMessages();

    const draft = await call(session, 'draft_reply', { chatId, text: reply });
    const { draftId } = draft.structuredContent as { draftId: string };
    expect(await totalMessages()).toBe(before);
    const sent = await call(session, 'send_reply', { draftId, confirm: true });
    expect(sent.structuredContent, text(sent)).toMatchObject({
      draftId,
      chatId,
      outcome: 'sent',
      dryRun: false,
    });
    expect(await copiesOf(chatId, reply)).toBe(1);
    const again = await call(session, 'send_reply', { draftId, confirm: true });
    expect(text(again)).toMatch(/already sent/);

    const file = await call(session, 'send_file', { chatId, path: 'invoice.txt', confirm: true });
    expect(file.structuredContent, text(file)).toMatchObject({
      outcome: 'sent',
      file: { name: 'invoice.txt' },
    });
    expect(await totalMessages()).toBe(before + 2);

    // The third send in the hour meets --max-sends-per-hour 2.
    const third = await call(session, 'draft_reply', { chatId, text: `Третий ответ ${Date.now()}` });
    const capped = await call(session, 'send_reply', {
      draftId: (third.structuredContent as { draftId: string }).draftId,
      confirm: true,
    });
    expect(capped.structuredContent).toMatchObject({ outcome: 'notSent' });
    expect(text(capped)).toMatch(/at most 2 sends an hour/);
    expect(await totalMessages()).toBe(before + 2);

    const attempt = auditLines().find((line) => line.sendId === draftId && line.event === 'attempt');
    expect(attempt).toMatchObject({ via: 'mcp', confirmedBy: 'unsafe-model-confirms' });
    expect(session.stderr()).toMatch(/UNSAFE: --unsafe-model-confirms/);
  });

  it('--read-only lists no tool that drafts or sends', async () => {
    const session = await open(['--read-only', '--files-dir', filesDir]);
    const { tools } = await session.client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(READ_TOOLS);
    const refused = await session.client.callTool({ name: 'send_reply', arguments: { draftId: 'x' } });
    expect(refused.isError).toBe(true);
    await expect.poll(() => session.stderr()).toMatch(/reading the API, read-only/);
  });

  it('--dry-run confirms and records but sends nothing; the audit log defaults to $XDG_STATE_HOME', async () => {
    const state = join(work, 'state');
    const session = await open(['--dry-run', UNSAFE], emu.env({ XDG_STATE_HOME: state }));
    const { chatId } = await waitingChat();
    const before = await totalMessages();
    const draft = await call(session, 'draft_reply', { chatId, text: 'Dry run reply' });
    const { draftId } = draft.structuredContent as { draftId: string };
    const result = await call(session, 'send_reply', { draftId, confirm: true });
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toMatchObject({ outcome: 'dryRun', dryRun: true });
    expect(await totalMessages()).toBe(before);
    const lines = auditLines(join(state, 'ym-chats', 'mcp-audit.jsonl')).filter(
      (line) => line.sendId === draftId,
    );
    expect(lines.map((line) => line.outcome ?? line.event)).toEqual(['attempt', 'dryRun']);
    expect(lines.every((line) => line.dryRun === true)).toBe(true);
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

  it('refuses a --files-dir that is not a directory and a --max-sends-per-hour out of range', async () => {
    const missing = await run(['mcp', '--files-dir', 'no-such-dir', ...emu.flags], { env: emu.env() });
    expect(missing.code, missing.stderr).toBe(2);
    expect(missing.stderr).toMatch(/--files-dir no-such-dir is not a directory/);
    expect(missing.stdout).toBe('');
    const zero = await run(['mcp', '--max-sends-per-hour', '0', ...emu.flags], { env: emu.env() });
    expect(zero.code, zero.stderr).toBe(2);
    expect(zero.stderr).toMatch(/--max-sends-per-hour/);
    expect(zero.stdout).toBe('');
  });

  it('logs to stderr only, and never the credential', async () => {
    const session = await open(['--audit-log', auditLog]);
    expect((await call(session, 'list_chats', { limit: 1 })).isError).toBeFalsy();
    await expect
      .poll(() => session.stderr())
      .toContain(`serving business ${BUSINESS} over stdio, reading the API; audit log ${auditLog}`);
    expect(session.stderr()).not.toContain(API_KEY);
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
  });

  it('offers search_messages and get_report beside the reading and sending tools', async () => {
    const { tools } = await session.client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(
      [
        'draft_reply',
        'get_chat',
        'get_chat_history',
        'get_report',
        'list_chats',
        'search_messages',
        'send_reply',
      ].sort(),
    );
    expect(tools.find((t) => t.name === 'get_report')!.annotations).toMatchObject({ readOnlyHint: true });
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
    // Word forms, by the store index's Snowball stems (the store here was never indexed: a scan, same rule).
    const forms = await call(session, 'search_messages', { query: 'помятую коробку' });
    expect((forms.structuredContent as typeof out).hits.map((h) => h.text)).toEqual([marked.text]);
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
