/** `ym-chats serve` as users run it: the built binary receiving the real emulator's pushes into a store. */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AdminClient, createEmulator } from '@ym-chats/emulator';
import { expect, it } from 'vitest';
import { API_KEY, BUSINESS, cleanEnv, LongRun, requireBuilt, run } from './helpers.js';

it('acknowledges pushes, stores the message, prints it with --events, answers PING, stops on Ctrl+C', async () => {
  requireBuilt();
  const emulator = createEmulator({ seed: 1, credentials: [{ apiKey: API_KEY, businessIds: [BUSINESS] }] });
  const url = await emulator.listen(0);
  const admin = new AdminClient(url);
  const dir = mkdtempSync(join(tmpdir(), 'ym-serve-cli-'));
  const flags = ['--base-url', url, '--business-id', String(BUSINESS)];
  const env = cleanEnv({ YM_API_KEY: API_KEY, YM_STORE: join(dir, 'store.sqlite') });
  // A store already in sync, so the only new message is the one pushed below.
  expect((await run(['sync', ...flags], { env, cwd: dir })).code).toBe(0);
  const serve = new LongRun(['serve', '--port', '0', '--events', '--json', ...flags], { env, cwd: dir });
  try {
    const endpoint = (await serve.waitFor('stdout', /"endpoint":"([^"]+)"/))[1]!;
    const ping = await fetch(endpoint, { method: 'POST', body: '{"notificationType":"PING"}' });
    expect(ping.status).toBe(200);
    expect(await ping.json()).toMatchObject({ name: 'ym-chats', version: expect.any(String) });
    await admin.configureNotifications({ url: endpoint, retryScheduleMs: [100, 200] });
    const chatId = 40_000_001; // the emulator's first chat id
    await admin.postMessage(BUSINESS, chatId, { sender: 'CUSTOMER', message: 'Добрый день, где посылка?' });
    await serve.waitFor('stdout', /Добрый день, где посылка\?/, 20_000);
    const { deliveries } = await admin.notifications();
    expect(deliveries.map((d) => d.state)).toEqual(['delivered']);
    // The same port serves the inbox page; the push endpoint is not one of its routes.
    const inbox = (await serve.waitFor('stdout', /"inbox":"([^"]+)"/))[1]!;
    expect(new URL(inbox).origin).toBe(new URL(endpoint).origin);
    const page = await fetch(inbox);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
  } finally {
    serve.kill('SIGINT');
    const exit = await serve.exited;
    await emulator.close();
    expect(exit.code).toBe(0);
  }
  const events = serve.stdout
    .split('\n')
    .filter((l) => l.includes('"event":"message"'))
    .map((l) => JSON.parse(l) as { text: string; sender: string });
  expect(events.map((e) => [e.sender, e.text])).toEqual([['CUSTOMER', 'Добрый день, где посылка?']]);
});

it('refuses to serve the inbox beyond loopback without agents, naming the fix', async () => {
  requireBuilt();
  const dir = mkdtempSync(join(tmpdir(), 'ym-serve-cli-'));
  const env = cleanEnv({ YM_API_KEY: API_KEY, YM_STORE: join(dir, 'store.sqlite') });
  const flags = ['--base-url', 'http://127.0.0.1:9', '--business-id', String(BUSINESS)];
  const result = await run(['serve', '--port', '0', '--host', '0.0.0.0', '--reconcile', '0', ...flags], {
    env,
    cwd: dir,
  });
  expect(result.code).toBe(2);
  expect(result.stderr).toContain('logins are mandatory');
  expect(result.stderr).toContain('--agents');
});

it('never echoes the secret path, and refuses a push path the inbox would take', async () => {
  requireBuilt();
  const emulator = createEmulator({ seed: 1, credentials: [{ apiKey: API_KEY, businessIds: [BUSINESS] }] });
  const url = await emulator.listen(0);
  const dir = mkdtempSync(join(tmpdir(), 'ym-serve-cli-'));
  const flags = ['--base-url', url, '--business-id', String(BUSINESS), '--reconcile', '0'];
  const env = cleanEnv({ YM_API_KEY: API_KEY, YM_STORE: join(dir, 'store.sqlite') });
  try {
    const taken = await run(['serve', '--port', '0', '--path', '/api/hook', ...flags], { env, cwd: dir });
    expect(taken.code).toBe(2);
    expect(taken.stderr).toContain("inbox's own paths");
    const serve = new LongRun(['serve', '--port', '0', '--json', '--path', '/hooks/s3cretXYZ', ...flags], {
      env,
      cwd: dir,
    });
    try {
      const endpoint = (await serve.waitFor('stdout', /"endpoint":"([^"]+)"/))[1]!;
      expect(endpoint).toContain('/hooks/s3cretXYZ/notification');
      const origin = new URL(endpoint).origin;
      for (const [path, method] of [
        ['/favicon.ico', 'GET'],
        ['/notification', 'POST'],
        ['/hooks/notification', 'POST'],
      ] as const) {
        const res = await fetch(`${origin}${path}`, { method, body: method === 'POST' ? '{}' : undefined });
        expect(res.status).toBe(404);
        expect(await res.text()).not.toContain('s3cret');
      }
      const ping = await fetch(endpoint, { method: 'POST', body: '{"notificationType":"PING"}' });
      expect(ping.status).toBe(200);
    } finally {
      serve.kill('SIGINT');
      await serve.exited;
    }
  } finally {
    await emulator.close();
  }
});

it('warns beyond loopback without --allow-from (plain and --registered), naming the flag; not with it', async () => {
  requireBuilt();
  const emulator = createEmulator({ seed: 1, credentials: [{ apiKey: API_KEY, businessIds: [BUSINESS] }] });
  const url = await emulator.listen(0);
  const dir = mkdtempSync(join(tmpdir(), 'ym-serve-cli-'));
  const env = cleanEnv({
    YM_API_KEY: API_KEY,
    YM_STORE: join(dir, 'store.sqlite'),
    YM_CREDENTIALS_KEY: randomBytes(32).toString('base64'),
  });
  const plain = [
    'serve',
    '--no-inbox',
    '--port',
    '0',
    '--json',
    '--base-url',
    url,
    '--business-id',
    String(BUSINESS),
  ];
  const registered = ['serve', '--registered', '--no-inbox', '--port', '0', '--json', '--base-url', url];
  const stderrOnceListening = async (args: string[]) => {
    const serve = new LongRun(args, { env, cwd: dir });
    try {
      await serve.waitFor('stdout', /"event":"listening"/, 20_000);
      return serve.stderr;
    } finally {
      serve.kill('SIGINT');
      await serve.exited;
    }
  };
  try {
    for (const args of [plain, registered]) {
      const open = await stderrOnceListening([...args, '--host', '0.0.0.0']);
      expect(open).toContain('listening on 0.0.0.0 without --allow-from');
      expect(open).toContain('each one costs an API call');
      expect(
        await stderrOnceListening([...args, '--host', '0.0.0.0', '--allow-from', '127.0.0.0/8']),
      ).not.toContain('--allow-from');
      expect(await stderrOnceListening(args)).not.toContain('--allow-from');
    }
  } finally {
    await emulator.close();
  }
});
