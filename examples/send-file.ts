// Send a file to a chat, start a chat about an order, and read one message.
//   YM_API_KEY=… YM_BUSINESS_ID=… npx tsx examples/send-file.ts <chatId> [path] [orderId]
// It sends: the local emulator (`npm start`) unless YM_BASE_URL names the real API on purpose.
// The path defaults to examples/invoice.pdf, a one-page sample that ships with the repository.
import { fileURLToPath } from 'node:url';
import { type ChatMessage, ChatsApi, ChatsApiError } from '@ym-chats/sdk';

const [chatId, path = fileURLToPath(new URL('./invoice.pdf', import.meta.url)), orderId] =
  process.argv.slice(2);
if (chatId === undefined || !/^\d+$/.test(chatId)) {
  console.error('usage: npx tsx examples/send-file.ts <chatId> [path] [orderId]');
  process.exit(2);
}

const api = new ChatsApi({
  apiKey: process.env.YM_API_KEY ?? '',
  // This script sends: the local emulator unless YM_BASE_URL names the real API on purpose.
  baseUrl: process.env.YM_BASE_URL ?? 'http://127.0.0.1:8080',
  pathPrefix: '/v2',
});
const businessId = Number(process.env.YM_BUSINESS_ID);

try {
  await api.sendFileToChat(businessId, Number(chatId), path); // at most 5 MB, checked before sending

  // The history comes oldest first, a page at a time: the file just sent is on the last page.
  let sent: ChatMessage | undefined;
  for await (const message of api.iterateChatHistory(businessId, Number(chatId))) {
    if (message.sender === 'PARTNER' && message.payload?.length) sent = message;
  }
  console.log('sent:', sent?.payload?.map((file) => `${file.name} (${file.size} B) ${file.url}`).join(', '));

  if (orderId) {
    // Safe to repeat: returns the existing chat for the order if there is one.
    const created = await api.createChat(businessId, { context: { type: 'ORDER', id: Number(orderId) } });
    console.log('chat for order', orderId, '→', created.result.chatId);
  }
} catch (error) {
  // One line for what went wrong (a missing file, an unknown chat or order, a refused key), no stack trace.
  if (error instanceof ChatsApiError || (error instanceof Error && 'code' in error)) {
    console.error(`error: ${error.message}`);
    process.exit(1);
  }
  throw error;
}
