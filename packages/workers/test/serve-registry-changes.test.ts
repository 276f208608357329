/**
 * `serve --registered` follows the registry while it runs: a business added with `ym-chats business add`
 * after the worker started shows in its inbox (chats, replies and attachments with that business's own
 * credential, checked by the emulator behind a recording proxy), and one removed with `business remove`
 * is refused with an answer that says so, also by a download sent at once. Real processes, PostgreSQL and the emulator.
 */
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import {
  apiKeyOf,
  describePg,
  type Fleet,
  firstFileOf,
  inboxOf,
  registeredSchema,
  requireBuilt,
  type Schema,
  spawnRegistered,
  spawnWorker,
  startFleet,
  stopAll,
  type WorkerProcess,
  waitFor,
  waitForShares,
  waitUntilShowsNewest,
} from './support/fleet.js';
import { InboxPage } from './support/inbox-page.js';

vi.setConfig({ testTimeout: 90_000, hookTimeout: 60_000 });

type Queue = { chats: Array<{ businessId: number; chatId: number }> };

describePg('serve --registered while businesses come and go', (PG_URL) => {
  let fleet: Fleet;
  let schema: Schema;
  const workers: WorkerProcess[] = [];
  beforeAll(async () => {
    requireBuilt();
    fleet = await startFleet(2, 3, 41);
    // Only the first business is registered when the worker starts.
    schema = await registeredSchema(PG_URL, fleet.businesses.slice(0, 1));
  });
  afterAll(async () => {
    await stopAll(workers);
    await schema?.drop();
    await fleet?.close();
  });

  /** `ym-chats business …` as its own process against the worker's schema; its exit code and output. */
  async function business(...args: string[]): Promise<{ code: number | null; output: string }> {
    const run = spawnWorker(['business', ...args, '--store', schema.url, '--schema', schema.schema]);
    workers.push(run);
    const code = await run.exited;
    return { code, output: run.output.join('') };
  }

  it('serves a business added after it started, and refuses one removed', async () => {
    const [first, added] = fleet.businesses as [number, number];
    const worker = spawnRegistered('serve', schema, fleet.url, ['--json']);
    workers.push(worker);
    expect(await waitForShares(schema.store, 1, 1)).toBe(true);
    expect(await waitFor(async () => inboxOf(worker) !== undefined, 15_000)).toBe(true);
    const page = new InboxPage(inboxOf(worker)!);
    const businessesOfQueue = async () =>
      new Set((await page.call<Queue>('GET', '/api/queue?limit=200')).body.chats.map((c) => c.businessId));
    await page.call('GET', '/api/session');
    expect(await waitFor(async () => (await businessesOfQueue()).has(first), 15_000)).toBe(true);

    // Registered while the worker runs: its chats reach this inbox without a restart.
    const keyFile = join(mkdtempSync(join(tmpdir(), 'ym-registry-')), 'key.txt');
    writeFileSync(keyFile, `${apiKeyOf(added)}\n`);
    chmodSync(keyFile, 0o600);
    const add = await business('add', String(added), '--name', 'added later', '--api-key-file', keyFile);
    expect(add.code, add.output).toBe(0);
    const shown = await waitFor(async () => (await businessesOfQueue()).has(added), 30_000);
    expect(shown, worker.output.join('').slice(-1500)).toBe(true);
    const session = await page.call<{ agent: { businessIds: number[] } }>('GET', '/api/session');
    expect(session.body.agent.businessIds).toEqual([first, added]);

    // A reply to it goes out with its own credential (the emulator answers 200 only to that key).
    const queue = await page.call<Queue>('GET', '/api/queue?limit=200');
    const chat = queue.body.chats.find((c) => c.businessId === added)!;
    expect(await waitUntilShowsNewest(fleet, page, added, chat.chatId)).toBe(true);
    const sent = await page.reply(added, chat.chatId, 'to the business added later', 'registry-added-1');
    expect(sent.body).toMatchObject({ state: 'sent' });
    const sendsToAdded = () =>
      fleet.requests.filter(
        (r) => r.method === 'POST' && r.path.includes(`/businesses/${added}/chats/message`),
      );
    expect(sendsToAdded().map((r) => [r.apiKey, r.status])).toEqual([[apiKeyOf(added), 200]]);
    // And an attachment of it, fetched with its credential.
    const file = await firstFileOf(schema.store, added);
    const fileUrl = file.url;
    const before = fleet.requests.length;
    expect(await page.download(added, file.chatId, fileUrl.href)).toEqual({
      status: 200,
      body: '',
    });
    expect(fleet.requests.slice(before).map((r) => [r.path, r.apiKey, r.status])).toEqual([
      [fileUrl.pathname + fileUrl.search, apiKeyOf(added), 200],
    ]);

    // Removed while the worker runs: refused with an answer naming it, and nothing more is sent for it.
    const remove = await business('remove', String(added));
    expect(remove.code, remove.output).toBe(0);
    // At once, before the worker re-reads its list of registered ids (every 2 s): the download's own
    // credential lookup finds the business gone, and the answer is that of every route for it (not a 500).
    const atOnce = await page.download(added, file.chatId, fileUrl.href);
    expect({ status: atOnce.status, body: JSON.parse(atOnce.body) as unknown }).toEqual({
      status: 403,
      body: {
        error: {
          code: 'NOT_SERVED',
          message: expect.stringContaining(`business ${added} is not served by this inbox`),
        },
      },
    });
    let refused: Awaited<ReturnType<InboxPage['reply']>> | undefined;
    expect(
      await waitFor(async () => {
        refused = await page.reply(added, chat.chatId, 'after the removal', `registry-removed-${Date.now()}`);
        return refused.status !== 200;
      }, 15_000),
    ).toBe(true);
    expect(refused!.status).toBe(403);
    expect(refused!.body.error).toEqual({
      code: 'NOT_SERVED',
      message: expect.stringContaining(`business ${added} is not served by this inbox`),
    });
    expect(sendsToAdded()).toHaveLength(1);
    expect([...(await businessesOfQueue())]).toEqual([first]);
    expect((await page.download(added, file.chatId, fileUrl.href)).status).toBe(403);
    // The first business is served as before.
    expect(
      (
        await page.call(
          'GET',
          `/api/businesses/${first}/chats/${
            (
              await page.call<Queue>('GET', '/api/queue?limit=1')
            ).body.chats[0]!.chatId
          }`,
        )
      ).status,
    ).toBe(200);
  });
});
