import { parseId } from '../ids.js';
import { messageBlock } from '../output/chat-view.js';
import type { Command } from './command.js';

export const messageCommand: Command = {
  name: 'message',
  summary: 'show one message of a chat',
  usage: 'message <chatId> <messageId>',
  description:
    'Shows one message by id (the getChatMessage method of the current API), with its attachments. This is ' +
    'what a CHAT_MESSAGE_SENT notification points to.',
  options: {},
  positionals: { min: 2, max: 2, names: 'the chat id and the message id' },
  examples: [
    ['message 12345 987654', 'one message'],
    ['message 12345 987654 --json', 'the same as JSON (attachment sizes in bytes)'],
  ],
  usesApi: true,
  async run(ctx) {
    const chatId = parseId(ctx.positionals[0], 'chat id');
    const messageId = parseId(ctx.positionals[1], 'message id');
    const { api, businessId } = ctx.connect();
    const { result } = await api.getChatMessage(businessId, chatId, messageId);
    if (ctx.out.json) ctx.out.document(result);
    else ctx.out.write(messageBlock(result, ctx.out.c, String(chatId)));
    return 0;
  },
};
