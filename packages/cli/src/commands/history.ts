import type { GetChatHistoryRequest } from '@ym-chats/sdk';
import { flag, numberFlag, str } from '../args.js';
import { parseId } from '../ids.js';
import { messageBlock } from '../output/chat-view.js';
import { contextLabel } from '../output/format.js';
import { safeLine } from '../output/safe-text.js';
import type { Command } from './command.js';
import { collectPages } from './pages.js';

export const historyCommand: Command = {
  name: 'history',
  summary: 'messages of a chat, oldest first; one page or --all',
  usage: 'history <chatId> [--from MESSAGE_ID] [--all | --page-token T] [--limit N]',
  description:
    'Prints the messages of a chat, oldest first, with attachments (name, size, download URL). Without ' +
    '--all one page is shown (50 messages unless --limit). --from starts at a message id, inclusive. In ' +
    '--json attachment sizes are bytes.',
  options: {
    from: { type: 'string', arg: 'MESSAGE_ID', help: 'start at this message (inclusive)' },
    all: { type: 'boolean', help: 'fetch every page' },
    limit: { type: 'string', arg: 'N', help: 'messages per page, 1–100 (API default 50)' },
    'page-token': {
      type: 'string',
      arg: 'TOKEN',
      help: 'continue from this page (printed by the previous run)',
    },
  },
  positionals: { min: 1, max: 1, names: 'the chat id' },
  examples: [
    ['history 12345', 'the first page of messages'],
    ['history 12345 --all --json > chat.json', 'the whole conversation as a JSON array'],
    ['history 12345 --from 987654', 'messages from 987654 on'],
  ],
  usesApi: true,
  async run(ctx) {
    const { values, out } = ctx;
    const chatId = parseId(ctx.positionals[0], 'chat id');
    const from = str(values, 'from');
    const request: GetChatHistoryRequest = {};
    if (from !== undefined) request.messageIdFrom = parseId(from, 'message id (--from)');
    const limit = numberFlag(values, 'limit', { min: 1, max: 100 });
    const pageToken = str(values, 'page-token');
    const { api, businessId } = ctx.connect();
    const {
      items: messages,
      next,
      result,
    } = await collectPages(out, {
      all: flag(values, 'all'),
      noun: 'messages',
      pageSize: limit ?? 100,
      ...(pageToken === undefined ? {} : { pageToken }),
      iterate: (options) => api.iterateChatHistory(businessId, chatId, request, options),
      page: async () => {
        const { result } = await api.getChatHistory(businessId, chatId, request, pageToken, limit);
        return { items: result.messages, next: result.paging?.nextPageToken, result };
      },
    });
    const about = result === undefined ? '' : safeLine(contextLabel(result));
    if (out.json) {
      out.document(messages);
    } else {
      if (about !== '') out.write(`${out.c.bold(`Chat ${chatId}`)}  ${out.c.dim(about)}\n\n`);
      if (messages.length === 0) out.hint('No messages.');
      out.write(messages.map((m) => messageBlock(m, out.c)).join('\n'));
    }
    if (next !== undefined) {
      out.hint(
        `${messages.length} messages on this page. Next page: ${ctx.io.self} history ${chatId} --page-token ${next}${from !== undefined ? ` --from ${from}` : ''} (or --all)`,
      );
    }
    return 0;
  },
};
