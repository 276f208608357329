/** The rules a reply text must meet before it becomes a draft, so no draft exists that could not be sent. */
import { MESSAGE_MAX_LENGTH } from '@ym-chats/sdk';
import { z } from 'zod';

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export const replyTextInput = z
  .string()
  .max(MESSAGE_MAX_LENGTH, {
    error: (issue) =>
      `the text is ${typeof issue.input === 'string' ? issue.input.length : 'too many'} characters; the platform ` +
      `accepts at most ${MESSAGE_MAX_LENGTH}. Nothing was drafted or sent: shorten it or split it into several drafts.`,
  })
  .refine((text) => text.trim() !== '', { error: 'the text is empty. Nothing was drafted or sent.' })
  .refine((text) => !LONE_SURROGATE.test(text), {
    error: 'the text contains a broken character (a lone UTF-16 surrogate). Nothing was drafted or sent.',
  })
  .describe(
    `the exact message for the buyer, 1–${MESSAGE_MAX_LENGTH} characters; it cannot be changed later`,
  );
