/**
 * Who answered, as `ym-chats report` tells it: replies two agents sent through the inbox's desk are
 * credited to their logins (the inbox's send ledger), a reply sent through the API (`ym-chats send`) to
 * `outside`. The desk runs in this process over the store the built `sync` fills from the real emulator;
 * the report is the built binary. SQLite, and PostgreSQL when
 * YM_TEST_POSTGRES_URL is set.
 */
import { AssistantDraftQueue, approveAssistantDraft } from '@ym-chats/inbox';
import { ChatsApi } from '@ym-chats/sdk';
import { describeEngines, type OpenedStore } from '@ym-chats/testkit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { API_KEY, BUSINESS, requireBuilt, run, startEmulator, type TestEmulator } from './helpers.js';

/** The newest message id of a chat, as an inbox page would have shown it. */
async function newestMessageId(api: ChatsApi, chatId: number): Promise<number> {
  let newest = 0;
  let token: string | undefined;
  do {
    const { result } = await api.getChatHistory(BUSINESS, chatId, {}, token, 100);
    for (const m of result.messages) newest = Math.max(newest, Number(m.messageId));
    token = result.paging?.nextPageToken ?? undefined;
  } while (token);
  return newest;
}

interface CsvWait {
  chatId: number;
  closedAt: string;
  agent: string;
}

describeEngines('report: agent credit', (engine) => {
  let emu: TestEmulator;
  let opened: OpenedStore;
  let storeFlags: string[];
  const chats: number[] = [];
  let since = '';

  const sync = async () => {
    const r = await run(['sync', '--once', ...storeFlags, ...emu.flags], { env: emu.env() });
    expect(r.code, r.stderr).toBe(0);
  };

  beforeAll(async () => {
    requireBuilt();
    emu = await startEmulator();
    opened = await engine.open();
    storeFlags = ['--store', opened.target, ...(opened.schema ? ['--schema', opened.schema] : [])];
    await sync();
    const api = new ChatsApi({ apiKey: API_KEY, baseUrl: emu.url, pathPrefix: '/v2', rateLimit: false });
    const waiting = (await api.getChats(BUSINESS, { statuses: ['WAITING_FOR_PARTNER'] })).result;
    chats.push(...waiting.chats.slice(0, 3).map((c) => Number(c.chatId)));
    expect(chats).toHaveLength(3);
    since = new Date(Date.now() - 1000).toISOString();
    // Two agents each send one reply through the inbox's desk (the ledger, the history check), as the
    // inbox does for a reply typed in the page or a draft approved (`ym-chats mcp approve --as LOGIN`).
    const queue = await AssistantDraftQueue.open(opened.store);
    for (const [i, login] of ['anna', 'boris'].entries()) {
      const draftId = `report-credit-${i}-${engine.name}`;
      await queue.submit({
        draftId,
        businessId: BUSINESS,
        chatId: chats[i]!,
        text: `${login}: your order is on its way.`,
        seenMessageId: await newestMessageId(api, chats[i]!),
        createdAt: new Date().toISOString(),
      });
      const outcome = await approveAssistantDraft({
        store: opened.store,
        api,
        draftId,
        login,
        businessId: BUSINESS,
      });
      expect(outcome.answer, JSON.stringify(outcome)).toMatchObject({ state: 'sent' });
    }
    const api3 = await run(['send', String(chats[2]), 'Sent through the API.', ...emu.flags], {
      env: emu.env(),
    });
    expect(api3.code, api3.stderr).toBe(0);
    await sync();
  }, 180_000);

  afterAll(async () => {
    await opened?.dispose();
    await emu?.close();
  });

  const period = ['--from', '2000-01-01', '--to', '2100-01-01'];

  it('credits inbox replies to their agents and an API reply to outside', async () => {
    const r = await run(['report', '--csv', ...storeFlags, ...period], { env: emu.env() });
    expect(r.code, r.stderr).toBe(0);
    const rows: CsvWait[] = r.stdout
      .trim()
      .split('\n')
      .slice(1)
      .map((line) => line.split(','))
      .map((c) => ({ chatId: Number(c[1]), closedAt: c[5]!, agent: c[7]! }));
    const closedNow = rows.filter((w) => w.closedAt !== '' && w.closedAt >= since);
    expect(closedNow.map((w) => [w.chatId, w.agent]).sort()).toEqual(
      [
        [chats[0], 'anna'],
        [chats[1], 'boris'],
        [chats[2], 'outside'],
      ].sort(),
    );
    const json = await run(['report', '--json', ...storeFlags, ...period], { env: emu.env() });
    const summary = JSON.parse(json.stdout) as {
      answered: number;
      perAgent: { agent: string; answered: number }[];
    };
    expect(summary.perAgent.find((a) => a.agent === 'anna')?.answered).toBe(1);
    expect(summary.perAgent.find((a) => a.agent === 'boris')?.answered).toBe(1);
    expect(summary.perAgent.find((a) => a.agent === 'outside')?.answered).toBe(summary.answered - 2);
  }, 180_000);
});
