/**
 * The desk when things go wrong around a send, as the adversarial review of issue 19 found them: a
 * failure of the inbox's own database after the platform took the reply must not lock the chat, and a
 * process whose clock runs ahead must not take a live send over. Real emulator, real SQLite store; the
 * desks are built directly so each can be given its own clock or a team store that fails once.
 */
import { MemoryBus } from '@ym-chats/inbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReplyDesk } from '../src/reply/desk.js';
import { SqlSendLedger } from '../src/store/sql-send-ledger.js';
import { SqlTeamStore } from '../src/store/sql-team-store.js';
import type { TeamStore } from '../src/team/team-store.js';
import { BUSINESS, type Harness, startHarness } from './support/inbox-server.js';

let h: Harness;
let waiting: number[];
beforeAll(async () => {
  h = await startHarness({ seed: 21 });
  const rows = await h.store.store
    .database()
    .all(`SELECT chat_id FROM chats WHERE status = 'WAITING_FOR_PARTNER'`);
  waiting = rows.map((r) => Number(r.chat_id));
});
afterAll(async () => h?.close());

const desks: ReplyDesk[] = [];
afterAll(async () => {
  for (const desk of desks) await desk.close();
});

function desk(options: { team?: TeamStore; now?: () => number; fast?: boolean } = {}): ReplyDesk {
  const made = new ReplyDesk({
    api: h.api,
    ledger: new SqlSendLedger(h.store.store.database()),
    team: options.team ?? new SqlTeamStore(h.store.store.database()),
    source: h.source,
    bus: new MemoryBus(),
    ...(options.fast === false ? {} : { heartbeatMs: 200, staleAfterMs: 1000, settleMs: 1500 }),
    ...(options.now ? { now: options.now } : {}),
  });
  desks.push(made);
  return made;
}

async function newest(chatId: number): Promise<number> {
  let id = 0;
  for await (const m of h.api.iterateChatHistory(BUSINESS, chatId)) id = Math.max(id, Number(m.messageId));
  return id;
}

async function copies(chatId: number, text: string): Promise<number> {
  let n = 0;
  for await (const m of h.api.iterateChatHistory(BUSINESS, chatId)) if (m.message === text) n++;
  return n;
}

describe('the desk when things go wrong', () => {
  it('a failing audit write after the platform took the reply leaves the chat open to the next send', async () => {
    const chatId = waiting[0]!;
    const real = new SqlTeamStore(h.store.store.database());
    let failures = 1;
    const flaky: TeamStore = {
      assignee: (chat) => real.assignee(chat),
      assignments: (ids) => real.assignments(ids),
      assign: (chat, login) => real.assign(chat, login),
      claim: (chat, login) => real.claim(chat, login),
      auditOf: (chat, limit) => real.auditOf(chat, limit),
      close: () => real.close(),
      audit: (entry) =>
        failures-- > 0 ? Promise.reject(new Error('database is locked')) : real.audit(entry),
    };
    const a = desk({ team: flaky });
    const seen = await newest(chatId);
    const text = 'Sent while the audit table was locked';
    const first = await a.send({
      businessId: BUSINESS,
      chatId,
      login: 'anna',
      page: 'anna-tab-1',
      draftId: 'audit-fails-0001',
      content: { text },
      seenMessageId: seen,
    });
    expect(first).toMatchObject({ state: 'sent', messageId: expect.any(Number) });
    const next = await desk().send({
      businessId: BUSINESS,
      chatId,
      login: 'anna',
      page: 'anna-tab-1',
      draftId: 'audit-fails-0002',
      content: { text: 'And the next reply goes too' },
      seenMessageId: first.state === 'sent' ? (first.messageId ?? 0) : 0,
    });
    expect(next.state).toBe('sent');
    expect(await copies(chatId, text)).toBe(1);
  });

  it('a process whose clock runs 15 s ahead waits for a live send instead of taking it over', async () => {
    const chatId = waiting[1]!;
    const a = desk({ fast: false });
    const b = desk({ fast: false, now: () => Date.now() + 15_000 });
    const seen = await newest(chatId);
    await h.admin.addFaults([{ operation: 'sendMessageToChat', delayMs: 600, count: 1 }]);
    const fromA = a.send({
      businessId: BUSINESS,
      chatId,
      login: 'anna',
      page: 'anna-tab-1',
      draftId: 'clock-skew-a001',
      content: { text: 'Anna on host A' },
      seenMessageId: seen,
    });
    await new Promise((r) => setTimeout(r, 250));
    const fromB = await b.send({
      businessId: BUSINESS,
      chatId,
      login: 'boris',
      page: 'boris-tab-1',
      draftId: 'clock-skew-b001',
      content: { text: 'Boris on host B' },
      seenMessageId: seen,
      acceptAssignee: 'anna',
    });
    expect((await fromA).state).toBe('sent');
    expect(fromB).toMatchObject({ state: 'conflict', code: 'REPLIED_MEANWHILE', by: ['anna'] });
    expect(await copies(chatId, 'Anna on host A')).toBe(1);
    expect(await copies(chatId, 'Boris on host B')).toBe(0);
  });
});
