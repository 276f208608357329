import { flag, numberFlag, str } from '../args.js';
import { chatsTable } from '../output/chat-view.js';
import type { Command } from './command.js';
import { chatsFilter, FILTER_OPTIONS } from './filters.js';
import { collectPages } from './pages.js';

export const chatsCommand: Command = {
  name: 'chats',
  summary: 'list chats, filtered; one page or --all',
  usage:
    'chats [--status S] [--type T] [--context-type C] [--order ID] [--return ID] [--all | --page-token T] [--limit N]',
  description:
    'Lists the chats of the business, most recently updated first as the API returns them. Without --all ' +
    'one page is shown and the token of the next page is printed on stderr. With --all every page is ' +
    'fetched; --json then prints one array of every chat.',
  options: {
    ...FILTER_OPTIONS,
    all: { type: 'boolean', help: 'fetch every page' },
    limit: { type: 'string', arg: 'N', help: 'chats per page, 1–20 (API default 10)' },
    'page-token': {
      type: 'string',
      arg: 'TOKEN',
      help: 'start from this page (printed by the previous run)',
    },
  },
  positionals: { min: 0, max: 0, names: '' },
  examples: [
    ['chats --status WAITING_FOR_PARTNER', 'chats where the buyer is waiting for you'],
    ['chats --all --json > chats.json', 'every chat, as one JSON array'],
    ['chats --order 123456 --order 123457', 'the chats of two orders'],
  ],
  usesApi: true,
  async run(ctx) {
    const { values, out } = ctx;
    const { api, businessId, connection } = ctx.connect();
    const filter = chatsFilter(values, connection.pathPrefix === '');
    const limit = numberFlag(values, 'limit', { min: 1, max: 20 });
    const pageToken = str(values, 'page-token');
    const { items: chats, next } = await collectPages(out, {
      all: flag(values, 'all'),
      noun: 'chats',
      pageSize: limit ?? 20,
      ...(pageToken === undefined ? {} : { pageToken }),
      iterate: (options) => api.iterateChats(businessId, filter, options),
      page: async () => {
        const { result } = await api.getChats(businessId, filter, pageToken, limit);
        return { items: result.chats, next: result.paging?.nextPageToken, result };
      },
    });
    if (out.json) {
      out.document(chats);
    } else if (chats.length === 0) {
      out.hint('No chats match.');
    } else {
      out.write(chatsTable(chats, out.c, out.width));
    }
    if (!out.json || next !== undefined) {
      const count = `${chats.length} chat${chats.length === 1 ? '' : 's'}`;
      if (next !== undefined) {
        out.hint(
          `${count} on this page. Next page: ${ctx.io.self} chats --page-token ${next} with the same filters, or --all for every page`,
        );
      } else if (!out.json && chats.length > 0) {
        out.hint(count);
      }
    }
    return 0;
  },
};
