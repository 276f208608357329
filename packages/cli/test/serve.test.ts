/** `ym-chats serve` as users run it: the built binary receiving the real emulator's pushes into a store. */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { request } from 'node:http';
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

/** A request from a chosen loopback source (127.0.0.2 … are this host on Linux), with a cookie jar. */
class Peer {
  private readonly cookies = new Map<string, string>();
  private csrf = '';
  constructor(
    private readonly base: string,
    private readonly from: string,
  ) {}

  call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
    return new Promise<{ status: number; json: Record<string, unknown> }>((resolve, reject) => {
      const all: Record<string, string> = { ...headers };
      if (this.cookies.size > 0) all.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
      if (method !== 'GET') all['x-csrf-token'] = this.csrf;
      if (body !== undefined) all['content-type'] = 'application/json';
      const req = request(
        new URL(path, this.base),
        { method, localAddress: this.from, headers: all },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            for (const line of res.headers['set-cookie'] ?? []) {
              const [pair = ''] = line.split(';');
              const eq = pair.indexOf('=');
              this.cookies.set(pair.slice(0, eq), pair.slice(eq + 1));
            }
            let json: Record<string, unknown> = {};
            try {
              json = JSON.parse(Buffer.concat(chunks).toString()) as Record<string, unknown>;
            } catch {}
            if (typeof json.csrf === 'string') this.csrf = json.csrf;
            resolve({ status: res.statusCode ?? 0, json });
          });
        },
      );
      req.on('error', reject);
      req.end(body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body));
    });
  }

  /** A fresh browser's login as `login`, its client named by `forwardedFor`. */
  static async login(base: string, from: string, forwardedFor: string, password: string): Promise<number> {
    const peer = new Peer(base, from);
    const headers = { 'x-forwarded-for': forwardedFor };
    await peer.call('GET', '/api/session', undefined, headers);
    return (await peer.call('POST', '/api/login', { login: 'anna', password }, headers)).status;
  }
}

it('judges pushes and inbox logins by one client-address rule behind --trusted-proxies and --trust-proxy', async () => {
  requireBuilt();
  const emulator = createEmulator({ seed: 1, credentials: [{ apiKey: API_KEY, businessIds: [BUSINESS] }] });
  const url = await emulator.listen(0);
  const dir = mkdtempSync(join(tmpdir(), 'ym-serve-cli-'));
  const env = cleanEnv({ YM_API_KEY: API_KEY, YM_STORE: join(dir, 'store.sqlite') });
  // Into the store (YM_STORE) the serves below run on.
  const added = await run(
    ['agents', 'add', 'anna', '--businesses', String(BUSINESS), '--password-file', '-'],
    {
      env,
      cwd: dir,
      input: 'anna-secret\n',
    },
  );
  expect(added.code).toBe(0);
  const flags = ['--base-url', url, '--business-id', String(BUSINESS), '--reconcile', '0', '--json'];
  const start = async (proxyFlags: string[]) => {
    const serve = new LongRun(['serve', '--port', '0', ...proxyFlags, ...flags], {
      env,
      cwd: dir,
    });
    const endpoint = (await serve.waitFor('stdout', /"endpoint":"([^"]+)"/, 30_000))[1]!;
    return { serve, endpoint, base: new URL(endpoint).origin };
  };
  const PING = '{"notificationType":"PING"}';
  // One after another, so the failure that meets a limit is the sixth.
  const wrong = async (base: string, from: string, forwarded: (i: number) => string) => {
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push(await Peer.login(base, from, forwarded(i), 'wrong-password'));
    return statuses;
  };
  try {
    // Two proxies in a chain, 127.0.0.2 then 127.0.0.3; the push endpoint only for 203.0.113.0/24.
    const chain = await start(['--trusted-proxies', '127.0.0.2,127.0.0.3', '--allow-from', '203.0.113.0/24']);
    try {
      const push = (from: string, xff: string) =>
        new Peer(chain.base, from).call('POST', chain.endpoint, PING, { 'x-forwarded-for': xff });
      expect((await push('127.0.0.2', '203.0.113.5, 127.0.0.3')).status).toBe(200);
      expect((await push('127.0.0.2', '198.51.100.1, 127.0.0.3')).status).toBe(403);
      // An untrusted peer's header is a forgery: the peer itself is judged.
      expect((await push('127.0.0.4', '203.0.113.5')).status).toBe(403);
      // The inbox names the same client the receiver does: six places behind the chain are six places,
      // each within its limit of 5 failures — not one proxy address that the sixth failure locks.
      const statuses = await wrong(chain.base, '127.0.0.2', (i) => `198.51.100.${i + 1}, 127.0.0.3`);
      expect(statuses).toEqual([401, 401, 401, 401, 401, 401]);
      expect(await Peer.login(chain.base, '127.0.0.2', '198.51.100.9, 127.0.0.3', 'anna-secret')).toBe(200);
    } finally {
      chain.serve.kill('SIGINT');
      await chain.serve.exited;
    }
    // Any peer a proxy: one client however its proxy writes it (with a port) or mangles it (not an address).
    const any = await start(['--trust-proxy']);
    try {
      const withPorts = await wrong(any.base, '127.0.0.1', (i) => `203.0.113.7:${40_000 + i}`);
      expect(withPorts).toEqual([401, 401, 401, 401, 401, 429]);
      const mangled = await wrong(any.base, '127.0.0.1', (i) => `client-${i}`);
      expect(mangled).toEqual([401, 401, 401, 401, 401, 429]);
      expect(await Peer.login(any.base, '127.0.0.1', '[2001:db8::7]:443', 'anna-secret')).toBe(200);
    } finally {
      any.serve.kill('SIGINT');
      await any.serve.exited;
    }
  } finally {
    await emulator.close();
  }
}, 120_000);

it('refuses a network that is not one in --allow-from or --trusted-proxies, naming the entry and the fix', async () => {
  requireBuilt();
  const dir = mkdtempSync(join(tmpdir(), 'ym-serve-cli-'));
  const env = cleanEnv({ YM_API_KEY: API_KEY, YM_STORE: join(dir, 'store.sqlite') });
  const flags = ['--base-url', 'http://127.0.0.1:9', '--business-id', String(BUSINESS), '--reconcile', '0'];
  for (const [flag, entry, fix] of [
    ['--allow-from', '999.0.0.1', /e\.g\. 203\.0\.113\.0\/24/],
    ['--allow-from', '::ffff:10.0.0.0/80', /IPv4-mapped network takes \/96 to \/128/],
    ['--trusted-proxies', '10.0.0.1:8080', /e\.g\. 203\.0\.113\.0\/24/],
  ] as const) {
    const result = await run(['serve', '--port', '0', flag, `192.0.2.0/24,${entry}`, ...flags], {
      env,
      cwd: dir,
    });
    expect(result.code, entry).toBe(2);
    expect(result.stderr, entry).toContain(`${flag}: "${entry}"`);
    expect(result.stderr, entry).toMatch(fix);
  }
});
