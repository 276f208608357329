/**
 * Issue 19, item 6: what the examples print on the chats where they used to print nothing useful.
 * `examples/send-file.ts` read only the first page of the history and printed "last message: undefined"
 * for a chat of more than 100 messages (the file just sent is on its last page); the README's English block
 * printed "DIRECT undefined" for a chat a buyer started (it has no order). Run as a user runs them, against
 * the emulator, on chats made for that: a 150-message chat, a waiting DIRECT chat.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { API_KEY, BUSINESS, startEmulator } from './emulator.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../../../', import.meta.url));

let env: Awaited<ReturnType<typeof startEmulator>>;
beforeAll(async () => {
  env = await startEmulator({ seed: 19 });
});
afterAll(() => env.close());

const userEnv = () => ({
  ...process.env,
  YM_BASE_URL: env.url,
  YM_API_KEY: API_KEY,
  YM_BUSINESS_ID: String(BUSINESS),
});

it('send-file names the file it sent in a chat longer than one history page', async () => {
  const { chatId } = await env.newChat();
  for (let wave = 0; wave < 3; wave++) {
    await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        env.admin.postMessage(BUSINESS, chatId, { sender: 'CUSTOMER', message: `вопрос ${wave * 50 + i}` }),
      ),
    );
  }
  expect((await env.messages(chatId)).length).toBeGreaterThan(100);
  const dir = await mkdtemp(`${tmpdir()}/ym-example-`);
  try {
    await writeFile(`${dir}/invoice.pdf`, '%PDF-1.4 issue 19');
    const { stdout } = await run(
      process.execPath,
      ['--import', 'tsx', 'examples/send-file.ts', String(chatId), `${dir}/invoice.pdf`],
      { cwd: root, env: userEnv() },
    );
    const sent = (await env.messages(chatId)).at(-1)!;
    expect(sent.sender).toBe('PARTNER');
    const file = sent.payload![0]!;
    expect(stdout.trim()).toBe(`sent: ${file.name} (${file.size} B) ${file.url}`);
    expect(stdout).not.toContain('undefined');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

it('the English README block prints a waiting DIRECT chat without "undefined"', async () => {
  const { chat } = await env.admin.createChat(BUSINESS, {
    context: { type: 'DIRECT' },
    customer: { name: 'Покупатель', publicId: 'issue19-direct' },
  });
  await env.admin.postMessage(BUSINESS, chat.chatId, { sender: 'CUSTOMER', message: 'Здравствуйте!' });
  const readme = await readFile(`${root}README.md`, 'utf8');
  const block = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)][0]![1]!;
  const file = 'examples/.readme-issue19.tmp.ts';
  await writeFile(`${root}${file}`, block);
  try {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', file], { cwd: root, env: userEnv() });
    const line = stdout.split('\n').find((l) => l.startsWith(`${chat.chatId} `));
    expect(line?.trim()).toBe(`${chat.chatId} DIRECT`);
    expect(stdout).not.toContain('undefined');
  } finally {
    await rm(`${root}${file}`, { force: true });
  }
});
