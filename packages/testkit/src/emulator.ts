/**
 * The real emulator for the tests that fill a store (sync, cli): seeded over its admin API, read back from its own SQLite state as the
 * truth a mirror must equal, and an SDK client whose every HTTP call is counted.
 */
import { AdminClient, createEmulator, type EmulatorOptions, type EmulatorServer } from '@ym-chats/emulator';
import { ChatsApi, type ClientOptions } from '@ym-chats/sdk';
import type { SyncStore } from '@ym-chats/sync';

export const BUSINESS = 1001;
export const API_KEY = 'sync-test-api-key-7d2c';

export interface CallCounts {
  getChats: number;
  getChatHistory: number;
  other: number;
}

export interface TestEmulator {
  emulator: EmulatorServer;
  url: string;
  admin: AdminClient;
  close(): Promise<void>;
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<TestEmulator> {
  const emulator = createEmulator({
    credentials: [{ apiKey: API_KEY, businessIds: [BUSINESS] }],
    ...options,
  });
  const url = await emulator.listen(0);
  return { emulator, url, admin: new AdminClient(url), close: () => emulator.close() };
}

/** An SDK client for the emulator whose calls are counted at the HTTP level, per operation. */
export function countingApi(
  url: string,
  options: Partial<ClientOptions> = {},
): { api: ChatsApi; counts: CallCounts; reset(): CallCounts } {
  const counts: CallCounts = { getChats: 0, getChatHistory: 0, other: 0 };
  const fetchCounted: ClientOptions['fetch'] = (target, init) => {
    const path = new URL(target).pathname;
    if (path.endsWith('/chats/history')) counts.getChatHistory += 1;
    else if (path.endsWith('/chats')) counts.getChats += 1;
    else counts.other += 1;
    return fetch(target, init);
  };
  const api = new ChatsApi({
    apiKey: API_KEY,
    baseUrl: url,
    pathPrefix: '/v2',
    fetch: fetchCounted,
    ...options,
  });
  return {
    api,
    counts,
    reset() {
      const before = { ...counts };
      counts.getChats = 0;
      counts.getChatHistory = 0;
      counts.other = 0;
      return before;
    },
  };
}

/** The API shows times in whole seconds. */
const isoSeconds = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString();

export interface MirrorState {
  chats: string[];
  messages: string[];
}

/** The emulator's chats and messages of the business, as comparable lines. */
export function emulatorState(emu: TestEmulator): MirrorState {
  const db = emu.emulator.store.db;
  const chats = db
    .prepare('SELECT * FROM chats WHERE business_id = ? ORDER BY chat_id')
    .all(BUSINESS) as Record<string, number | string | null>[];
  const messages = db
    .prepare('SELECT * FROM messages WHERE business_id = ? ORDER BY message_id')
    .all(BUSINESS) as Record<string, number | string | null>[];
  return {
    chats: chats.map((c) =>
      [
        c.chat_id,
        c.type,
        c.status,
        c.context_type,
        c.order_id,
        c.return_id,
        c.campaign_id,
        c.customer_name,
        c.customer_public_id,
        isoSeconds(Number(c.created_at)),
        isoSeconds(Number(c.updated_at)),
      ].join('|'),
    ),
    messages: messages.map((m) => {
      const files =
        m.payload === null ? [] : (JSON.parse(String(m.payload)) as { f: number; n: string; s: number }[]);
      const fileText = files
        .map((f) => `${f.n}:${f.s}:${emu.url}/_emulator/files/${f.f}/${encodeURIComponent(f.n || 'file')}`)
        .join(',');
      return [
        m.message_id,
        m.chat_id,
        m.sender,
        m.text ?? '',
        isoSeconds(Number(m.created_at)),
        fileText,
      ].join('|');
    }),
  };
}

/** The mirror's chats and messages, in the same lines. */
export async function mirrorState(store: SyncStore): Promise<MirrorState> {
  const b = BigInt(BUSINESS);
  const chats = (await store.chats(b)).sort((x, y) => (x.chatId < y.chatId ? -1 : 1));
  const lines: { id: bigint; line: string }[] = [];
  for (const c of chats) {
    for (const m of await store.messages(b, c.chatId)) {
      const fileText = m.files.map((f) => `${f.name}:${f.size}:${f.url}`).join(',');
      lines.push({
        id: m.messageId,
        line: [m.messageId, m.chatId, m.sender, m.text ?? '', m.createdAt, fileText].join('|'),
      });
    }
  }
  lines.sort((x, y) => (x.id < y.id ? -1 : 1));
  return {
    chats: chats.map((c) =>
      [
        c.chatId,
        c.type,
        c.status,
        c.contextType,
        c.orderId ?? '',
        c.returnId ?? '',
        c.campaignId ?? '',
        c.customerName,
        c.customerPublicId,
        c.createdAt,
        c.updatedAt,
      ].join('|'),
    ),
    messages: lines.map((l) => l.line),
  };
}

/** Messages per chat in the emulator, for the minimum-call formulas. */
export function messagesPerChat(emu: TestEmulator): Map<number, number> {
  const rows = emu.emulator.store.db
    .prepare(
      'SELECT c.chat_id AS chat, COUNT(m.message_id) AS n FROM chats c LEFT JOIN messages m ON m.chat_id = c.chat_id WHERE c.business_id = ? GROUP BY c.chat_id',
    )
    .all(BUSINESS) as { chat: number; n: number }[];
  return new Map(rows.map((r) => [r.chat, r.n]));
}

export const chatPages = (chats: number) => Math.max(1, Math.ceil(chats / 20));

/** A cold pass: the chat pages plus max(1, ceil(messages / 100)) history pages per chat. */
export function coldMinimum(perChat: Map<number, number>): CallCounts {
  let history = 0;
  for (const n of perChat.values()) history += Math.max(1, Math.ceil(n / 100));
  return { getChats: chatPages(perChat.size), getChatHistory: history, other: 0 };
}
