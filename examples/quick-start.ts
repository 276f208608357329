// Answer the first buyer who is waiting for you. Runs against the emulator (`npm start`) unless
// YM_BASE_URL names the real API (https://api.partner.market.yandex.ru) on purpose.
//   YM_API_KEY=… YM_BUSINESS_ID=… npx tsx examples/quick-start.ts
import { ChatsApi, ChatsApiError } from '@ym-chats/sdk';

// One line for what went wrong (no key, an unreachable URL, a refused key), no stack trace.
process.on('uncaughtException', (error) => {
  console.error(`error: ${error.message}`);
  process.exit(1);
});

const api = new ChatsApi({
  apiKey: process.env.YM_API_KEY ?? '',
  // This script sends: the local emulator unless YM_BASE_URL names the real API on purpose.
  baseUrl: process.env.YM_BASE_URL ?? 'http://127.0.0.1:8080',
  pathPrefix: '/v2',
});
const businessId = Number(process.env.YM_BUSINESS_ID);

// Every chat waiting for the seller, across all pages.
for await (const chat of api.iterateChats(businessId, { statuses: ['WAITING_FOR_PARTNER'] })) {
  // The buyer's last words: walk the history (oldest first) and keep the last customer message.
  let last: string | undefined;
  for await (const message of api.iterateChatHistory(businessId, chat.chatId)) {
    if (message.sender === 'CUSTOMER' && message.message) last = message.message;
  }
  console.log(`chat ${chat.chatId} (${chat.context?.type} ${chat.context?.orderId ?? ''}): ${last ?? '—'}`);

  try {
    await api.sendMessageToChat(businessId, chat.chatId, {
      message: 'Здравствуйте! Уже проверяем ваш заказ.',
    });
  } catch (error) {
    // A send that failed ambiguously is never repeated blindly: it may already be in the buyer's chat.
    if (error instanceof ChatsApiError && error.maybeSent)
      console.warn(`chat ${chat.chatId}: check before resending`);
    else throw error;
  }
  break; // one reply is enough for a demo
}

const quota = await api.quotaState(businessId);
console.log(quota.map((q) => `${q.operation}: ${q.remaining}/${q.limit}`).join(', '));
