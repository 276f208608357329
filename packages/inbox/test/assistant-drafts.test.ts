/**
 * "Drafts from the assistant": replies an MCP assistant drafted with a client that could not ask the person
 * wait in the store until an agent sends or discards them. Sending goes through the desk like a typed
 * reply — its questions, its ledger, at most once whoever approves. Real emulator, SQLite and PostgreSQL.
 */
import { AssistantDraftQueue, hashPassword } from '@ym-chats/inbox';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { PageClient } from './support/http-client.js';
import { BUSINESS, type Harness, startHarness } from './support/inbox-server.js';
import { describeStores } from './support/stores.js';

type Answer = {
  state?: string;
  messageId?: number;
  by?: string | string[];
  error?: { code: string };
  assignee?: string;
  newestMessageId?: number;
  messages?: Array<{ text?: string }>;
};

interface Listed {
  drafts: Array<{ draftId: string; chatId: number; text: string; chat?: { chatId: number } }>;
}

const OTHER_BUSINESS = 424242;

describeStores('assistant drafts', (engine) => {
  let h: Harness;
  let anna: PageClient;
  let boris: PageClient;
  let eve: PageClient;
  let queue: AssistantDraftQueue;
  let waiting: Array<{ chatId: number }>;
  let next = 0;
  let drafted = 0;

  beforeAll(async () => {
    const agents = [
      { login: 'anna', passwordHash: await hashPassword('anna-pw'), businessIds: [BUSINESS] },
      { login: 'boris', passwordHash: await hashPassword('boris-pw'), businessIds: [BUSINESS] },
      { login: 'eve', passwordHash: await hashPassword('eve-pw'), businessIds: [OTHER_BUSINESS] },
    ];
    h = await startHarness({ agents, host: '0.0.0.0', openStore: engine.open });
    anna = new PageClient(h.url);
    await anna.login('anna', 'anna-pw');
    boris = new PageClient(h.url);
    await boris.login('boris', 'boris-pw');
    eve = new PageClient(h.url);
    await eve.login('eve', 'eve-pw');
    queue = await AssistantDraftQueue.open(h.store.store);
    waiting = (
      await anna.json<{ chats: Array<{ chatId: number }> }>(
        'GET',
        '/api/queue?status=WAITING_FOR_PARTNER&limit=200',
      )
    ).body.chats;
  });
  afterAll(async () => h?.close());

  const copies = async (chatId: number, text: string) => {
    let n = 0;
    for await (const m of h.api.iterateChatHistory(BUSINESS, chatId)) if (m.message === text) n++;
    return n;
  };

  /** What the MCP server does: a draft for a fresh chat, marked with the chat's newest message. */
  async function draft(label: string) {
    const chat = waiting[next++];
    if (!chat) throw new Error('the seed has too few waiting chats for this file');
    const shown = await anna.json<{ messages: Array<{ messageId: number }> }>(
      'GET',
      `/api/businesses/${BUSINESS}/chats/${chat.chatId}/messages`,
    );
    const text = `Ассистент: ${label} (${engine.name})`;
    const draftId = `draft-${engine.name}-${++drafted}-${Date.now()}`;
    const status = await queue.submit({
      draftId,
      businessId: BUSINESS,
      chatId: chat.chatId,
      text,
      seenMessageId: shown.body.messages.at(-1)?.messageId ?? 0,
      createdAt: new Date().toISOString(),
    });
    expect(status).toMatchObject({ state: 'waiting', chatId: chat.chatId, characters: text.length });
    return { draftId, chatId: chat.chatId, text, path: `/api/assistant-drafts/${draftId}` };
  }

  it('lists waiting drafts; one approval sends once, every later one (anyone’s) sends nothing', async () => {
    const d = await draft('ответ');
    const listed = await anna.json<Listed>('GET', '/api/assistant-drafts');
    expect(listed.body.drafts).toContainEqual(
      expect.objectContaining({
        draftId: d.draftId,
        chatId: d.chatId,
        text: d.text,
        chat: expect.anything(),
      }),
    );
    const inChat = await anna.json<Listed>(
      'GET',
      `/api/assistant-drafts?business=${BUSINESS}&chat=${d.chatId}`,
    );
    expect(inChat.body.drafts.map((x) => x.draftId)).toEqual([d.draftId]);

    const [a, b] = await Promise.all([
      anna.json<Answer>('POST', `${d.path}/send`, { page: 'anna-tab-1' }),
      boris.json<Answer>('POST', `${d.path}/send`, { page: 'boris-tab-1' }),
    ]);
    const states = [a, b].map((r) => `${r.status} ${r.body.state}`);
    expect(states, JSON.stringify([a.body, b.body])).toContain('200 sent');
    expect(await copies(d.chatId, d.text)).toBe(1);
    const again = await boris.json<Answer>('POST', `${d.path}/send`, { page: 'boris-tab-2' });
    expect(again.body).toMatchObject({ state: 'sent' });
    expect(await copies(d.chatId, d.text)).toBe(1);
    expect((await queue.status(d.draftId))?.state).toBe('sent');
    const after = await anna.json<Listed>('GET', '/api/assistant-drafts');
    expect(after.body.drafts.map((x) => x.draftId)).not.toContain(d.draftId);
  });

  it('a reply made after the draft asks first; the draft waits again; "send anyway" sends it once', async () => {
    const d = await draft('после коллеги');
    const colleague = `From the seller cabinet ${engine.name}`;
    await h.api.sendMessageToChat(BUSINESS, d.chatId, { message: colleague });
    const asked = await anna.json<Answer>('POST', `${d.path}/send`, { page: 'anna-tab-1' });
    expect(asked.status).toBe(409);
    expect(asked.body).toMatchObject({ error: { code: 'REPLIED_MEANWHILE' } });
    expect(asked.body.messages?.map((m) => m.text)).toContain(colleague);
    expect(await copies(d.chatId, d.text)).toBe(0);
    expect((await queue.status(d.draftId))?.state).toBe('waiting');
    const status = await anna.json<Answer>('GET', d.path);
    expect(status.body).toMatchObject({ state: 'waiting' });

    const anyway = await anna.json<Answer>('POST', `${d.path}/send`, {
      page: 'anna-tab-1',
      seenMessageId: asked.body.newestMessageId,
    });
    expect(anyway.body).toMatchObject({ state: 'sent', messageId: expect.any(Number) });
    expect(await copies(d.chatId, d.text)).toBe(1);
  });

  it('a chat assigned to a colleague asks first; accepting the assignee sends', async () => {
    const d = await draft('чужой чат');
    await boris.json('POST', `/api/businesses/${BUSINESS}/chats/${d.chatId}/assign`, { login: 'boris' });
    const asked = await anna.json<Answer>('POST', `${d.path}/send`, { page: 'anna-tab-1' });
    expect(asked.status).toBe(409);
    expect(asked.body).toMatchObject({ error: { code: 'ASSIGNED' }, assignee: 'boris' });
    expect(await copies(d.chatId, d.text)).toBe(0);
    const anyway = await anna.json<Answer>('POST', `${d.path}/send`, {
      page: 'anna-tab-1',
      acceptAssignee: 'boris',
    });
    expect(anyway.body).toMatchObject({ state: 'sent' });
    expect(await copies(d.chatId, d.text)).toBe(1);
  });

  it('a discarded draft is never sent', async () => {
    const d = await draft('отклонить');
    const discarded = await boris.json<Answer>('POST', `${d.path}/discard`, {});
    expect(discarded.body).toMatchObject({ state: 'discarded', by: 'boris' });
    const send = await anna.json<Answer>('POST', `${d.path}/send`, { page: 'anna-tab-1' });
    expect(send.body).toMatchObject({ state: 'discarded', by: 'boris' });
    expect(await copies(d.chatId, d.text)).toBe(0);
    expect(await queue.status(d.draftId)).toMatchObject({ state: 'discarded', decidedBy: 'boris' });
  });

  it("another seller's agent sees none of them and can decide none", async () => {
    const d = await draft('чужой продавец');
    expect((await eve.json<Listed>('GET', '/api/assistant-drafts')).body.drafts).toEqual([]);
    expect((await eve.json('GET', d.path)).status).toBe(403);
    expect((await eve.json('POST', `${d.path}/send`, { page: 'eve-tab-1' })).status).toBe(403);
    expect((await eve.json('POST', `${d.path}/discard`, {})).status).toBe(403);
    expect((await anna.json('GET', '/api/assistant-drafts/draft-unknown-id')).status).toBe(404);
    expect(await copies(d.chatId, d.text)).toBe(0);
    expect((await queue.status(d.draftId))?.state).toBe('waiting');
  });
});
