import { parseId } from '../ids.js';
import { chatFields } from '../output/chat-view.js';
import type { Command } from './command.js';

export const chatCommand: Command = {
  name: 'chat',
  summary: 'show one chat: status, type, order or return, customer',
  usage: 'chat <chatId>',
  description: 'Shows one chat by id (the getChat method of the current API).',
  options: {},
  positionals: { min: 1, max: 1, names: 'the chat id' },
  examples: [
    ['chat 12345', 'status, context and customer of chat 12345'],
    ['chat 12345 --json | jq .status', 'just the status, for a script'],
  ],
  usesApi: true,
  async run(ctx) {
    const chatId = parseId(ctx.positionals[0], 'chat id');
    const { api, businessId } = ctx.connect();
    const { result } = await api.getChat(businessId, chatId);
    if (ctx.out.json) ctx.out.document(result);
    else {
      ctx.out.write(chatFields(result, ctx.out.c));
      ctx.out.hint(`Messages: ${ctx.io.self} history ${result.chatId}`);
    }
    return 0;
  },
};
