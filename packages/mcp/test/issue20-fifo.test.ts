/**
 * Issue 20, item 4: `send_file` asked for a FIFO inside the files directory answers a tool error within
 * 1 s and sends nothing — through the MCP tool as a client calls it, not only its file reader. Opening a
 * FIFO before checking it waited for a writer forever, and the tool never answered.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, constants, mkdirSync, openSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { McpBench, type Session, text } from './support/session.js';

let bench: McpBench;
let session: Session;
let fifo: string;

beforeAll(async () => {
  bench = await McpBench.start();
  const filesDir = join(bench.work, 'files');
  mkdirSync(filesDir);
  writeFileSync(join(filesDir, 'invoice.txt'), 'Invoice 42\n');
  fifo = join(filesDir, 'invoice.pdf');
  execFileSync('mkfifo', [fifo]);
  session = await bench.open({ filesDir, unsafeModelConfirms: true });
});

afterAll(async () => {
  // A reader blocked on the FIFO (the bug) would hold one of libuv's threads: a writer releases it.
  try {
    closeSync(openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK));
  } catch {
    // No reader waiting: nothing to release.
  }
  expect(await bench.close()).toEqual({ clientErrors: [], secretsShown: [] });
});

it('send_file on a FIFO answers a tool error within 1 s, and nothing reaches the buyer', async () => {
  const { chatId } = await bench.waitingChat();
  const before = await bench.totalMessages();
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'no answer within 1 s'>((resolve) => {
    timer = setTimeout(() => resolve('no answer within 1 s'), 1000);
  });
  const answer: CallToolResult | string = await Promise.race([
    session.call('send_file', { chatId, path: 'invoice.pdf', confirm: true }),
    late,
  ]);
  clearTimeout(timer);
  if (typeof answer === 'string') throw new Error(answer);
  expect(answer.isError).toBe(true);
  expect(text(answer)).toContain('"invoice.pdf" is not a regular file. Nothing was sent.');
  expect(await bench.totalMessages()).toBe(before);
  // The same session still sends a regular file: nothing was left holding the tool.
  const sent = await session.call('send_file', { chatId, path: 'invoice.txt', confirm: true });
  expect(sent.isError ?? false).toBe(false);
  expect(await bench.totalMessages()).toBe(before + 1);
});
