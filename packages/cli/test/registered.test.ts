/**
 * `sync --watch --registered` through the built binary over a SQLite store and the real emulator: the
 * API base URL comes from the config profile like for every command, and `--json` prints each new
 * message of the store once, as plain `sync --watch --json` does.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  API_KEY,
  BUSINESS,
  cleanEnv,
  expectNoSecrets,
  firstChatId,
  LongRun,
  requireBuilt,
  run,
  startEmulator,
  type TestEmulator,
} from './helpers.js';

vi.setConfig({ testTimeout: 90_000 });

interface Line {
  event: string;
  position?: string | number;
  text?: string;
  businessId?: string | number;
}

const lines = (text: string): Line[] =>
  text
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Line);

describe('sync --watch --registered', () => {
  let emu: TestEmulator;
  let watcher: LongRun | undefined;
  beforeAll(async () => {
    requireBuilt();
    emu = await startEmulator();
  });
  afterAll(async () => {
    watcher?.kill('SIGTERM');
    await watcher?.exited;
    await emu?.close();
  });

  it('takes the base URL from the config profile and prints each new message once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ym-registered-'));
    const store = join(dir, 'store.sqlite');
    const config = join(dir, 'config.json');
    // The profile names the API only: the credential comes from the registry.
    writeFileSync(config, JSON.stringify({ profiles: { default: { baseUrl: emu.url } } }), { mode: 0o600 });
    const env = cleanEnv({ YM_CREDENTIALS_KEY: randomBytes(32).toString('base64'), YM_CHATS_CONFIG: config });
    const keyFile = join(dir, 'key.txt');
    writeFileSync(keyFile, `${API_KEY}\n`);
    chmodSync(keyFile, 0o600);
    const added = await run(
      ['business', 'add', String(BUSINESS), '--api-key-file', keyFile, '--store', store],
      {
        env,
      },
    );
    expect(added.code, added.stderr).toBe(0);

    watcher = new LongRun(
      ['sync', '--watch', '--registered', '--store', store, '--interval', '0.5', '--lease', '3', '--json'],
      { env },
    );
    await watcher.waitFor('stdout', /"event":"pass"/, 30_000);
    const chatId = await firstChatId(emu);
    const text = `registered watch ${randomBytes(4).toString('hex')}`;
    await emu.admin.postMessage(BUSINESS, chatId, { sender: 'CUSTOMER', message: text });
    await watcher.waitFor('stdout', new RegExp(`"text":"${text}"`), 30_000);
    // One more pass after it, so a second print of the same message would have shown up.
    const passes = () => lines(watcher!.stdout).filter((l) => l.event === 'pass').length;
    const before = passes();
    while (passes() <= before) await new Promise((r) => setTimeout(r, 50));

    const printed = lines(watcher.stdout).filter((l) => l.event === 'message');
    expect(printed.filter((l) => l.text === text)).toHaveLength(1);
    // The first pass's messages too (the seeded history), each once.
    const positions = printed.map((l) => String(l.position));
    expect(new Set(positions).size).toBe(positions.length);
    expect(printed.length).toBeGreaterThan(10);
    expect(printed.every((l) => String(l.businessId) === String(BUSINESS))).toBe(true);
    expect(expectNoSecrets([watcher.stdout, watcher.stderr])).toEqual([]);
  });

  it('serve --registered beyond loopback needs --agents, as plain serve does', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ym-registered-'));
    const env = cleanEnv({ YM_CREDENTIALS_KEY: randomBytes(32).toString('base64') });
    const refused = await run(
      ['serve', '--registered', '--host', '0.0.0.0', '--port', '0', '--store', join(dir, 'store.sqlite')],
      { env },
    );
    expect(refused.code, refused.stderr).toBe(2);
    expect(refused.stderr).toContain('logins are mandatory');
    expect(refused.stderr).toContain('--agents FILE');
  });
});
