/** An in-process emulator on 127.0.0.1 with admin and SDK clients, as the SDK's integration tests do. */
import { AdminClient, createEmulator, DEFAULT_BUSINESS_ID, type EmulatorOptions } from '@ym-chats/emulator';
import { type ChatMessage, ChatsApi, type ClientOptions } from '@ym-chats/sdk';

export const BUSINESS = DEFAULT_BUSINESS_ID;
export const API_KEY = 'emulator-api-key';

export async function startEmulator(options: EmulatorOptions = {}) {
  const emulator = createEmulator(options);
  const url = await emulator.listen(0, '127.0.0.1');
  const admin = new AdminClient(url);
  /** A client with fast retries unless told otherwise. */
  const client = (overrides: Partial<ClientOptions> = {}) =>
    new ChatsApi({
      baseUrl: url,
      apiKey: API_KEY,
      pathPrefix: '/v2',
      retry: { baseDelayMs: 1, maxDelayMs: 10 },
      ...overrides,
    });
  /** The truth: every message of a chat, read with a fresh fault-free client (call with faults cleared). */
  const history = async (chatId: number, business = BUSINESS): Promise<ChatMessage[]> => {
    const api = client({ rateLimit: false });
    const all: ChatMessage[] = [];
    for await (const m of api.iterateChatHistory(business, chatId, {}, { limit: 100 })) all.push(m);
    return all;
  };
  return { emulator, url, admin, client, history, close: () => emulator.close() };
}

export type EmulatorEnv = Awaited<ReturnType<typeof startEmulator>>;

/** The sequence number in the emulator's `X-Request-Id` (`<boot>-<n>`): API requests it has seen so far. */
export async function emulatorRequestSeq(url: string, business = BUSINESS): Promise<number> {
  // Never retried: a retry whose first try reached the emulator would count one request too many. Callers
  // read it with no faults armed.
  const res = await fetch(`${url}/v2/businesses/${business}/chat?chatId=1`, {
    headers: { 'Api-Key': API_KEY },
  });
  await res.text();
  const id = res.headers.get('x-request-id') ?? '';
  const seq = Number(id.slice(id.lastIndexOf('-') + 1));
  if (!Number.isInteger(seq)) throw new Error(`unexpected X-Request-Id "${id}"`);
  return seq;
}
