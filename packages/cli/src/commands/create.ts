import type { CreateChatRequest } from '@ym-chats/sdk';
import { str } from '../args.js';
import { UsageError } from '../errors.js';
import { parseId } from '../ids.js';
import type { Command } from './command.js';

export const createCommand: Command = {
  name: 'create',
  summary: 'start a chat about an order or a return (or get the existing one)',
  usage: 'create --order ID | --return ID',
  description:
    'Starts a chat with the buyer about an order or a return and prints its id. If a chat for that order ' +
    'or return exists already, the platform returns it, so running this twice is safe. Sellers cannot ' +
    'start DIRECT chats.',
  options: {
    order: { type: 'string', arg: 'ID', help: 'the order to talk about' },
    return: { type: 'string', arg: 'ID', help: 'the return to talk about' },
  },
  positionals: { min: 0, max: 0, names: '' },
  examples: [
    ['create --order 123456', 'chat about order 123456'],
    ['create --return 7890 --json', 'chat about a return, print {"chatId":…}'],
  ],
  usesApi: true,
  async run(ctx) {
    const { values, out, io } = ctx;
    const order = str(values, 'order');
    const ret = str(values, 'return');
    if ((order === undefined) === (ret === undefined)) {
      throw new UsageError(
        'create: give exactly one of --order ID or --return ID',
        'See `ym-chats create --help`.',
      );
    }
    const type: 'ORDER' | 'RETURN' = order !== undefined ? 'ORDER' : 'RETURN';
    const id = parseId(order ?? ret, order !== undefined ? 'order id (--order)' : 'return id (--return)');
    const { api, businessId, connection } = ctx.connect();
    if (connection.pathPrefix === '' && type === 'RETURN') {
      throw new UsageError('create --return needs the current API paths', 'Drop --seed-paths / --v1.');
    }
    // The seed API only knew orderId; the current one prefers context.
    const request: CreateChatRequest =
      connection.pathPrefix === '' ? { orderId: id } : { context: { type, id } };
    const { result } = await api.createChat(businessId, request);
    if (out.json) out.document({ chatId: result.chatId, context: { type, id } });
    else {
      out.write(`Chat ${out.c.bold(String(result.chatId))} for ${type.toLowerCase()} ${id}.\n`);
      out.hint(`Write to the buyer: ${io.self} send ${result.chatId} "Hello!"`);
    }
    return 0;
  },
};
