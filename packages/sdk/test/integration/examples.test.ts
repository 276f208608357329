import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_KEY, BUSINESS, startEmulator } from './emulator.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../../../', import.meta.url));

let env: Awaited<ReturnType<typeof startEmulator>>;
beforeAll(async () => {
  env = await startEmulator({ seed: 11 });
});
afterAll(() => env.close());

/** Runs an example script from the README exactly as a user would, against the emulator. */
const example = (file: string, ...args: string[]) =>
  run(process.execPath, ['--import', 'tsx', `examples/${file}`, ...args], {
    cwd: root,
    env: { ...process.env, YM_BASE_URL: env.url, YM_API_KEY: API_KEY, YM_BUSINESS_ID: String(BUSINESS) },
  });

/** The TypeScript blocks of the README, written next to the examples so they resolve the same packages. */
async function readmeBlock(index: number): Promise<string> {
  const readme = await readFile(`${root}README.md`, 'utf8');
  const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);
  const file = `examples/.readme-${index}.tmp.ts`;
  await writeFile(`${root}${file}`, blocks[index]!);
  return file;
}

describe('the README examples run', () => {
  it('quick-start answers a waiting buyer', async () => {
    const waiting = await env.api.getChats(BUSINESS, { statuses: ['WAITING_FOR_PARTNER'] }, undefined, 1);
    const chatId = waiting.result.chats[0]!.chatId;
    const { stdout } = await example('quick-start.ts');
    expect(stdout).toContain(`chat ${chatId}`);
    expect(stdout).toMatch(/sendMessageToChat: \d+\/1000/);
    const last = (await env.messages(chatId)).at(-1)!;
    expect(last).toMatchObject({ sender: 'PARTNER', message: 'Здравствуйте! Уже проверяем ваш заказ.' });
  });

  it('send-file sends a file and creates (or finds) a chat for an order', async () => {
    const { chatId, orderId } = await env.newChat();
    const dir = await mkdtemp(`${tmpdir()}/ym-example-`);
    await writeFile(`${dir}/invoice.pdf`, '%PDF-1.4 test');
    const { stdout } = await example('send-file.ts', String(chatId), `${dir}/invoice.pdf`, String(orderId));
    expect(stdout).toContain('invoice.pdf (13 B)');
    expect(stdout).toContain(`chat for order ${orderId} → ${chatId}`);
  });
});

// Runs after the examples above: the Russian block answers every waiting buyer.
describe('the README code blocks run', () => {
  const runBlock = async (index: number) => {
    const file = await readmeBlock(index);
    try {
      return await run(process.execPath, ['--import', 'tsx', file], {
        cwd: root,
        env: { ...process.env, YM_BASE_URL: env.url, YM_API_KEY: API_KEY, YM_BUSINESS_ID: String(BUSINESS) },
      });
    } finally {
      await rm(`${root}${file}`, { force: true });
    }
  };

  it('the SDK quick start block runs as written against the emulator', async () => {
    const { stdout } = await runBlock(0);
    expect(stdout).toContain('PARTNER Здравствуйте! Заказ собран.');
    expect(stdout).toContain("PARTNER [ 'invoice.pdf' ]");
  });

  it('the Russian quick start block runs and answers every waiting buyer', async () => {
    await runBlock(1);
    const waiting = await env.api.getChats(BUSINESS, { statuses: ['WAITING_FOR_PARTNER'] });
    expect(waiting.result.chats).toEqual([]);
  });
});
