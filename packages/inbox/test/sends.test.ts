/**
 * Every reply once, checked against the platform: the store here receives no pushes (as when they are late,
 * lost or not configured), so whatever the inbox knows of replies made elsewhere it learns from the API.
 * Real emulator, real SQLite and PostgreSQL, two agents, several tabs, a process that died mid-send.
 */
import { hashPassword } from '@ym-chats/inbox';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { PageClient } from './support/http-client.js';
import { BUSINESS, type Harness, startHarness } from './support/inbox-server.js';
import { describeStores } from './support/stores.js';

interface ChatRow {
  businessId: number;
  chatId: number;
  status: string;
}

type Answer = {
  state?: string;
  messageId?: number;
  code?: string;
  error?: { code: string };
  by?: string[];
  outside?: boolean;
  assignee?: string;
  newestMessageId?: number;
  messages?: Array<{ text?: string }>;
};

describeStores('sends', (engine) => {
  let h: Harness;
  let anna: PageClient;
  let boris: PageClient;
  let waiting: ChatRow[];
  let next = 0;
  /** A chat no other test of this file touched. */
  const freshChat = () => {
    const chat = waiting[next++];
    if (!chat) throw new Error('the seed has too few waiting chats for this file');
    return { chat, path: `/api/businesses/${chat.businessId}/chats/${chat.chatId}` };
  };

  beforeAll(async () => {
    const agents = [
      { login: 'anna', passwordHash: await hashPassword('anna-pw'), businessIds: [BUSINESS] },
      { login: 'boris', passwordHash: await hashPassword('boris-pw'), businessIds: [BUSINESS] },
    ];
    h = await startHarness({
      agents,
      host: '0.0.0.0',
      openStore: engine.open,
      inbox: { sends: { heartbeatMs: 200, staleAfterMs: 1000, settleMs: 1500, lockWaitMs: 10_000 } },
    });
    anna = new PageClient(h.url);
    await anna.login('anna', 'anna-pw');
    boris = new PageClient(h.url);
    await boris.login('boris', 'boris-pw');
    waiting = (
      await anna.json<{ chats: ChatRow[] }>('GET', '/api/queue?status=WAITING_FOR_PARTNER&limit=200')
    ).body.chats;
  });
  afterAll(async () => h?.close());

  const newestShown = async (page: PageClient, path: string) =>
    (await page.json<{ messages: Array<{ messageId: number }> }>('GET', `${path}/messages`)).body.messages.at(
      -1,
    )?.messageId ?? 0;

  /** The buyer's copy of the conversation: the platform's history, read with a raw client. */
  const copiesAtPlatform = async (chatId: number, text: string) => {
    let n = 0;
    for await (const m of h.api.iterateChatHistory(BUSINESS, chatId)) if (m.message === text) n++;
    return n;
  };

  const send = (page: PageClient, path: string, body: Record<string, unknown>) =>
    page.json<Answer>('POST', `${path}/messages`, body);

  it('asks before sending when the chat was answered elsewhere and no push told the store', async () => {
    const { chat, path } = freshChat();
    const seenMessageId = await newestShown(anna, path);
    const elsewhere = `From the seller cabinet ${engine.name}`;
    await h.api.sendMessageToChat(BUSINESS, chat.chatId, { message: elsewhere });
    const mine = `Anna's answer ${engine.name}`;
    const draft = { text: mine, clientId: `draft-${engine.name}-1a`, page: 'anna-tab-1', seenMessageId };
    const asked = await send(anna, path, draft);
    expect(asked.status).toBe(409);
    expect(asked.body).toMatchObject({ error: { code: 'REPLIED_MEANWHILE' }, by: [], outside: true });
    expect(asked.body.messages?.map((m) => m.text)).toContain(elsewhere);
    expect(await copiesAtPlatform(chat.chatId, mine)).toBe(0);
    // "Send anyway", having seen that reply: the same draft id goes out once.
    const anyway = await send(anna, path, { ...draft, seenMessageId: asked.body.newestMessageId });
    expect(anyway.body).toMatchObject({ state: 'sent', messageId: expect.any(Number) });
    expect(await copiesAtPlatform(chat.chatId, mine)).toBe(1);
  });

  it('of two agents pressing Send at once, one reply goes out and the other agent is asked', async () => {
    for (let round = 0; round < 3; round++) {
      const { chat, path } = freshChat();
      const seenMessageId = await newestShown(anna, path);
      const texts = [`Anna ${engine.name} ${round}`, `Boris ${engine.name} ${round}`];
      const [a, b] = await Promise.all([
        send(anna, path, {
          text: texts[0],
          clientId: `race-${engine.name}-${round}-a`,
          page: 'anna-tab-1',
          seenMessageId,
        }),
        send(boris, path, {
          text: texts[1],
          clientId: `race-${engine.name}-${round}-b`,
          page: 'boris-tab-1',
          seenMessageId,
        }),
      ]);
      const answers = [a, b];
      const sent = answers.filter((r) => r.status === 200 && r.body.state === 'sent');
      const asked = answers.filter((r) => r.status === 409);
      expect({ sent: sent.length, asked: asked.length }).toEqual({ sent: 1, asked: 1 });
      expect(['REPLIED_MEANWHILE', 'ASSIGNED']).toContain(asked[0]!.body.error?.code);
      const copies = await Promise.all(texts.map((t) => copiesAtPlatform(chat.chatId, t)));
      expect(copies.reduce((x, y) => x + y, 0)).toBe(1);
    }
  });

  it("counts the same agent's other tab as someone else", async () => {
    const { chat, path } = freshChat();
    const seenMessageId = await newestShown(anna, path);
    const first = await send(anna, path, {
      text: `From tab 1 ${engine.name}`,
      clientId: `tabs-${engine.name}-1`,
      page: 'anna-tab-1',
      seenMessageId,
    });
    expect(first.body.state).toBe('sent');
    const second = await send(anna, path, {
      text: `From tab 2 ${engine.name}`,
      clientId: `tabs-${engine.name}-2`,
      page: 'anna-tab-2',
      seenMessageId,
    });
    expect(second.status).toBe(409);
    expect(second.body).toMatchObject({ error: { code: 'REPLIED_MEANWHILE' }, by: ['anna'], outside: false });
    // The tab that sent it goes on without a question, even before it has shown its own reply.
    const third = await send(anna, path, {
      text: `Tab 1 again ${engine.name}`,
      clientId: `tabs-${engine.name}-3`,
      page: 'anna-tab-1',
      seenMessageId,
      ownMessageIds: [first.body.messageId],
    });
    expect(third.body.state).toBe('sent');
    expect(await copiesAtPlatform(chat.chatId, `From tab 2 ${engine.name}`)).toBe(0);
  });

  it("asks before replying in a colleague's chat", async () => {
    const { chat, path } = freshChat();
    expect((await boris.json('POST', `${path}/assign`, { login: 'boris' })).status).toBe(200);
    const draft = {
      text: `Over Boris ${engine.name}`,
      clientId: `assigned-${engine.name}-1`,
      page: 'anna-tab-1',
      seenMessageId: await newestShown(anna, path),
    };
    const asked = await send(anna, path, draft);
    expect(asked.status).toBe(409);
    expect(asked.body).toMatchObject({ error: { code: 'ASSIGNED' }, assignee: 'boris' });
    expect(await copiesAtPlatform(chat.chatId, draft.text)).toBe(0);
    expect((await send(anna, path, { ...draft, acceptAssignee: 'boris' })).body.state).toBe('sent');
  });

  it('puts the reply and the chat’s new status in the store at once, with no push', async () => {
    const { chat, path } = freshChat();
    expect(chat.status).toBe('WAITING_FOR_PARTNER');
    const text = `Read back ${engine.name}`;
    const r = await send(anna, path, {
      text,
      clientId: `readback-${engine.name}`,
      page: 'anna-tab-1',
      seenMessageId: await newestShown(anna, path),
    });
    expect(r.body).toMatchObject({ state: 'sent', messageId: expect.any(Number) });
    // Read by a colleague's page from the store, which only the inbox's own read-back can have filled.
    const log = (
      await boris.json<{ messages: Array<{ messageId: number; text?: string }> }>('GET', `${path}/messages`)
    ).body.messages;
    expect(log.at(-1)).toMatchObject({ messageId: r.body.messageId, text });
    const view = (await boris.json<{ chat: ChatRow & { waitingSince?: string } }>('GET', path)).body.chat;
    expect(view.status).toBe('WAITING_FOR_CUSTOMER');
    await expect
      .poll(async () => {
        const queue = (
          await boris.json<{ chats: ChatRow[] }>('GET', '/api/queue?status=WAITING_FOR_PARTNER&limit=200')
        ).body.chats;
        return queue.some((c) => c.chatId === chat.chatId);
      })
      .toBe(false);
  });

  it('answers "checking" when the connection drops after the platform acted, then "sent" — one copy', async () => {
    const { chat, path } = freshChat();
    const text = `Dropped answer ${engine.name}`;
    await h.admin.addFaults([{ operation: 'sendMessageToChat', drop: 'after', count: 1 }]);
    const body = {
      text,
      clientId: `dropped-${engine.name}`,
      page: 'anna-tab-1',
      seenMessageId: await newestShown(anna, path),
    };
    const r = await send(anna, path, body);
    expect(r.body.state).toBe('checking');
    // The page asks again with the same draft id (its retry after a lost answer): never a second request.
    expect((await send(anna, path, body)).body.state).toBe('checking');
    await expect
      .poll(async () => (await anna.json<Answer>('GET', `${path}/sends/${body.clientId}`)).body, {
        timeout: 15_000,
        interval: 200,
      })
      .toMatchObject({ state: 'sent', messageId: expect.any(Number) });
    expect((await send(anna, path, body)).body.state).toBe('sent');
    // "Send again" of it from the same page is asked about its first copy, not sent.
    const again = await send(anna, path, { ...body, clientId: `dropped-${engine.name}-again` });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ error: { code: 'REPLIED_MEANWHILE' }, by: ['anna'] });
    expect(await copiesAtPlatform(chat.chatId, text)).toBe(1);
  });

  it("settles a dead process's send from the history before anything else goes to that chat", async () => {
    const { chat, path } = freshChat();
    const seenMessageId = await newestShown(anna, path);
    // A process wrote its ledger row, sent, and died before recording the outcome.
    const text = `Sent by a process that died ${engine.name}`;
    const draftId = `dead-${engine.name}`;
    const old = Date.now() - 60_000;
    await h.store.store.database().run(
      `INSERT INTO inbox_sends (draft_id, business_id, chat_id, login, page, kind, content, content_sha256,
         mark, state, owner, heartbeat_ms, created_ms)
       VALUES (?, ?, ?, 'boris', 'boris-tab-9', 'text', ?, 'x', ?, 'pending', 'gone:1:dead', ?, ?)`,
      [draftId, chat.businessId, chat.chatId, text, seenMessageId, old, old],
    );
    await h.api.sendMessageToChat(BUSINESS, chat.chatId, { message: text });
    const mine = `Anna after the crash ${engine.name}`;
    const asked = await send(anna, path, {
      text: mine,
      clientId: `after-dead-${engine.name}`,
      page: 'anna-tab-1',
      seenMessageId,
    });
    expect(asked.status).toBe(409);
    expect(asked.body).toMatchObject({ error: { code: 'REPLIED_MEANWHILE' }, by: ['boris'], outside: false });
    expect((await boris.json<Answer>('GET', `${path}/sends/${draftId}`)).body).toMatchObject({
      state: 'sent',
      messageId: expect.any(Number),
    });
    expect(await copiesAtPlatform(chat.chatId, mine)).toBe(0);
    expect(await copiesAtPlatform(chat.chatId, text)).toBe(1);
  });

  it('sends a draft whose process died before it reached the API when the page asks again', async () => {
    const { chat, path } = freshChat();
    const seenMessageId = await newestShown(anna, path);
    const text = `Never reached the API ${engine.name}`;
    const draftId = `checking-${engine.name}`;
    const old = Date.now() - 60_000;
    await h.store.store.database().run(
      `INSERT INTO inbox_sends (draft_id, business_id, chat_id, login, page, kind, content, content_sha256,
         state, owner, heartbeat_ms, created_ms)
       VALUES (?, ?, ?, 'anna', 'anna-tab-1', 'text', ?, 'x', 'checking', 'gone:1:dead', ?, ?)`,
      [draftId, chat.businessId, chat.chatId, text, old, old],
    );
    // Its heartbeat is watched until it has not changed for the stale time of this process's own clock.
    await expect
      .poll(async () => (await anna.json<Answer>('GET', `${path}/sends/${draftId}`)).body.state, {
        timeout: 10_000,
        interval: 200,
      })
      .toBe('unknown');
    const again = await send(anna, path, { text, clientId: draftId, page: 'anna-tab-1', seenMessageId });
    expect(again.body.state).toBe('sent');
    expect(await copiesAtPlatform(chat.chatId, text)).toBe(1);
  });

  it('asks about an earlier send of the same page that it never saw arrive, when the agent types it again', async () => {
    const { chat, path } = freshChat();
    const seenMessageId = await newestShown(anna, path);
    const text = `Typed twice ${engine.name}`;
    await h.admin.addFaults([{ operation: 'sendMessageToChat', drop: 'after', count: 1 }]);
    const first = await send(anna, path, {
      text,
      clientId: `unseen-${engine.name}-1`,
      page: 'anna-tab-1',
      seenMessageId,
    });
    expect(first.body.state).toBe('checking');
    // Back from another chat, the agent sees neither the reply nor its state, and types it again.
    const retyped = await send(anna, path, {
      text,
      clientId: `unseen-${engine.name}-2`,
      page: 'anna-tab-1',
      seenMessageId,
    });
    expect(retyped.status).toBe(409);
    expect(retyped.body).toMatchObject({ error: { code: 'REPLIED_MEANWHILE' }, by: ['anna'] });
    expect(await copiesAtPlatform(chat.chatId, text)).toBe(1);
  });

  it('asks when more arrived than one check reads, and reads on when the agent goes ahead', async () => {
    const { chat, path } = freshChat();
    const seenMessageId = await newestShown(anna, path);
    // A buyer floods the chat while the agent writes; then the cabinet answers.
    for (let wave = 0; wave < 21; wave++) {
      await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          h.admin.postMessage(BUSINESS, chat.chatId, {
            sender: 'CUSTOMER',
            message: `flood ${wave * 50 + i}`,
          }),
        ),
      );
    }
    const elsewhere = `After the flood, from the cabinet ${engine.name}`;
    await h.api.sendMessageToChat(BUSINESS, chat.chatId, { message: elsewhere });
    const draft = {
      text: `Anna after the flood ${engine.name}`,
      clientId: `flood-${engine.name}`,
      page: 'anna-tab-1',
      seenMessageId,
    };
    const first = await send(anna, path, draft);
    expect(first.status).toBe(409);
    expect(first.body.error?.code).toBe('CHAT_MOVED_ON');
    const second = await send(anna, path, { ...draft, seenMessageId: first.body.newestMessageId });
    expect(second.status).toBe(409);
    expect(second.body).toMatchObject({ error: { code: 'REPLIED_MEANWHILE' }, outside: true });
    expect(second.body.messages?.map((m) => m.text)).toContain(elsewhere);
    const third = await send(anna, path, { ...draft, seenMessageId: second.body.newestMessageId });
    expect(third.body.state).toBe('sent');
    expect(await copiesAtPlatform(chat.chatId, draft.text)).toBe(1);
  });

  it('refuses a "newest message" the platform does not have in the chat (a mark it never returned)', async () => {
    const { chat, path } = freshChat();
    const text = `With a made-up view ${engine.name}`;
    const r = await send(anna, path, {
      text,
      clientId: `bad-seen-${engine.name}`,
      page: 'anna-tab-1',
      seenMessageId: 9_000_000_000,
    });
    expect(r.status).toBe(409);
    expect(r.body.error?.code).toBe('BAD_SEEN');
    expect(await copiesAtPlatform(chat.chatId, text)).toBe(0);
  });

  it("refuses another agent's draft id", async () => {
    const { path } = freshChat();
    const seenMessageId = await newestShown(anna, path);
    const draft = {
      text: `Mine ${engine.name}`,
      clientId: `owned-${engine.name}`,
      page: 'anna-tab-1',
      seenMessageId,
    };
    expect((await send(anna, path, draft)).body.state).toBe('sent');
    const stolen = await send(boris, path, { ...draft, page: 'boris-tab-1' });
    expect(stolen.status).toBe(409);
    expect(stolen.body.error?.code).toBe('DRAFT_ID_TAKEN');
    expect((await boris.json('GET', `${path}/sends/${draft.clientId}`)).status).toBe(409);
  });
});
