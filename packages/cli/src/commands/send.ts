import { MESSAGE_MAX_LENGTH } from '@ym-chats/sdk';
import { UsageError } from '../errors.js';
import { parseId } from '../ids.js';
import { readStdin } from '../stdin.js';
import type { Command } from './command.js';

const TEXT_HINT =
  'Give the text as an argument (quote it) or pipe it: echo "Hello" | ym-chats send <chatId> -';

export const sendCommand: Command = {
  name: 'send',
  summary: 'send a text message to the buyer (text from the argument or stdin)',
  usage: 'send <chatId> [<text> | -]',
  description:
    'Sends a text message (1–4096 characters) to the buyer in a chat. With "-" as the text, or no text ' +
    'while stdin is a pipe, the text is read from stdin (one trailing newline is dropped). A send is never ' +
    'retried once it may have reached the platform: if the outcome is unknown the command says so and exits 3.',
  options: {},
  positionals: { min: 1, max: Number.POSITIVE_INFINITY, names: 'the chat id' },
  examples: [
    ['send 12345 "Hello! Your order ships tomorrow."', 'send a message'],
    ['send 12345 - < answer.txt', 'send the contents of a file as the message'],
    ['send 12345 "Thanks!" --json', 'send and print {"status":"OK",…}'],
  ],
  usesApi: true,
  async run(ctx) {
    const { io, out } = ctx;
    const chatId = parseId(ctx.positionals[0], 'chat id');
    const words = ctx.positionals.slice(1);
    let text: string;
    if (words.length === 0 || (words.length === 1 && words[0] === '-')) {
      if (words.length === 0 && io.stdin.isTTY === true) {
        throw new UsageError('send: no message text', TEXT_HINT);
      }
      if (ctx.values['api-key-file'] === '-' || ctx.values['oauth-token-file'] === '-') {
        throw new UsageError(
          'send: stdin already carries the credential (--api-key-file -)',
          'Give the message as an argument, or the credential in a file.',
        );
      }
      text = (await readStdin(io.stdin)).replace(/\r?\n$/, '');
    } else {
      if (words.includes('-'))
        throw new UsageError('send: "-" (read stdin) cannot be mixed with text', TEXT_HINT);
      // Unquoted words are joined, as `echo` would: `send 1 hello there` sends "hello there".
      text = words.join(' ');
    }
    if (text.trim() === '') throw new UsageError('send: the message is empty; nothing was sent', TEXT_HINT);
    if (text.length > MESSAGE_MAX_LENGTH) {
      throw new UsageError(
        `send: the message is ${text.length} characters; the limit is ${MESSAGE_MAX_LENGTH}. Nothing was sent.`,
        'Shorten it or split it into several messages.',
      );
    }
    const { api, businessId } = ctx.connect();
    await api.sendMessageToChat(businessId, chatId, { message: text });
    if (out.json) out.document({ status: 'OK', chatId, characters: text.length });
    else {
      out.write(`${out.c.green('Sent')} to chat ${chatId} (${text.length} characters).\n`);
      out.hint(`See it: ${io.self} history ${chatId} --all`);
    }
    return 0;
  },
};
