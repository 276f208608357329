/** `ym-chats sync` as users run it: the built binary against the real emulator, into SQLite and PostgreSQL. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AdminClient, createEmulator } from '@ym-chats/emulator';
import {
  describeEngines,
  emulatorState,
  mirrorState,
  type TestEmulator as SyncEmulator,
} from '@ym-chats/testkit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { API_KEY, BUSINESS, cleanEnv, LongRun, requireBuilt, run, startEmulator } from './helpers.js';

interface JsonLine {
  event: string;
  [key: string]: unknown;
}

const lines = (text: string) =>
  text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as JsonLine);

describeEngines('ym-chats sync', (engine) => {
  let truth: SyncEmulator;
  const flags = () => ['--base-url', truth.url, '--business-id', String(BUSINESS)];
  const env = (extra: Record<string, string> = {}) => cleanEnv({ YM_API_KEY: API_KEY, ...extra });
  beforeAll(async () => {
    requireBuilt();
    // The emulator's server object is kept at hand: its own state is the truth the mirror must equal.
    const emulator = createEmulator({ seed: 1, credentials: [{ apiKey: API_KEY, businessIds: [BUSINESS] }] });
    const url = await emulator.listen(0);
    truth = { emulator, url, admin: new AdminClient(url), close: () => emulator.close() };
  });
  afterAll(async () => {
    await truth.close();
  });

  it('mirrors the business in one pass, then passes over it with the listing alone', async () => {
    const opened = await engine.open();
    try {
      const storeFlags = ['--store', opened.target, ...(opened.schema ? ['--schema', opened.schema] : [])];
      const first = await run(['sync', '--once', '--json', ...storeFlags, ...flags()], { env: env() });
      expect(first.stderr).toBe('');
      expect(first.code).toBe(0);
      const pass = lines(first.stdout).find((l) => l.event === 'pass')!;
      expect(pass.chatsSeen).toBe(60);
      expect(await mirrorState(opened.store)).toEqual(emulatorState(truth));

      const second = await run(['sync', '--json', ...storeFlags, ...flags()], { env: env() });
      const again = lines(second.stdout).find((l) => l.event === 'pass')!;
      expect(again.calls).toEqual({ getChats: 3, getChatHistory: 0 });
    } finally {
      await opened.dispose();
    }
  });

  it('follows new messages with --watch --json, one line each, and stops cleanly', async () => {
    const opened = await engine.open();
    const cwd = mkdtempSync(join(tmpdir(), 'ym-sync-cli-'));
    try {
      const schema = opened.schema ? ['--schema', opened.schema] : [];
      // A store already in sync: the watch then prints only what arrives after it starts.
      const filled = await run(['sync', ...schema, ...flags()], { env: env({ YM_STORE: opened.target }) });
      expect(filled.code).toBe(0);
      const watch = new LongRun(['sync', '--watch', '--interval', '0.2', '--json', ...schema, ...flags()], {
        env: env({ YM_STORE: opened.target }),
        cwd,
      });
      await watch.waitFor('stdout', /"event":"pass"/, 20_000);
      const chats = emulatorState(truth).chats;
      const chatId = Number(chats[0]!.split('|')[0]);
      await truth.admin.postMessage(BUSINESS, chatId, { sender: 'CUSTOMER', message: 'где мой заказ?' });
      await watch.waitFor('stdout', /где мой заказ/, 20_000);
      watch.kill('SIGINT');
      expect((await watch.exited).code).toBe(0);
      const messages = lines(watch.stdout).filter((l) => l.event === 'message');
      expect(messages.map((m) => m.text)).toEqual(['где мой заказ?']);
      expect(messages[0]).toMatchObject({ chatId: String(chatId), sender: 'CUSTOMER' });
    } finally {
      await opened.dispose();
    }
  });
});

it('refuses a store it cannot open, with a hint', async () => {
  requireBuilt();
  const emu = await startEmulator();
  try {
    // A directory path that runs through a plain file cannot be created.
    const file = join(mkdtempSync(join(tmpdir(), 'ym-sync-cli-')), 'plain-file');
    writeFileSync(file, 'not a directory');
    const result = await run(['sync', '--store', join(file, 'store.sqlite'), ...emu.flags], {
      env: emu.env(),
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/cannot open the store/);
    expect(result.stderr).toMatch(/--store/);
  } finally {
    await emu.close();
  }
});
