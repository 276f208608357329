// Send a file to a chat, start a chat about an order, and read one message.
//   YM_BASE_URL=… YM_API_KEY=… YM_BUSINESS_ID=… npx tsx examples/send-file.ts <chatId> [path] [orderId]
// The path defaults to examples/invoice.pdf, a one-page sample that ships with the repository.
import { fileURLToPath } from 'node:url';
import { ChatsApi, ChatsApiError } from '@ym-chats/sdk';

const [chatId, path = fileURLToPath(new URL('./invoice.pdf', import.meta.url)), orderId] =
  process.argv.slice(2);
if (chatId === undefined || !/^\d+$/.test(chatId)) {
  console.error('usage: npx tsx examples/send-file.ts <chatId> [path] [orderId]');
  process.exit(2);
}

const api = new ChatsApi({
  apiKey: process.env.YM_API_KEY ?? '',
  baseUrl: process.env.YM_BASE_URL,
  pathPrefix: '/v2',
});
const businessId = Number(process.env.YM_BUSINESS_ID);

try {
  await api.sendFileToChat(businessId, Number(chatId), path); // at most 5 MB, checked before sending

  const { result } = await api.getChatHistory(businessId, Number(chatId), {}, undefined, 100);
  const sent = result.messages.at(-1);
  console.log(
    'last message:',
    sent?.payload?.map((file) => `${file.name} (${file.size} B) ${file.url}`),
  );

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
