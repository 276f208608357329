import { AdminClient, createEmulator, DEFAULT_BUSINESS_ID, type EmulatorOptions } from '@ym-chats/emulator';
import { ChatsApi, type ClientOptions } from '@ym-chats/sdk';

export const BUSINESS = DEFAULT_BUSINESS_ID;
export const API_KEY = 'emulator-api-key';

/** A real emulator on 127.0.0.1 plus an SDK client and an admin client pointed at it. */
export async function startEmulator(options: EmulatorOptions = {}, client: Partial<ClientOptions> = {}) {
  const emulator = createEmulator(options);
  const url = await emulator.listen(0);
  const admin = new AdminClient(url);
  const api = new ChatsApi({
    baseUrl: url,
    apiKey: API_KEY,
    pathPrefix: '/v2',
    retry: { baseDelayMs: 1, maxDelayMs: 10, verifySettleMs: 300 },
    ...client,
  });
  /** A fresh order with a seller-created chat about it. */
  const newChat = async () => {
    const order = await admin.createOrder(BUSINESS);
    const { result } = await api.createChat(BUSINESS, { context: { type: 'ORDER', id: order.orderId } });
    return { orderId: order.orderId, chatId: result.chatId };
  };
  const messages = async (chatId: number) => {
    const all = [];
    for await (const m of api.iterateChatHistory(BUSINESS, chatId, {}, { limit: 100 })) all.push(m);
    return all;
  };
  return { emulator, url, admin, api, newChat, messages, close: () => emulator.close() };
}
