/**
 * A reply reaches the buyer once even when the `serve` process sending it is killed (`kill -9`) while the
 * platform holds the request: the page's retry and its "send again" meet the ledger row the dead process
 * left, which the next process settles from the chat's history before anything else goes to that chat.
 * The built binary, the real emulator (a 5 s hold on the send, carried out after the client is gone), a
 * SQLite store with one process restarted, and a PostgreSQL store with two processes, one of them killed.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChatsApi } from '@ym-chats/sdk';
import { freshSchema, PG_URL } from '@ym-chats/testkit';
import { describe, expect, it } from 'vitest';
import {
  API_KEY,
  BUSINESS,
  InboxPage,
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

type Answer = { state?: string; messageId?: number; error?: { code: string } };

function startServe(emu: TestEmulator, port: number, store: string[], dir: string): LongRun {
  return new LongRun(
    ['serve', '--port', String(port), '--json', '--reconcile', '0', ...store, ...emu.flags],
    {
      env: emu.env(),
      cwd: dir,
    },
  );
}

async function copiesAt(emu: TestEmulator, chatId: number, text: string): Promise<number> {
  const api = new ChatsApi({ apiKey: API_KEY, baseUrl: emu.url, pathPrefix: '/v2' });
  let n = 0;
  for await (const m of api.iterateChatHistory(BUSINESS, chatId)) if (m.message === text) n++;
  return n;
}

/**
 * The scenario on one store: `sender` takes the send and is killed while the emulator holds it; `next()`
 * gives the process the page talks to afterwards (the same one restarted, or another one).
 */
async function killMidSend(
  emu: TestEmulator,
  sender: { serve: LongRun; page: InboxPage },
  next: () => Promise<InboxPage>,
  label: string,
) {
  const queue = await sender.page.call<{ chats: Array<{ chatId: number }> }>(
    'GET',
    '/api/queue?status=WAITING_FOR_PARTNER',
  );
  const chatId = queue.body.chats[0]!.chatId;
  const path = `/api/businesses/${BUSINESS}/chats/${chatId}`;
  const shown = await sender.page.call<{ messages: Array<{ messageId: number }> }>('GET', `${path}/messages`);
  const seenMessageId = shown.body.messages.at(-1)?.messageId ?? 0;
  const text = `Ответ, который сервер не успел записать (${label})`;
  const draft = {
    text,
    clientId: `crash-${label}-${randomBytes(4).toString('hex')}`,
    page: 'page-crash-01',
    seenMessageId,
  };
  await emu.admin.addFaults([{ operation: 'sendMessageToChat', delayMs: 5000, count: 1 }]);
  const lost = sender.page.call<Answer>('POST', `${path}/messages`, draft).catch((error: unknown) => error);
  // The history read before the send takes milliseconds; the send is then held 5 s at the platform.
  await new Promise((r) => setTimeout(r, 1500));
  sender.serve.kill('SIGKILL');
  await sender.serve.exited;
  expect(await lost).toBeInstanceOf(Error); // the page lost the answer: it shows "checking"
  const page = await next();
  // The page's retry of the same draft, at once: never a second request while the outcome is unknown.
  const retried = await page.call<Answer>('POST', `${path}/messages`, draft);
  expect(retried.body.state).toBe('checking');
  // "Send again" (a new draft from what the first one saw) waits for the dead send to be settled, then
  // finds that reply in the history and asks instead of sending.
  const again = await page.call<Answer>('POST', `${path}/messages`, {
    ...draft,
    clientId: `${draft.clientId}-again`,
  });
  expect(again.status).toBe(409);
  expect(again.body.error?.code).toBe('REPLIED_MEANWHILE');
  const settled = await page.call<Answer>('GET', `${path}/sends/${draft.clientId}`);
  expect(settled.body).toMatchObject({ state: 'sent', messageId: expect.any(Number) });
  expect(await copiesAt(emu, chatId, text)).toBe(1);
}

describe('a reply whose serve process is killed mid-send', () => {
  it('SQLite: serve restarted on the same store settles it; the buyer has one copy', async () => {
    requireBuilt();
    const emu = await startEmulator({ countAbandonedInFlight: true });
    const dir = mkdtempSync(join(tmpdir(), 'ym-send-crash-'));
    const store = ['--store', join(dir, 'store.sqlite')];
    expect((await run(['sync', ...store, ...emu.flags], { env: emu.env(), cwd: dir })).code).toBe(0);
    const port = await freePort();
    const first = startServe(emu, port, store, dir);
    let second: LongRun | undefined;
    try {
      const url = (await first.waitFor('stdout', /"inbox":"([^"]+)"/))[1]!.replace(/\/$/, '');
      const page = new InboxPage(url);
      await page.start();
      await killMidSend(
        emu,
        { serve: first, page },
        async () => {
          second = startServe(emu, port, store, dir);
          await second.waitFor('stdout', /"inbox":"([^"]+)"/);
          return page; // the same page, its session kept in the store
        },
        'sqlite',
      );
    } finally {
      first.kill('SIGKILL');
      second?.kill('SIGINT');
      await second?.exited;
      await emu.close();
    }
  }, 90_000);

  it.runIf(PG_URL)(
    'PostgreSQL: the other serve process settles it; the buyer has one copy',
    async () => {
      requireBuilt();
      const emu = await startEmulator({ countAbandonedInFlight: true });
      const dir = mkdtempSync(join(tmpdir(), 'ym-send-crash-'));
      const fresh = freshSchema(PG_URL, 'send_crash');
      const store = ['--store', fresh.url, '--schema', fresh.schema];
      expect((await run(['sync', ...store, ...emu.flags], { env: emu.env(), cwd: dir })).code).toBe(0);
      const a = startServe(emu, 0, store, dir);
      const b = startServe(emu, 0, store, dir);
      try {
        const urlA = (await a.waitFor('stdout', /"inbox":"([^"]+)"/))[1]!.replace(/\/$/, '');
        const urlB = (await b.waitFor('stdout', /"inbox":"([^"]+)"/))[1]!.replace(/\/$/, '');
        const page = new InboxPage(urlA);
        await page.start();
        await killMidSend(
          emu,
          { serve: a, page },
          async () => {
            page.base = urlB; // the proxy sends the page's next requests to the process still alive
            return page;
          },
          'postgres',
        );
      } finally {
        a.kill('SIGKILL');
        b.kill('SIGINT');
        await b.exited;
        await emu.close();
        await fresh.drop();
      }
    },
    90_000,
  );
});
