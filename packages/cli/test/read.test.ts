/** chats, chat, history, message, help and configuration, through the real binary and emulator. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  API_KEY,
  BUSINESS,
  cleanEnv,
  expectNoSecrets,
  type MessageJson,
  OAUTH_TOKEN,
  requireBuilt,
  run,
  startEmulator,
  type TestEmulator,
  transcript,
  WRONG_KEY,
} from './helpers.js';

interface ChatJson {
  chatId: number;
  status: string;
  type: string;
  context?: { type: string; orderId?: number; returnId?: number; customer?: { name: string } };
  updatedAt: string;
}

let emu: TestEmulator;
let total: number;

beforeAll(async () => {
  requireBuilt();
  emu = await startEmulator();
  total = (await emu.admin.state()).businesses.find((b) => b.businessId === BUSINESS)!.chats;
});
afterAll(async () => {
  await emu?.close();
  expect(expectNoSecrets(transcript)).toEqual([]);
});

describe('chats', () => {
  it('prints one page as a table with ids, statuses and contexts', async () => {
    const json = await run(['chats', '--json', ...emu.flags], { env: emu.env() });
    expect(json.code).toBe(0);
    const page = JSON.parse(json.stdout) as ChatJson[];
    expect(page.length).toBeGreaterThan(0);
    const table = await run(['chats', ...emu.flags], { env: emu.env() });
    expect(table.code).toBe(0);
    const lines = table.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/CHAT\s+STATUS\s+TYPE\s+CONTEXT\s+CUSTOMER\s+UPDATED/);
    expect(lines).toHaveLength(page.length + 1);
    const first = page[0]!;
    expect(lines[1]).toContain(String(first.chatId));
    expect(lines[1]).toContain(first.status);
    expect(lines[1]).toContain(first.context!.type);
    expect(table.stdout).not.toContain('\u001b[');
    expect(table.stderr).toMatch(/Next page: .*--page-token \S+/);
  });

  it('--all --json prints every chat once as one array', async () => {
    const result = await run(['chats', '--all', '--json', ...emu.flags], { env: emu.env() });
    expect(result.code).toBe(0);
    const chats = JSON.parse(result.stdout) as ChatJson[];
    expect(chats).toHaveLength(total);
    expect(new Set(chats.map((c) => c.chatId)).size).toBe(total);
    // Progress goes to stderr only when it is a terminal; a pipe gets none.
    expect(result.stderr).not.toContain('fetched');
  });

  it('filters by status, type and context type (case-insensitive)', async () => {
    const all = JSON.parse(
      (await run(['chats', '--all', '--json', ...emu.flags], { env: emu.env() })).stdout,
    ) as ChatJson[];
    const result = await run(
      [
        'chats',
        '--all',
        '--json',
        '--status',
        'waiting_for_partner',
        '--context-type',
        'ORDER',
        ...emu.flags,
      ],
      { env: emu.env() },
    );
    expect(result.code).toBe(0);
    const chats = JSON.parse(result.stdout) as ChatJson[];
    const expected = all.filter((c) => c.status === 'WAITING_FOR_PARTNER' && c.context?.type === 'ORDER');
    expect(expected.length).toBeGreaterThan(0);
    expect(chats.map((c) => c.chatId).sort()).toEqual(expected.map((c) => c.chatId).sort());
  });

  it('filters by order id', async () => {
    const all = JSON.parse(
      (await run(['chats', '--all', '--json', ...emu.flags], { env: emu.env() })).stdout,
    ) as ChatJson[];
    const withOrder = all.find((c) => c.context?.type === 'ORDER')!;
    const result = await run(
      ['chats', '--json', '--order', String(withOrder.context!.orderId), ...emu.flags],
      {
        env: emu.env(),
      },
    );
    expect(result.code).toBe(0);
    expect((JSON.parse(result.stdout) as ChatJson[]).map((c) => c.chatId)).toEqual([withOrder.chatId]);
  });

  it('refuses an unknown status with a suggestion (exit 2)', async () => {
    const result = await run(['chats', '--status', 'WAITING_FOR_PARTNR', ...emu.flags], { env: emu.env() });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Did you mean WAITING_FOR_PARTNER');
  });

  it('works with the seed-era unprefixed paths too', async () => {
    const result = await run(['chats', '--seed-paths', '--json', ...emu.flags], { env: emu.env() });
    expect(result.code).toBe(0);
    expect((JSON.parse(result.stdout) as ChatJson[]).length).toBeGreaterThan(0);
  });
});

describe('chat, history, message', () => {
  let chat: ChatJson;
  let withFile: { chatId: number; message: MessageJson };

  beforeAll(async () => {
    const chats = JSON.parse(
      (await run(['chats', '--json', ...emu.flags], { env: emu.env() })).stdout,
    ) as ChatJson[];
    chat = chats[0]!;
    const posted = await emu.admin.postMessage(BUSINESS, chat.chatId, {
      sender: 'CUSTOMER',
      message: 'Photo of the box attached',
      payload: [{ name: 'box.jpg', base64: Buffer.alloc(3000, 7).toString('base64') }],
    });
    withFile = { chatId: chat.chatId, message: posted as MessageJson };
  });

  it('chat shows the fields of one chat', async () => {
    const table = await run(['chat', String(chat.chatId), ...emu.flags], { env: emu.env() });
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(new RegExp(`Chat:\\s+${chat.chatId}`));
    expect(table.stdout).toMatch(/Status:\s+WAITING_FOR_PARTNER/);
    const json = await run(['chat', String(chat.chatId), '--json', ...emu.flags], { env: emu.env() });
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ chatId: chat.chatId, status: 'WAITING_FOR_PARTNER' });
  });

  it('history --all shows texts and attachments with name, human size and URL; JSON keeps bytes', async () => {
    const table = await run(['history', String(chat.chatId), '--all', ...emu.flags], { env: emu.env() });
    expect(table.code).toBe(0);
    expect(table.stdout).toContain(`#${withFile.message.messageId}`);
    expect(table.stdout).toContain('Photo of the box attached');
    expect(table.stdout).toMatch(
      /attachment: box\.jpg {2}2\.9 KB {2}http:\/\/127\.0\.0\.1:\d+\/_emulator\/files\//,
    );
    const json = await run(['history', String(chat.chatId), '--all', '--json', ...emu.flags], {
      env: emu.env(),
    });
    const messages = JSON.parse(json.stdout) as MessageJson[];
    const last = messages.at(-1)!;
    expect(last.messageId).toBe(withFile.message.messageId);
    expect(last.payload).toEqual([
      { name: 'box.jpg', url: expect.stringContaining('/_emulator/files/'), size: 3000 },
    ]);
    expect(new Set(messages.map((m) => m.messageId)).size).toBe(messages.length);
  });

  it('history pages: --limit gives one page and a next-page hint; --from starts at a message', async () => {
    const all = JSON.parse(
      (await run(['history', String(chat.chatId), '--all', '--json', ...emu.flags], { env: emu.env() }))
        .stdout,
    ) as MessageJson[];
    expect(all.length).toBeGreaterThan(2);
    const page = await run(['history', String(chat.chatId), '--limit', '2', '--json', ...emu.flags], {
      env: emu.env(),
    });
    expect(JSON.parse(page.stdout)).toHaveLength(2);
    expect(page.stderr).toContain('--page-token');
    const from = all.at(-2)!.messageId;
    const tail = await run(['history', String(chat.chatId), '--from', String(from), '--json', ...emu.flags], {
      env: emu.env(),
    });
    expect((JSON.parse(tail.stdout) as MessageJson[]).map((m) => m.messageId)).toEqual(
      all.slice(-2).map((m) => m.messageId),
    );
  });

  it('message shows one message', async () => {
    const args = ['message', String(withFile.chatId), String(withFile.message.messageId)];
    const table = await run([...args, ...emu.flags], { env: emu.env() });
    expect(table.code).toBe(0);
    expect(table.stdout).toContain('CUSTOMER');
    expect(table.stdout).toContain('box.jpg');
    const json = await run([...args, '--json', ...emu.flags], { env: emu.env() });
    expect(JSON.parse(json.stdout)).toMatchObject({
      messageId: withFile.message.messageId,
      sender: 'CUSTOMER',
    });
  });

  it.each([
    [['chat', '0']],
    [['chat', 'abc']],
    [['history', '-5']],
    [['history', '12', '--from', 'x1']],
    [['message', '12', '0']],
    [['chat', '99999999999999999999999']],
  ])('bad ids are usage errors (exit 2): %j', async (args) => {
    const result = await run([...args, ...emu.flags], { env: emu.env() });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/error: .*(must be|unknown flag)/);
    expect(result.stdout).toBe('');
  });

  it('an unknown chat is an API error (exit 3) that says what to do', async () => {
    const result = await run(['chat', '987654321', ...emu.flags], { env: emu.env() });
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('404');
    expect(result.stderr).toContain('ym-chats chats --all');
    const json = await run(['history', '987654321', '--json', ...emu.flags], { env: emu.env() });
    expect(json.code).toBe(3);
    expect(JSON.parse(json.stderr)).toEqual({
      error: expect.objectContaining({
        type: 'NotFoundError',
        status: 404,
        exitCode: 3,
        message: expect.any(String),
      }),
    });
    expect(json.stdout).toBe('');
  });
});

describe('credentials and configuration', () => {
  it('no credential: exit 4, and the message names the flag, the variable and the config file', async () => {
    const result = await run(['chats', ...emu.flags], { env: cleanEnv() });
    expect(result.code).toBe(4);
    expect(result.stderr).toContain('--api-key');
    expect(result.stderr).toContain('YM_API_KEY');
    expect(result.stderr).toContain('config.json');
    const json = await run(['chats', '--json', ...emu.flags], { env: cleanEnv() });
    expect(json.code).toBe(4);
    expect(JSON.parse(json.stderr).error).toMatchObject({
      type: 'MissingCredentialError',
      exitCode: 4,
      status: null,
    });
  });

  it('a wrong key: exit 4, and the key is never echoed', async () => {
    const result = await run(['chats', '--api-key', WRONG_KEY, ...emu.flags], { env: cleanEnv() });
    expect(result.code).toBe(4);
    expect(result.stderr).toContain('401');
    expect(result.stderr).toContain('--api-key');
  });

  it('an OAuth token works; a business the credential cannot access is exit 4', async () => {
    const ok = await run(['chats', '--json', '--oauth-token', OAUTH_TOKEN, ...emu.flags], {
      env: cleanEnv(),
    });
    expect(ok.code).toBe(0);
    const denied = await run(['chats', '--base-url', emu.url, '--business-id', '2002'], { env: emu.env() });
    expect(denied.code).toBe(4);
    expect(denied.stderr).toContain('403');
    expect(denied.stderr).toContain('business 2002');
  });

  it('no business id: exit 2 naming --business-id and YM_BUSINESS_ID', async () => {
    const result = await run(['chats', '--base-url', emu.url], { env: emu.env() });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--business-id');
    expect(result.stderr).toContain('YM_BUSINESS_ID');
  });

  it('reads everything from the environment', async () => {
    const env = emu.env({ YM_BASE_URL: emu.url, YM_BUSINESS_ID: String(BUSINESS) });
    const result = await run(['chats', '--json'], { env });
    expect(result.code).toBe(0);
  });

  it('reads a config profile; flags beat the environment, which beats the profile', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ym-chats-config-'));
    const file = join(dir, 'config.json');
    writeFileSync(
      file,
      JSON.stringify({
        profiles: {
          default: { apiKey: WRONG_KEY, businessId: BUSINESS, baseUrl: emu.url },
          good: { apiKey: API_KEY, businessId: BUSINESS, baseUrl: emu.url },
        },
      }),
      { mode: 0o600 },
    );
    const good = await run(['chats', '--json', '--config', file, '--profile', 'good'], { env: cleanEnv() });
    expect(good.code).toBe(0);
    const wrong = await run(['chats', '--json', '--config', file], { env: cleanEnv() });
    expect(wrong.code).toBe(4);
    const envWins = await run(['chats', '--json', '--config', file], {
      env: cleanEnv({ YM_API_KEY: API_KEY }),
    });
    expect(envWins.code).toBe(0);
    const flagWins = await run(['chats', '--json', '--config', file, '--api-key', WRONG_KEY], {
      env: cleanEnv({ YM_API_KEY: API_KEY }),
    });
    expect(flagWins.code).toBe(4);
    const viaEnvFile = await run(['chats', '--json', '--profile', 'good'], {
      env: cleanEnv({ YM_CHATS_CONFIG: file }),
    });
    expect(viaEnvFile.code).toBe(0);
    const missing = await run(['chats', '--config', file, '--profile', 'nope'], { env: cleanEnv() });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('default, good');
  });

  it('the no-credential hint offers a key file first and the --api-key flag last', async () => {
    const { stderr } = await run(['chats', ...emu.flags], { env: cleanEnv() });
    expect(stderr.indexOf('--api-key-file')).toBeGreaterThan(0);
    expect(stderr.indexOf('--api-key-file')).toBeLessThan(stderr.indexOf('YM_API_KEY'));
    expect(stderr.indexOf('YM_API_KEY')).toBeLessThan(stderr.indexOf('--api-key KEY'));
    expect(stderr).toMatch(/--api-key KEY .*process list/);
  });

  it('--api-key-file reads the key from a private file, or from stdin with -', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ym-chats-key-'));
    const file = join(dir, 'key');
    writeFileSync(file, `${API_KEY}\n`, { mode: 0o600 });
    const fromFile = await run(['chats', '--json', '--api-key-file', file, ...emu.flags], {
      env: cleanEnv(),
    });
    expect(fromFile.code).toBe(0);
    const fromStdin = await run(['chats', '--json', '--api-key-file', '-', ...emu.flags], {
      env: cleanEnv(),
      input: `${API_KEY}\n`,
    });
    expect(fromStdin.code).toBe(0);
    const both = await run(['send', '1', '--api-key-file', '-', ...emu.flags], {
      env: cleanEnv(),
      input: `${API_KEY}\n`,
    });
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('stdin already carries the credential');
  });

  it('a key file or a config holding a secret that others can read is refused, with the chmod', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ym-chats-open-'));
    const key = join(dir, 'key');
    writeFileSync(key, API_KEY, { mode: 0o644 });
    const openKey = await run(['chats', '--api-key-file', key, ...emu.flags], { env: cleanEnv() });
    expect(openKey.code).toBe(2);
    expect(openKey.stderr).toContain(`chmod 600 ${key}`);
    const config = join(dir, 'config.json');
    writeFileSync(
      config,
      JSON.stringify({ profiles: { default: { apiKey: API_KEY, businessId: BUSINESS, baseUrl: emu.url } } }),
      { mode: 0o644 },
    );
    const openConfig = await run(['chats', '--config', config], { env: cleanEnv() });
    expect(openConfig.code).toBe(2);
    expect(openConfig.stderr).toMatch(/other users can access it \(mode 644\)/);
    expect(openConfig.stderr).toContain(`chmod 600 ${config}`);
    expect(openConfig.stderr).not.toContain(API_KEY);
    // Without a secret in it, a readable config is fine.
    const plain = join(dir, 'plain.json');
    writeFileSync(
      plain,
      JSON.stringify({ profiles: { default: { businessId: BUSINESS, baseUrl: emu.url } } }),
      {
        mode: 0o644,
      },
    );
    expect((await run(['chats', '--json', '--config', plain], { env: emu.env() })).code).toBe(0);
  });

  it('a base URL ending in /v2 is a usage error that says how to fix it, not "check the ids"', async () => {
    const result = await run(['chats', '--base-url', `${emu.url}/v2`, '--business-id', '1001'], {
      env: emu.env(),
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('/v2/v2/');
    expect(result.stderr).toContain(`--base-url ${emu.url} `);
    expect(result.stderr).not.toContain('Check the ids');
    // With the seed's unprefixed paths, …/v2 is the current API and fine.
    const seed = await run(
      ['chats', '--json', '--seed-paths', '--base-url', `${emu.url}/v2`, '--business-id', '1001'],
      {
        env: emu.env(),
      },
    );
    expect(seed.code).toBe(0);
  });

  it('a base URL with another path: the 404 hint points at the base URL', async () => {
    const result = await run(['chat', '40000001', '--base-url', `${emu.url}/api`, '--business-id', '1001'], {
      env: emu.env(),
    });
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('The base URL has a path (/api)');
    expect(result.stderr).not.toContain('Check the ids:');
  });

  it('an unreachable base URL is an API error (exit 3) pointing at --base-url', async () => {
    const closed = await startEmulator();
    const url = closed.url;
    await closed.close();
    const result = await run(['chats', '--base-url', url, '--business-id', '1001', '--timeout', '2000'], {
      env: emu.env(),
    });
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('--base-url');
  });
});

describe('help and usage errors', () => {
  const commands = [
    'chats',
    'chat',
    'history',
    'message',
    'send',
    'send-file',
    'create',
    'watch',
    'emulator',
    'demo',
  ];

  it('ym-chats --help lists every command and the exit codes', async () => {
    const result = await run(['--help']);
    expect(result.code).toBe(0);
    for (const name of commands) expect(result.stdout).toMatch(new RegExp(`^ {2}${name} `, 'm'));
    expect(result.stdout).toContain('Exit codes:');
  });

  it.each(commands)('%s --help exits 0 with usage, options and examples', async (name) => {
    const result = await run([name, '--help'], { env: cleanEnv({ YM_API_KEY: API_KEY }) });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Usage: ym-chats ${name}`);
    expect(result.stdout).toContain('Examples:');
    expect(result.stdout.match(new RegExp(`^ {2}ym-chats ${name}\\b`, 'gm'))!.length).toBeGreaterThanOrEqual(
      2,
    );
    expect(result.stdout).toContain('5  quota exhausted');
  });

  it('help <command> works too', async () => {
    const result = await run(['help', 'history']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Usage: ym-chats history');
  });

  it('an unknown command suggests the closest one (exit 2)', async () => {
    const result = await run(['histroy']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Did you mean `ym-chats history`');
  });

  it('an unknown flag suggests the closest one (exit 2); JSON mode reports it as JSON', async () => {
    const result = await run(['chats', '--stauts', 'NEW']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--status');
    const json = await run(['chats', '--json', '--stauts', 'NEW']);
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stderr).error).toMatchObject({ type: 'UsageError', exitCode: 2 });
  });

  it('no command at all prints the help and exits 2', async () => {
    const result = await run([]);
    expect(result.code).toBe(2);
    expect(result.stdout).toContain('Commands:');
  });
});

describe('a credential that cannot be sent', () => {
  it('a key with a line ending (from a CRLF file) is a usage error (exit 2) that says how to fix it', async () => {
    const result = await run(['chats', ...emu.flags, '--api-key', `${API_KEY}\r`], { env: emu.env() });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/line break/);
    expect(result.stderr).toMatch(/strip/);
  });
});
