/**
 * Issue 19, the second "Done when", with the real page in Chromium: the agent presses Send, the platform
 * holds the send 5 s, and the `serve` process that took it is killed (`kill -9`) meanwhile. The page must
 * never say "not sent" for it nor offer to send it again while its fate is unknown: it shows "may have been
 * sent — checking…", keeps asking about the same draft id while the server is away, and ends on Sent once
 * the next process has settled the dead one's ledger row from the chat's history; the buyer has one copy.
 * SQLite: the same `serve` restarted on the same port. PostgreSQL: two `serve` processes behind a small TCP
 * forwarder (the proxy), which sends the page's next connections to the survivor once the holder died.
 * The built binary, the real emulator, Debian's Chromium through playwright-core.
 */
import { mkdtempSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChatsApi } from '@ym-chats/sdk';
import {
  CHROMIUM,
  CHROMIUM_ARGS,
  CHROMIUM_MISSING,
  freshSchema,
  HAVE_CHROMIUM,
  PG_URL,
} from '@ym-chats/testkit';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  API_KEY,
  BUSINESS,
  LongRun,
  requireBuilt,
  run,
  startEmulator,
  type TestEmulator,
} from './helpers.js';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function startServe(emu: TestEmulator, port: number, store: string[], dir: string): LongRun {
  return new LongRun(
    ['serve', '--port', String(port), '--json', '--reconcile', '0', ...store, ...emu.flags],
    { env: emu.env(), cwd: dir },
  );
}

const portOf = async (serve: LongRun) =>
  Number(new URL((await serve.waitFor('stdout', /"inbox":"([^"]+)"/))[1]!).port);

/** A TCP forwarder on 127.0.0.1 (adds no header: the page stays the loopback user) to a settable port. */
async function forwarder(target: { port: number }): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(target.port, '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream);
    upstream.pipe(client);
    upstream.on('close', () => client.destroy());
    client.on('close', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function copiesAt(emu: TestEmulator, chatId: number, text: string): Promise<number> {
  const api = new ChatsApi({ apiKey: API_KEY, baseUrl: emu.url, pathPrefix: '/v2' });
  let n = 0;
  for await (const m of api.iterateChatHistory(BUSINESS, chatId)) if (m.message === text) n++;
  return n;
}

/**
 * The scenario: the page at `url` sends a reply the emulator holds 5 s; `kill()` kills the process holding
 * it (and brings up or points at the next one).
 */
async function sendThenKill(
  browser: Browser,
  emu: TestEmulator,
  url: string,
  kill: () => Promise<void>,
  label: string,
): Promise<void> {
  const context = await browser.newContext({ locale: 'ru-RU', viewport: { width: 1280, height: 800 } });
  try {
    const page: Page = await context.newPage();
    page.setDefaultTimeout(10_000);
    await page.goto(url);
    const first = page.locator('.chat-item').first();
    await first.waitFor();
    const chatId = Number(await first.getAttribute('data-chat-id'));
    await first.locator('a').click();
    await page.getByRole('log', { name: 'Сообщения' }).waitFor();
    const text = `Ответ, отправленный перед kill -9 (${label})`;
    await page.getByRole('textbox', { name: 'Ответ' }).fill(text);
    await emu.admin.addFaults([{ operation: 'sendMessageToChat', delayMs: 5000, count: 1 }]);
    await page.getByRole('button', { name: 'Отправить', exact: true }).click();
    const reply = page.locator('.out').last();
    await expect.poll(() => reply.getAttribute('data-state')).toBe('sending');
    // The process dies with the send at the platform, held there: once the hold's fault rule has fired
    // (the emulator drops a rule when it has fired its count) — not after a guess at how long the history
    // read before the send takes on a busy machine.
    await expect
      .poll(async () => (await emu.admin.state()).faults.length, { timeout: 10_000, interval: 20 })
      .toBe(0);
    await kill();
    // Every state the reply shows until it is known, sampled while the next process settles the row.
    const shown: string[] = [];
    const texts = new Set<string>();
    const deadline = Date.now() + 60_000;
    for (;;) {
      const state = (await reply.getAttribute('data-state')) ?? 'gone';
      if (shown.at(-1) !== state) shown.push(state);
      texts.add(
        (await reply
          .locator('.state')
          .textContent()
          .catch(() => '')) ?? '',
      );
      // Never offered while the outcome is unknown: it could only make a second copy.
      expect(await reply.getByRole('button', { name: 'Отправить ещё раз' }).count()).toBe(0);
      if (state === 'sent' || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    // (Still "sending" at the first look, or already "checking": the page learns of the loss at once.)
    expect(shown[0] === 'sending' ? shown.slice(1) : shown).toEqual(['checking', 'sent']);
    expect([...texts]).toContain('Возможно, отправлено — проверяем…');
    expect([...texts].filter((t) => /Не отправлено/.test(t))).toEqual([]);
    expect(await copiesAt(emu, chatId, text)).toBe(1);
    // The sender sees it in the conversation (read back by the process that settled it).
    await expect
      .poll(() => page.getByRole('log', { name: 'Сообщения' }).locator('.text').last().textContent(), {
        timeout: 10_000,
      })
      .toBe(text);
  } finally {
    await context.close();
  }
}

describe.runIf(HAVE_CHROMIUM || process.env.CI === 'true')(
  'issue 19: the page of a reply whose serve process is killed mid-send (Chromium)',
  () => {
    let browser: Browser;

    beforeAll(async () => {
      if (!HAVE_CHROMIUM) throw new Error(`${CHROMIUM_MISSING}; CI must run the browser tests`);
      requireBuilt();
      browser = await chromium.launch({
        executablePath: CHROMIUM,
        headless: true,
        args: CHROMIUM_ARGS,
      });
    });
    afterAll(async () => browser?.close());

    it('SQLite, serve restarted on the same port: the page shows checking, then Sent; one copy', async () => {
      const emu = await startEmulator({ countAbandonedInFlight: true });
      const dir = mkdtempSync(join(tmpdir(), 'ym-crash-page-'));
      const store = ['--store', join(dir, 'store.sqlite')];
      expect((await run(['sync', ...store, ...emu.flags], { env: emu.env(), cwd: dir })).code).toBe(0);
      const port = await freePort();
      const first = startServe(emu, port, store, dir);
      let second: LongRun | undefined;
      try {
        await portOf(first);
        await sendThenKill(
          browser,
          emu,
          `http://127.0.0.1:${port}/`,
          async () => {
            first.kill('SIGKILL');
            await first.exited;
            second = startServe(emu, port, store, dir);
            await portOf(second);
          },
          'sqlite',
        );
      } finally {
        first.kill('SIGKILL');
        second?.kill('SIGINT');
        await second?.exited;
        await emu.close();
      }
    }, 120_000);

    it.runIf(PG_URL)(
      'PostgreSQL, two serve processes, the holder killed: the other settles it; Sent, one copy',
      async () => {
        const emu = await startEmulator({ countAbandonedInFlight: true });
        const dir = mkdtempSync(join(tmpdir(), 'ym-crash-page-'));
        const fresh = freshSchema(PG_URL, 'crash_page');
        const store = ['--store', fresh.url, '--schema', fresh.schema];
        expect((await run(['sync', ...store, ...emu.flags], { env: emu.env(), cwd: dir })).code).toBe(0);
        const a = startServe(emu, 0, store, dir);
        const b = startServe(emu, 0, store, dir);
        const target = { port: 0 };
        const proxy = await forwarder(target);
        try {
          const portB = await portOf(b);
          target.port = await portOf(a);
          await sendThenKill(
            browser,
            emu,
            `http://127.0.0.1:${proxy.port}/`,
            async () => {
              a.kill('SIGKILL');
              await a.exited;
              target.port = portB; // the proxy sends the page's next connections to the survivor
            },
            'postgres',
          );
        } finally {
          a.kill('SIGKILL');
          b.kill('SIGINT');
          await b.exited;
          await proxy.close();
          await emu.close();
          await fresh.drop();
        }
      },
      120_000,
    );
  },
);
