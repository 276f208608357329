import { stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { FILE_MAX_BYTES } from '@ym-chats/sdk';
import { UsageError } from '../errors.js';
import { parseId } from '../ids.js';
import { humanSize } from '../output/format.js';
import type { Command } from './command.js';

export const sendFileCommand: Command = {
  name: 'send-file',
  summary: 'send a file (at most 5 MB) to the buyer',
  usage: 'send-file <chatId> <path>',
  description:
    'Uploads a file to a chat (multipart, field "file"). The file is checked before anything is sent: it ' +
    'must exist, be a regular file and be at most 5 MB (5242880 bytes). Like send, an upload that may have ' +
    'reached the platform is never repeated.',
  options: {},
  positionals: { min: 2, max: 2, names: 'the chat id and the file path' },
  examples: [
    ['send-file 12345 ./invoice.pdf', 'attach an invoice'],
    ['send-file 12345 photo.jpg --json', 'attach a photo, print {"status":"OK",…}'],
  ],
  usesApi: true,
  async run(ctx) {
    const { io, out } = ctx;
    const chatId = parseId(ctx.positionals[0], 'chat id');
    const path = resolve(io.cwd, ctx.positionals[1]!);
    const shown = ctx.positionals[1]!;
    let size: number;
    try {
      const info = await stat(path);
      if (!info.isFile())
        throw new UsageError(`send-file: "${shown}" is not a regular file; nothing was sent`);
      size = info.size;
    } catch (error) {
      if (error instanceof UsageError) throw error;
      const code = (error as { code?: string }).code;
      throw new UsageError(
        code === 'ENOENT'
          ? `send-file: file not found: "${shown}"; nothing was sent`
          : `send-file: cannot read "${shown}" (${code ?? 'error'}); nothing was sent`,
        'Check the path (it is relative to the current directory).',
      );
    }
    if (size > FILE_MAX_BYTES) {
      throw new UsageError(
        `send-file: "${shown}" is ${humanSize(size)} (${size} bytes); the limit is 5 MB (${FILE_MAX_BYTES} bytes). Nothing was sent.`,
        'Compress the file or split it; the platform refuses anything larger.',
      );
    }
    const { api, businessId } = ctx.connect();
    // The SDK checks the size again on the bytes it actually reads, in case the file grew meanwhile.
    await api.sendFileToChat(businessId, chatId, path);
    const name = basename(path);
    if (out.json) out.document({ status: 'OK', chatId, file: { name, size } });
    else {
      out.write(`${out.c.green('Sent')} ${name} (${humanSize(size)}) to chat ${chatId}.\n`);
      out.hint(`See it: ${io.self} history ${chatId} --all`);
    }
    return 0;
  },
};
