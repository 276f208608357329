/** Ids as tool inputs: positive safe integers (every id the platform documents fits). */
import { z } from 'zod';

export const chatIdInput = z
  .number()
  .int()
  .positive()
  .max(Number.MAX_SAFE_INTEGER)
  .describe('from list_chats');
