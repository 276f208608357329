/**
 * `ym-chats agents add|list|passwd|remove` edit the agents file serve reads, through the built binary
 * (passwords from stdin; the TTY prompt needs a terminal).
 *
 * `ym-chats agents link LOGIN` as users run it: the built binary makes a one-time link in the store a
 * running `ym-chats serve` reads, and the link logs a new browser in while 200 wrong guesses from 10
 * addresses hold the login limits' shared ceiling — as does anna's own browser, by its device token.
 */
import { chmodSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEmulator } from '@ym-chats/emulator';
import { hashPassword } from '@ym-chats/inbox';
import { expect, it } from 'vitest';
import { API_KEY, BUSINESS, cleanEnv, LongRun, requireBuilt, run } from './helpers.js';

/** A browser as far as the inbox's login is concerned: its cookies and the page's CSRF token. */
class Browser {
  private readonly cookies = new Map<string, string>();
  private csrf = '';

  constructor(private readonly base: string) {}

  async call(method: string, path: string, body?: unknown, from?: string) {
    const headers: Record<string, string> = {};
    if (this.cookies.size > 0) headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    if (method !== 'GET') headers['x-csrf-token'] = this.csrf;
    if (body !== undefined) headers['content-type'] = 'application/json';
    // serve runs with --trust-proxy: the address the limits count is the forwarded one.
    if (from !== undefined) headers['x-forwarded-for'] = from;
    const response = await fetch(new URL(path, this.base), {
      method,
      headers,
      body: body === undefined ? null : JSON.stringify(body),
    });
    for (const line of response.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const eq = pair.indexOf('=');
      if (/max-age=0/i.test(line)) this.cookies.delete(pair.slice(0, eq));
      else this.cookies.set(pair.slice(0, eq), pair.slice(eq + 1));
    }
    const json = (await response.json().catch(() => ({}))) as { csrf?: string };
    if (typeof json.csrf === 'string') this.csrf = json.csrf;
    return response.status;
  }

  async login(password: string, from: string): Promise<number> {
    await this.call('GET', '/api/session');
    return this.call('POST', '/api/login', { login: 'anna', password }, from);
  }

  hasDeviceToken(): boolean {
    return [...this.cookies.keys()].some((name) => name.startsWith('ymc_device_'));
  }
}

it('logs a new browser in with a link from agents link while guessers hold the shared ceiling', async () => {
  requireBuilt();
  const emulator = createEmulator({ seed: 1, credentials: [{ apiKey: API_KEY, businessIds: [BUSINESS] }] });
  const apiUrl = await emulator.listen(0);
  const dir = mkdtempSync(join(tmpdir(), 'ym-agents-cli-'));
  const store = join(dir, 'store.sqlite');
  writeFileSync(
    join(dir, 'agents.json'),
    JSON.stringify([
      { login: 'anna', passwordHash: await hashPassword('anna-secret'), businessIds: [BUSINESS] },
    ]),
  );
  const env = cleanEnv({ YM_API_KEY: API_KEY, YM_STORE: store });
  const serve = new LongRun(
    [
      ...['serve', '--port', '0', '--agents', 'agents.json', '--trust-proxy', '--reconcile', '0', '--json'],
      ...['--base-url', apiUrl, '--business-id', String(BUSINESS)],
    ],
    { env, cwd: dir },
  );
  try {
    const inbox = (await serve.waitFor('stdout', /"inbox":"([^"]+)"/, 30_000))[1]!;
    // Anna's browser, used before: it holds her device token.
    const hers = new Browser(inbox);
    expect(await hers.login('anna-secret', '198.51.100.10')).toBe(200);
    expect(hers.hasDeviceToken()).toBe(true);
    // 200 wrong guesses from 10 addresses, each within its own limits (5 at anna, 15 at other names).
    const statuses = await Promise.all(
      Array.from({ length: 10 }, async (_, a) => {
        const out: number[] = [];
        for (let i = 0; i < 20; i++) {
          const guesser = new Browser(inbox);
          await guesser.call('GET', '/api/session');
          const login = i < 5 ? 'anna' : `guess${i}`;
          out.push(
            await guesser.call('POST', '/api/login', { login, password: 'wrong' }, `203.0.113.${a + 1}`),
          );
        }
        return out;
      }),
    );
    expect(statuses.flat().filter((s) => s === 401)).toHaveLength(200);
    // A new browser at a new address is held back, even with the right password …
    expect(await new Browser(inbox).login('anna-secret', '192.0.2.60')).toBe(429);
    // … anna's own browser is not, there or anywhere.
    expect(await hers.login('anna-secret', '192.0.2.60')).toBe(200);
    expect(await hers.call('GET', '/api/queue')).toBe(200);

    // A link made in a terminal, on the inbox's origin (serve's --port given, as an operator would).
    const port = new URL(inbox).port;
    const made = await run(['agents', 'link', 'anna', '--port', port, '--json'], { env, cwd: dir });
    expect(made.code).toBe(0);
    const { url } = JSON.parse(made.stdout) as { url: string };
    expect(new URL(url).origin).toBe(new URL(inbox).origin);
    const token = /#link=([\w-]+)$/.exec(url)![1]!;
    const fresh = new Browser(inbox);
    await fresh.call('GET', '/api/session');
    expect(await fresh.call('POST', '/api/login/link', { token }, '192.0.2.61')).toBe(200);
    expect(await fresh.call('GET', '/api/queue')).toBe(200);
    expect(fresh.hasDeviceToken()).toBe(true);
    // Single use.
    const second = new Browser(inbox);
    await second.call('GET', '/api/session');
    expect(await second.call('POST', '/api/login/link', { token }, '192.0.2.62')).toBe(401);

    // The plain form prints the link alone on stdout.
    const plain = await run(['agents', 'link', 'anna', '--inbox-url', 'https://inbox.example.ru/'], {
      env,
      cwd: dir,
    });
    expect(plain.code).toBe(0);
    expect(plain.stdout).toMatch(/^https:\/\/inbox\.example\.ru\/login#link=[\w-]{43}\n$/);
  } finally {
    serve.kill('SIGINT');
    await serve.exited;
    await emulator.close();
  }
}, 240_000);

it('refuses an address no browser can open, naming the fix', async () => {
  requireBuilt();
  const dir = mkdtempSync(join(tmpdir(), 'ym-agents-cli-'));
  const env = cleanEnv({ YM_STORE: join(dir, 'store.sqlite') });
  const result = await run(['agents', 'link', 'anna', '--host', '0.0.0.0'], { env, cwd: dir });
  expect(result.code).toBe(2);
  expect(result.stderr).toContain('--inbox-url');
});

it('adds agents from stdin into a private file serve --agents reads; passwd and remove take effect on restart', async () => {
  requireBuilt();
  const emulator = createEmulator({ seed: 1, credentials: [{ apiKey: API_KEY, businessIds: [BUSINESS] }] });
  const apiUrl = await emulator.listen(0);
  const dir = mkdtempSync(join(tmpdir(), 'ym-agents-cli-'));
  const env = cleanEnv({ YM_API_KEY: API_KEY, YM_STORE: join(dir, 'store.sqlite') });
  const agents = async (args: string[], input?: string) =>
    run(['agents', ...args], { env, cwd: dir, ...(input === undefined ? {} : { input }) });
  const ids = ['--business-id', String(BUSINESS)];
  const serveLogins = async (attempts: [string, string][]) => {
    const serve = new LongRun(
      [
        ...['serve', '--port', '0', '--agents', 'agents.json', '--reconcile', '0', '--json'],
        ...['--base-url', apiUrl, '--business-id', String(BUSINESS)],
      ],
      { env, cwd: dir },
    );
    try {
      const inbox = (await serve.waitFor('stdout', /"inbox":"([^"]+)"/, 30_000))[1]!;
      const statuses: number[] = [];
      for (const [login, password] of attempts) {
        const browser = new Browser(inbox);
        await browser.call('GET', '/api/session');
        statuses.push(await browser.call('POST', '/api/login', { login, password }));
      }
      return statuses;
    } finally {
      serve.kill('SIGINT');
      await serve.exited;
    }
  };
  try {
    expect(
      (await agents(['add', 'anna', '--name', 'Анна', ...ids, '--password-stdin'], 'anna-pass-1\n')).code,
    ).toBe(0);
    expect((await agents(['add', 'boris', ...ids, '--password-stdin'], 'boris-pass-1\n')).code).toBe(0);
    const file = join(dir, 'agents.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8')).not.toContain('anna-pass-1');
    // Never twice, never too short, never from a flag.
    const again = await agents(['add', 'anna', ...ids, '--password-stdin'], 'anna-pass-9\n');
    expect([again.code, again.stderr]).toEqual([2, expect.stringContaining('agents passwd anna')]);
    expect((await agents(['add', 'carl', ...ids, '--password-stdin'], 'short\n')).code).toBe(2);
    expect((await agents(['add', 'carl', ...ids, '--password', 'carl-pass-1'])).code).toBe(2);
    const noTerminal = await agents(['add', 'carl', ...ids]);
    expect([noTerminal.code, noTerminal.stderr]).toEqual([2, expect.stringContaining('--password-stdin')]);

    const listed = await agents(['list', '--json']);
    expect(JSON.parse(listed.stdout)).toEqual([
      { login: 'anna', name: 'Анна', businessIds: [BUSINESS] },
      { login: 'boris', name: 'boris', businessIds: [BUSINESS] },
    ]);
    expect(listed.stdout).not.toContain('scrypt');

    expect(
      await serveLogins([
        ['anna', 'anna-pass-1'],
        ['boris', 'boris-pass-1'],
        ['anna', 'boris-pass-1'],
      ]),
    ).toEqual([200, 200, 401]);

    expect((await agents(['passwd', 'anna', '--password-stdin'], 'anna-pass-2\n')).code).toBe(0);
    expect((await agents(['remove', 'boris'])).code).toBe(0);
    expect((await agents(['remove', 'boris'])).code).toBe(2);
    expect(
      await serveLogins([
        ['boris', 'boris-pass-1'],
        ['anna', 'anna-pass-1'],
        ['anna', 'anna-pass-2'],
      ]),
    ).toEqual([401, 401, 200]);
    // The name survives a new password.
    expect(JSON.parse((await agents(['list', '--json'])).stdout)).toEqual([
      { login: 'anna', name: 'Анна', businessIds: [BUSINESS] },
    ]);

    // A file others can read is not edited; the error names the chmod.
    chmodSync(file, 0o644);
    const open = await agents(['list']);
    expect(open.code).toBe(2);
    expect(open.stderr).toContain(`chmod 600 ${file}`);
  } finally {
    await emulator.close();
  }
}, 240_000);
