/**
 * `ym-chats agents add|list|passwd|remove` edit the agents in the store a running `serve` reads, through
 * the built binary (passwords from stdin or a private file; the TTY prompt needs a terminal), checked by
 * logging in to that serve over HTTP; `serve --agents FILE` imports a file into the store.
 *
 * `ym-chats agents link LOGIN` as users run it: the built binary makes a one-time link in the store a
 * running `ym-chats serve` reads, and the link logs a new browser in while 200 wrong guesses from 10
 * addresses hold the login limits' shared ceiling — as does anna's own browser, by its device token.
 */
import { chmodSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
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

it('adds agents to the store a running serve reads: login at once, passwd and remove log out, no restart', async () => {
  requireBuilt();
  const emulator = createEmulator({ seed: 1, credentials: [{ apiKey: API_KEY, businessIds: [BUSINESS] }] });
  const apiUrl = await emulator.listen(0);
  const dir = mkdtempSync(join(tmpdir(), 'ym-agents-cli-'));
  const store = join(dir, 'store.sqlite');
  const env = cleanEnv({ YM_API_KEY: API_KEY, YM_STORE: store });
  const agents = async (args: string[], input?: string) =>
    run(['agents', ...args], { env, cwd: dir, ...(input === undefined ? {} : { input }) });
  const ids = ['--businesses', String(BUSINESS)];
  // Bound to loopback with no agents yet: the local user needs no login, until the store has agents.
  const serve = new LongRun(
    [
      ...['serve', '--port', '0', '--reconcile', '0', '--json'],
      ...['--base-url', apiUrl, '--business-id', String(BUSINESS)],
    ],
    { env, cwd: dir },
  );
  try {
    const inbox = (await serve.waitFor('stdout', /"inbox":"([^"]+)"/, 30_000))[1]!;
    const local = new Browser(inbox);
    await local.call('GET', '/api/session');
    expect(await local.call('GET', '/api/queue')).toBe(200);

    const added = await agents(
      ['add', 'anna', '--name', 'Анна', ...ids, '--password-file', '-'],
      'anna-pass-1\n',
    );
    expect([added.code, added.stderr]).toEqual([0, expect.stringContaining('Added anna')]);
    // From a private file (one line; a trailing newline is the line's end).
    writeFileSync(join(dir, 'boris.pass'), 'boris pass 1\n', { mode: 0o600 });
    expect(
      (
        await agents([
          'add',
          'boris',
          `--businesses=${BUSINESS},${BUSINESS}`,
          '--password-file',
          'boris.pass',
        ])
      ).code,
    ).toBe(0);

    // The store has agents: the local user's session is gone and every browser logs in, on loopback too.
    expect(await local.call('GET', '/api/queue')).toBe(401);
    await expect
      .poll(async () => {
        const fresh = new Browser(inbox);
        await fresh.call('GET', '/api/session');
        return fresh.call('GET', '/api/queue');
      })
      .toBe(401);

    // The running serve lets them in, without a restart.
    const anna = new Browser(inbox);
    expect(await anna.login('anna-pass-1', '198.51.100.1')).toBe(200);
    expect(await anna.call('GET', '/api/queue')).toBe(200);
    const annaPhone = new Browser(inbox);
    expect(await annaPhone.login('anna-pass-1', '198.51.100.2')).toBe(200);
    const boris = new Browser(inbox);
    await boris.call('GET', '/api/session');
    expect(await boris.call('POST', '/api/login', { login: 'boris', password: 'boris pass 1' })).toBe(200);
    expect(await new Browser(inbox).login('boris pass 1', '198.51.100.3')).toBe(401);

    const listed = await agents(['list', '--json']);
    expect(JSON.parse(listed.stdout)).toEqual([
      { login: 'anna', name: 'Анна', businessIds: [BUSINESS] },
      { login: 'boris', name: 'boris', businessIds: [BUSINESS] },
    ]);
    expect(listed.stdout).not.toContain('scrypt');
    const table = await agents(['list']);
    expect(table.stdout).toMatch(/LOGIN\s+NAME\s+BUSINESSES/);
    expect(table.stdout).toContain('Анна');

    // A new password logs out every device of hers; the old one no longer works, the new one does.
    expect((await agents(['passwd', 'anna', '--password-stdin'], 'anna-pass-2\n')).code).toBe(0);
    expect(await anna.call('GET', '/api/queue')).toBe(401);
    expect(await annaPhone.call('GET', '/api/queue')).toBe(401);
    expect(await new Browser(inbox).login('anna-pass-1', '198.51.100.4')).toBe(401);
    expect(await anna.login('anna-pass-2', '198.51.100.1')).toBe(200);
    // A removed agent's session stops working at once; boris cannot log in again.
    expect(await boris.call('GET', '/api/queue')).toBe(200);
    expect((await agents(['remove', 'boris'])).code).toBe(0);
    expect(await boris.call('GET', '/api/queue')).toBe(401);
    await boris.call('GET', '/api/session');
    expect(await boris.call('POST', '/api/login', { login: 'boris', password: 'boris pass 1' })).toBe(401);
    expect(await anna.call('GET', '/api/queue')).toBe(200);

    // Bad input: a clear error naming the problem and the fix, exit 2, nothing changed.
    const again = await agents(['add', 'anna', ...ids, '--password-file', '-'], 'anna-pass-9\n');
    expect([again.code, again.stderr]).toEqual([2, expect.stringContaining('agents passwd anna')]);
    const short = await agents(['add', 'carl', ...ids, '--password-file', '-'], 'short\n');
    expect([short.code, short.stderr]).toEqual([2, expect.stringContaining('shorter than 8')]);
    expect((await agents(['add', 'carl', ...ids, '--password', 'carl-pass-1'])).code).toBe(2);
    const noTerminal = await agents(['add', 'carl', ...ids]);
    expect([noTerminal.code, noTerminal.stderr]).toEqual([2, expect.stringContaining('--password-stdin')]);
    const badIds = await agents(['add', 'carl', '--businesses', '1001,abc'], 'carl-pass-1\n');
    expect([badIds.code, badIds.stderr]).toEqual([2, expect.stringContaining('"abc" is not a business id')]);
    const noIds = await agents(['add', 'carl', '--password-file', '-'], 'carl-pass-1\n');
    expect([noIds.code, noIds.stderr]).toEqual([2, expect.stringContaining('--businesses 1001')]);
    const badLogin = await agents(['add', 'carl smith', ...ids, '--password-file', '-'], 'carl-pass-1\n');
    expect([badLogin.code, badLogin.stderr]).toEqual([2, expect.stringContaining('is not a login')]);
    expect((await agents(['remove', 'boris'])).stderr).toContain('boris is not an agent in this store');
    expect((await agents(['passwd', 'nobody', '--password-file', '-'], 'nobody-pass\n')).code).toBe(2);
    const twoLines = await agents(['add', 'carl', ...ids, '--password-file', '-'], 'carl-pass-1\nmore\n');
    expect([twoLines.code, twoLines.stderr]).toEqual([2, expect.stringContaining('one line')]);
    // A password file others can read is refused with the chmod that fixes it.
    const open = join(dir, 'open.pass');
    writeFileSync(open, 'carl-pass-1\n');
    chmodSync(open, 0o644);
    const refused = await agents(['add', 'carl', ...ids, '--password-file', open]);
    expect([refused.code, refused.stderr]).toEqual([2, expect.stringContaining(`chmod 600 ${open}`)]);
    const missing = await agents(['add', 'carl', ...ids, '--password-file', 'nowhere.pass']);
    expect([missing.code, missing.stderr]).toEqual([2, expect.stringContaining('cannot read')]);
    const unknownLink = await agents(['link', 'carl']);
    expect([unknownLink.code, unknownLink.stderr]).toEqual([2, expect.stringContaining('agents add carl')]);
    expect(JSON.parse((await agents(['list', '--json'])).stdout)).toEqual([
      { login: 'anna', name: 'Анна', businessIds: [BUSINESS] },
    ]);
    expect(statSync(store).size).toBeGreaterThan(0);
  } finally {
    serve.kill('SIGINT');
    await serve.exited;
    await emulator.close();
  }
}, 240_000);

it('imports serve --agents FILE into the store once, with a summary; a bad file names the problem', async () => {
  requireBuilt();
  const dir = mkdtempSync(join(tmpdir(), 'ym-agents-cli-'));
  const env = cleanEnv({ YM_API_KEY: API_KEY, YM_STORE: join(dir, 'store.sqlite') });
  const hash = await hashPassword('anna-secret');
  writeFileSync(
    join(dir, 'agents.json'),
    JSON.stringify([{ login: 'anna', passwordHash: hash, businessIds: [BUSINESS] }]),
  );
  writeFileSync(
    join(dir, 'twice.json'),
    JSON.stringify([
      { login: 'anna', passwordHash: hash, businessIds: [BUSINESS] },
      { login: 'anna', passwordHash: hash, businessIds: [BUSINESS] },
    ]),
  );
  writeFileSync(
    join(dir, 'plain.json'),
    JSON.stringify([{ login: 'anna', passwordHash: 'secret', businessIds: [BUSINESS] }]),
  );
  // --no-inbox with no API to reach: the import happens first, then serve stops on the unreachable API
  // or runs; either way the summary is printed before.
  const serveWith = async (file: string) => {
    const serve = new LongRun(
      [
        'serve',
        '--port',
        '0',
        '--reconcile',
        '0',
        '--agents',
        file,
        '--base-url',
        'http://127.0.0.1:9',
        '--business-id',
        String(BUSINESS),
      ],
      { env, cwd: dir },
    );
    try {
      return await Promise.race([
        serve.waitFor('stderr', /Imported .*unchanged\./, 30_000).then((m) => m[0]),
        serve.exited.then(() => serve.stderr),
      ]);
    } finally {
      serve.kill('SIGINT');
      await serve.exited;
    }
  };
  expect(await serveWith('agents.json')).toMatch(/1 added \(anna\), 0 updated, 0 unchanged/);
  expect(await serveWith('agents.json')).toMatch(/0 added, 0 updated, 1 unchanged/);
  expect(JSON.parse((await run(['agents', 'list', '--json'], { env, cwd: dir })).stdout)).toEqual([
    { login: 'anna', name: 'anna', businessIds: [BUSINESS] },
  ]);
  expect(await serveWith('twice.json')).toContain('agent anna is listed twice');
  expect(await serveWith('plain.json')).toContain('not one hashPassword makes');
}, 120_000);
