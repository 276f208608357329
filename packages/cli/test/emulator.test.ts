/** `ym-chats emulator` and `ym-chats demo`: start, print how to connect, answer a command, stop on SIGINT. */
import { existsSync, mkdtempSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, LongRun, requireBuilt, run } from './helpers.js';

beforeAll(() => {
  requireBuilt();
});

describe('ym-chats emulator', () => {
  it('starts, prints the base URL, credentials and commands; a chats call works; SIGINT exits 0', async () => {
    const emulator = new LongRun(
      ['emulator', '--port', '0', '--seed', '1', '--api-key', 'my-local-key', '--business-id', '4242'],
      { env: cleanEnv() },
    );
    try {
      const [, url] = await emulator.waitFor('stdout', /API:\s+(http:\/\/127\.0\.0\.1:\d+)/);
      await emulator.waitFor('stdout', /Press Ctrl\+C to stop/);
      expect(emulator.stdout).toContain('Api-Key: my-local-key');
      expect(emulator.stdout).toContain(
        `export YM_BASE_URL=${url} YM_API_KEY=my-local-key YM_BUSINESS_ID=4242`,
      );
      const [, printed] = await emulator.waitFor('stdout', /^ {2}(ym-chats chats --base-url .*)$/m);
      // Run the very command the banner suggests.
      const args = printed!.split(' ').slice(1);
      const table = await run(args, { env: cleanEnv() });
      expect(table.code).toBe(0);
      expect(table.stdout).toMatch(/CHAT\s+STATUS/);
      const json = await run([...args, '--all', '--json'], { env: cleanEnv() });
      // Seeded for the business asked for, not only the emulator's default one.
      expect((JSON.parse(json.stdout) as unknown[]).length).toBeGreaterThan(20);
    } finally {
      emulator.kill('SIGINT');
    }
    const { code } = await emulator.exited;
    expect(code).toBe(0);
    expect(emulator.stderr).toContain('Stopped.');
  });

  it('--json prints one line with the connection details', async () => {
    const emulator = new LongRun(['emulator', '--port', '0', '--json'], { env: cleanEnv() });
    try {
      const [line] = await emulator.waitFor('stdout', /^\{.*\}$/m);
      const info = JSON.parse(line) as { event: string; baseUrl: string; apiKey: string; businessId: number };
      expect(info).toMatchObject({ event: 'listening', apiKey: 'emulator-api-key', businessId: 1001 });
      const result = await run(['chats', '--json', '--base-url', info.baseUrl, '--business-id', '1001'], {
        env: cleanEnv({ YM_API_KEY: info.apiKey }),
      });
      expect(result.code).toBe(0);
      expect(JSON.parse(result.stdout)).toEqual([]);
    } finally {
      emulator.kill('SIGTERM');
    }
    expect((await emulator.exited).code).toBe(0);
  });

  it('a port in use is a usage error (exit 2) with a way out', async () => {
    const first = new LongRun(['emulator', '--port', '0'], { env: cleanEnv() });
    try {
      const [, port] = await first.waitFor('stdout', /API:\s+http:\/\/127\.0\.0\.1:(\d+)/);
      const second = await run(['emulator', '--port', port!], { env: cleanEnv() });
      expect(second.code).toBe(2);
      expect(second.stderr).toContain('already in use');
      expect(second.stderr).toContain('--port');
    } finally {
      first.kill('SIGINT');
    }
    expect((await first.exited).code).toBe(0);
  });

  it('--allow-host adds a name the emulator answers to; other names are refused (DNS rebinding)', async () => {
    const emulator = new LongRun(['emulator', '--port', '0', '--allow-host', 'emu.test'], {
      env: cleanEnv(),
    });
    try {
      const [, port] = await emulator.waitFor('stdout', /API:\s+http:\/\/127\.0\.0\.1:(\d+)/);
      const status = (host: string) =>
        new Promise<number>((resolve, reject) => {
          const req = request(
            { host: '127.0.0.1', port: Number(port), path: '/_emulator/clock', headers: { host } },
            (res) => {
              res.resume();
              resolve(res.statusCode ?? 0);
            },
          );
          req.on('error', reject);
          req.end();
        });
      expect(await status(`emu.test:${port}`)).toBe(200);
      expect(await status(`localhost:${port}`)).toBe(200);
      expect(await status(`rebound.example:${port}`)).toBe(403);
    } finally {
      emulator.kill('SIGINT');
    }
    expect((await emulator.exited).code).toBe(0);
  });

  it('a non-loopback --host without an admin token is refused before listening', async () => {
    const result = await run(['emulator', '--port', '0', '--host', '0.0.0.0'], { env: cleanEnv() });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('YM_EMULATOR_ADMIN_TOKEN');
    expect(result.stdout).not.toContain('API:');
  });

  it('bad flags are usage errors', async () => {
    expect((await run(['emulator', '--port', 'http'])).code).toBe(2);
    expect((await run(['emulator', '--notify-url', 'ftp://x'])).code).toBe(2);
  });
});

describe('ym-chats demo', () => {
  it('starts seeded with a database under the current directory, prints what to try, survives a restart', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'ym-chats-demo-'));
    const demo = new LongRun(['demo', '--port', '0', '--inbox-port', '0', '--buyer-every', '0'], {
      env: cleanEnv(),
      cwd,
    });
    let url: string;
    let chatId: string;
    try {
      [, url] = (await demo.waitFor(
        'stdout',
        /export YM_BASE_URL=(\S+) YM_API_KEY=emulator-api-key YM_BUSINESS_ID=1001/,
      )) as unknown as [string, string];
      await demo.waitFor('stdout', /Press Ctrl\+C to stop/);
      for (const expected of [
        'ym-chats chats --all',
        'ym-chats watch',
        'curl -s -X POST',
        '"sender":"CUSTOMER"',
      ]) {
        expect(demo.stdout).toContain(expected);
      }
      [, chatId] = (await demo.waitFor('stdout', /ym-chats history (\d+)/)) as unknown as [string, string];
      expect(existsSync(join(cwd, '.ym-chats', 'demo.sqlite'))).toBe(true);
      const env = cleanEnv({ YM_BASE_URL: url, YM_API_KEY: 'emulator-api-key', YM_BUSINESS_ID: '1001' });
      const chats = await run(['chats', '--all', '--json'], { env });
      expect(chats.code).toBe(0);
      expect((JSON.parse(chats.stdout) as { chatId: number }[]).map((c) => String(c.chatId))).toContain(
        chatId,
      );
      const sent = await run(['send', chatId, 'kept across restarts'], { env });
      expect(sent.code).toBe(0);

      // The inbox: its page, and a buyer's message pushed by the emulator into the store it reads.
      const [, inbox] = (await demo.waitFor(
        'stdout',
        /Inbox:\s+(http:\/\/127\.0\.0\.1:\d+\/)/,
      )) as unknown as [string, string];
      expect(demo.stdout).toMatch(/Notify URL: http:\/\/127\.0\.0\.1:\d+\/notification/);
      const page = await fetch(inbox);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('/assets/app.js');
      const session = await fetch(new URL('api/session', inbox));
      const cookie = (session.headers.get('set-cookie') ?? '').split(';')[0]!;
      const phrase = `parcel${Date.now()}`;
      const posted = await fetch(`${url}/_emulator/businesses/1001/chats/${chatId}/messages`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ sender: 'CUSTOMER', message: `Where is my ${phrase}?` }),
      });
      expect(posted.status).toBe(200);
      let found: { chat?: { chatId?: number | string } }[] = [];
      for (let i = 0; i < 100 && found.length === 0; i++) {
        const hits = await fetch(new URL(`api/search?q=${phrase}`, inbox), { headers: { cookie } });
        expect(hits.status).toBe(200);
        const body = (await hits.json()) as { hits?: { chat?: { chatId?: number | string } }[] };
        found = body.hits ?? [];
        if (found.length === 0) await new Promise((r) => setTimeout(r, 200));
      }
      expect(found.map((h) => String(h.chat?.chatId))).toContain(chatId);
    } finally {
      demo.kill('SIGINT');
    }
    expect((await demo.exited).code).toBe(0);

    const again = new LongRun(['demo', '--port', '0', '--inbox-port', '0', '--buyer-every', '0'], {
      env: cleanEnv(),
      cwd,
    });
    try {
      const [, url2] = await again.waitFor('stdout', /export YM_BASE_URL=(\S+) /);
      await again.waitFor('stdout', /Press Ctrl\+C to stop/);
      const env = cleanEnv({ YM_BASE_URL: url2!, YM_API_KEY: 'emulator-api-key', YM_BUSINESS_ID: '1001' });
      const history = await run(['history', chatId, '--all'], { env });
      expect(history.code).toBe(0);
      expect(history.stdout).toContain('kept across restarts');
    } finally {
      again.kill('SIGINT');
    }
    expect((await again.exited).code).toBe(0);
  });

  it('run by `npm start`, its hints are in that form: the restart, and both ports when one is taken', async () => {
    const npmStart = () => cleanEnv({ npm_lifecycle_event: 'start' });
    const cwd = mkdtempSync(join(tmpdir(), 'ym-chats-demo-hints-'));
    const first = new LongRun(['demo', '--port', '0', '--inbox-port', '0', '--buyer-every', '0'], {
      env: npmStart(),
      cwd,
    });
    try {
      await first.waitFor('stdout', /Press Ctrl\+C to stop/);
      expect(first.stdout).toContain('(npm start -- --reset starts over)');
      const [, apiPort] = await first.waitFor('stdout', /export YM_BASE_URL=http:\/\/127\.0\.0\.1:(\d+) /);
      const [, inboxPort] = await first.waitFor('stdout', /http:\/\/127\.0\.0\.1:(\d+)\/notification/);
      const other = mkdtempSync(join(tmpdir(), 'ym-chats-demo-hints-'));
      for (const taken of [
        ['--port', apiPort!, '--inbox-port', '0'],
        ['--port', '0', '--inbox-port', inboxPort!],
      ]) {
        const second = await run(['demo', ...taken, '--buyer-every', '0'], { env: npmStart(), cwd: other });
        expect(second.code).toBe(2);
        expect(second.stderr).toContain('already in use');
        expect(second.stderr).toContain('npm start -- --port 18080 --inbox-port 18090');
      }
    } finally {
      first.kill('SIGINT');
    }
    expect((await first.exited).code).toBe(0);
  });
});
