import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type {
  Chat,
  ChatMessage,
  ChatsApi,
  EmptyApiResponse,
  GetChatsResponse,
  RateLimitError,
} from '@ym-chats/sdk';
import { describe, expect, expectTypeOf, it } from 'vitest';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const node = (args: string[]) => execFileSync(process.execPath, args, { cwd: root, encoding: 'utf8' });

describe('the built package', () => {
  it('loads with require() (CommonJS) and import (ESM), exporting the same API', () => {
    const probe = 'Object.keys(m).filter((k) => k !== "default").sort().join(",")';
    const cjs = node(['-e', `const m = require('@ym-chats/sdk'); console.log(${probe})`]);
    const esm = node([
      '--input-type=module',
      '-e',
      `import * as m from '@ym-chats/sdk'; console.log(${probe})`,
    ]);
    expect(cjs).toBe(esm);
    expect(cjs).toContain('ChatsApi');
    expect(cjs).toContain('RateLimitError');
  });

  it('ships type declarations for both module systems', () => {
    const files = node(['-e', "console.log(require('node:fs').readdirSync('packages/sdk/dist').join(','))"]);
    expect(files).toContain('index.d.ts');
    expect(files).toContain('index.d.cts');
  });
});

describe('response typing', () => {
  it('methods resolve to the documented envelopes', () => {
    expectTypeOf<ChatsApi['getChats']>().returns.resolves.toEqualTypeOf<GetChatsResponse>();
    expectTypeOf<ChatsApi['sendMessageToChat']>().returns.resolves.toEqualTypeOf<EmptyApiResponse>();
    expectTypeOf<Awaited<ReturnType<ChatsApi['getChatMessage']>>['result']>().toEqualTypeOf<ChatMessage>();
    expectTypeOf<ReturnType<ChatsApi['iterateChats']>>().toEqualTypeOf<AsyncGenerator<Chat>>();
    expectTypeOf<RateLimitError['resetAt']>().toEqualTypeOf<Date | undefined>();
    // Open enums: known values autocomplete, unknown ones still type-check.
    expectTypeOf<'SOMETHING_NEW'>().toExtend<Chat['status']>();
  });
});
