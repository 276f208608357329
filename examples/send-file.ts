// Send a file to a chat, start a chat about an order, and read one message.
//   YM_BASE_URL=… YM_API_KEY=… YM_BUSINESS_ID=… npx tsx examples/send-file.ts <chatId> <path> [orderId]
import { ChatsApi, ValidationError } from '@ym-chats/sdk';

const [chatId, path, orderId] = process.argv.slice(2);
const api = new ChatsApi({
  apiKey: process.env.YM_API_KEY ?? '',
  baseUrl: process.env.YM_BASE_URL,
  pathPrefix: '/v2',
});
const businessId = Number(process.env.YM_BUSINESS_ID);

try {
  await api.sendFileToChat(businessId, Number(chatId), path ?? 'invoice.pdf'); // at most 5 MB, checked first
} catch (error) {
  if (error instanceof ValidationError) {
    console.error(`not sent: ${error.message}`); // e.g. "file: is 6291456 bytes; the platform accepts at most …"
    process.exit(2);
  }
  throw error;
}

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
