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

  it('copied without YM_BASE_URL, the Russian block messages nobody real: it goes to the local emulator', async () => {
    const file = await readmeBlock(1);
    const { YM_BASE_URL: _unset, ...rest } = process.env;
    try {
      await run(process.execPath, ['--import', 'tsx', file], {
        cwd: root,
        env: { ...rest, YM_API_KEY: API_KEY, YM_BUSINESS_ID: String(BUSINESS), NO_PROXY: '*' },
      });
      throw new Error('the block ran to the end without YM_BASE_URL');
    } catch (error) {
      const stderr = String((error as { stderr?: string }).stderr ?? error);
      expect(stderr).toContain('127.0.0.1:8080');
      expect(stderr).not.toContain('api.partner.market.yandex.ru');
    } finally {
      await rm(`${root}${file}`, { force: true });
    }
  });

  it('the Russian quick start block runs and answers every waiting buyer', async () => {
    await runBlock(1);
    const waiting = await env.api.getChats(BUSINESS, { statuses: ['WAITING_FOR_PARTNER'] });
    expect(waiting.result.chats).toEqual([]);
  });
});

/**
 * Every README block and example that sends names the local emulator unless YM_BASE_URL is set: copied as it
 * is, none of them can message a real shop's buyers.
 */
it('every README block and example that sends defaults to the emulator, not the real API', async () => {
  const { readdir } = await import('node:fs/promises');
  const sources: Array<[string, string]> = [];
  const readmes = ['README.md', ...(await readdir(`${root}packages`)).map((p) => `packages/${p}/README.md`)];
  for (const name of readmes) {
    const text = await readFile(`${root}${name}`, 'utf8').catch(() => '');
    [...text.matchAll(/```ts\n([\s\S]*?)```/g)].forEach((m, i) => {
      sources.push([`${name} block ${i}`, m[1]!]);
    });
  }
  for (const name of await readdir(`${root}examples`)) {
    if (name.endsWith('.ts'))
      sources.push([`examples/${name}`, await readFile(`${root}examples/${name}`, 'utf8')]);
  }
  const sending = sources.filter(([, code]) => /\.send(MessageToChat|FileToChat)\(/.test(code));
  expect(sending.length).toBeGreaterThanOrEqual(5);
  const unguarded = sending
    .filter(([, code]) => !code.includes("process.env.YM_BASE_URL ?? 'http://127.0.0.1:8080'"))
    .map(([where]) => where);
  expect(unguarded).toEqual([]);
});
