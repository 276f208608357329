/**
 * Crash safety: a sync process killed with SIGKILL at random instants — during a cold sync, then during
 * bursts of pushes — and restarted each time converges to the emulator's state with no message lost, none
 * stored or published twice, and a consistent store. A kill repeats at most one call per reader: counted
 * by the emulator, with the store's commits held back so every reader has a page at risk (besides the
 * one listing of the fresh pass that follows a resumed one).
 */
import { createServer } from 'node:net';
import {
  API_KEY,
  BUSINESS,
  coldMinimum,
  describeEngines,
  emulatorState,
  messagesPerChat,
  mirrorState,
  type OpenedStore,
  startEmulator,
  type TestEmulator,
} from '@ym-chats/testkit';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { WRITE_LOCK_KEY } from '../src/db/postgres.js';
import { Child, prng, requireBuild } from './support/sync-child.js';

const KILLS = 20;

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

describeEngines('crash safety', (engine) => {
  let emu: TestEmulator;
  let opened: OpenedStore;
  beforeAll(async () => {
    requireBuild();
    emu = await startEmulator();
    await emu.admin.seed({ seed: 21, chats: 60, businessId: BUSINESS });
    opened = await engine.open();
  });
  afterAll(async () => {
    await opened?.dispose();
    await emu?.close();
  });
  const args = (mode: string, extra: string[] = []) => [
    mode,
    opened.target,
    opened.schema ?? '-',
    emu.url,
    API_KEY,
    String(BUSINESS),
    ...extra,
  ];

  async function converged() {
    expect(await mirrorState(opened.store)).toEqual(emulatorState(emu));
    const counts = await opened.store.counts();
    expect(counts.events).toBe(counts.messages);
    expect(await opened.store.integrityProblems()).toEqual([]);
  }

  it(`survives ${KILLS} kills during a cold sync`, { timeout: 120_000 }, async () => {
    const random = prng(engine.name === 'sqlite' ? 1 : 2);
    // Slower history answers stretch the pass so the kills land all over it.
    await emu.admin.addFaults([{ operation: 'getChatHistory', delayMs: 8 }]);
    let kills = 0;
    let completed = 0;
    for (let round = 0; kills < KILLS && round < 80; round++) {
      const child = new Child(args('pass'));
      await child.ready();
      await new Promise((r) => setTimeout(r, 20 + random() * 250));
      const finished = child.out.includes('done');
      if (!finished && child.process.exitCode !== null) throw new Error(`the pass failed:\n${child.out}`);
      await child.kill();
      if (finished) {
        completed += 1;
        // More work for the next run: new messages in a few chats and a new chat.
        const chats = [...messagesPerChat(emu).keys()];
        for (let i = 0; i < 60; i++) {
          const chatId = chats[Math.floor(random() * chats.length)]!;
          await emu.admin.postMessage(BUSINESS, chatId, {
            sender: 'CUSTOMER',
            message: `round ${round} #${i}`,
          });
        }
      } else kills += 1;
    }
    await emu.admin.clearFaults();
    expect(kills).toBe(KILLS);
    const last = new Child(args('pass'));
    await last.exited;
    expect(last.out).toContain('done');
    await converged();
    console.log(`${engine.name}: ${kills} kills mid-pass, ${completed} passes completed before their kill`);
  });

  it(`loses no acknowledged push across ${KILLS} kills during push bursts`, {
    timeout: 120_000,
  }, async () => {
    const random = prng(engine.name === 'sqlite' ? 3 : 4);
    const port = await freePort();
    const chats = [...messagesPerChat(emu).keys()].slice(0, 12);
    let kills = 0;
    const acknowledged = new Set<bigint>();
    let refused = 0;
    for (let round = 0; round < KILLS; round++) {
      const child = new Child(args('serve', [String(port)]));
      const endpoint = await child.ready();
      const posted = await Promise.all(
        Array.from({ length: 20 }, async (_, i) => {
          const chatId = chats[Math.floor(random() * chats.length)]!;
          const m = await emu.admin.postMessage(BUSINESS, chatId, {
            sender: 'CUSTOMER',
            message: `burst ${round}.${i}`,
          });
          return { chatId, messageId: m.messageId, sentAt: m.createdAt };
        }),
      );
      const burst: { messageId: number; body: string }[] = [];
      for (const m of posted) {
        const body = JSON.stringify({
          notificationType: 'CHAT_MESSAGE_SENT',
          businessId: BUSINESS,
          chatId: m.chatId,
          messageId: String(m.messageId),
          sentAt: m.sentAt,
        });
        burst.push({ messageId: m.messageId, body });
        if (random() < 0.3) burst.push({ messageId: m.messageId, body });
      }
      // The kill lands at a random point of the burst: after a random number of answers.
      const killAfter = Math.floor(random() * burst.length);
      let answered = 0;
      let next = 0;
      let killing: Promise<void> | undefined;
      const deliver = async () => {
        while (next < burst.length && killing === undefined) {
          const { messageId, body } = burst[next++]!;
          try {
            const res = await fetch(endpoint, { method: 'POST', body });
            if (res.status === 200) acknowledged.add(BigInt(messageId));
            await res.arrayBuffer();
          } catch {
            refused += 1; // the process died first: the platform would deliver it again later
          }
          answered += 1;
          if (answered >= killAfter) killing ??= child.kill();
        }
      };
      await Promise.all(Array.from({ length: 4 }, deliver));
      await (killing ?? child.kill());
      kills += 1;
    }
    // Restarted once more: what was acknowledged and queued is acted on; later pushes (the platform's
    // redeliveries of what got no answer) are what a reconciling pass would otherwise repair.
    const last = new Child(args('serve', [String(port)]));
    await last.ready();
    for (let i = 0; i < 200; i++) {
      if ((await opened.store.counts()).unprocessedNotifications === 0) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    await last.kill();
    expect(kills).toBe(KILLS);
    expect(acknowledged.size).toBeGreaterThan(0);
    expect((await opened.store.counts()).unprocessedNotifications).toBe(0);
    // Every push that got its 200 is in the store, before any reconciling pass.
    const stored = new Set<bigint>();
    for (const c of chats) {
      for (const m of await opened.store.messages(BigInt(BUSINESS), BigInt(c))) stored.add(m.messageId);
    }
    expect([...acknowledged].filter((id) => !stored.has(id))).toEqual([]);
    // Pushes that got no answer would be delivered again; a pass stands in for that and must agree.
    const sync = new Child(args('pass'));
    await sync.exited;
    console.log(
      `${engine.name}: ${kills} kills, ${acknowledged.size} messages acknowledged, ${refused} pushes unanswered`,
    );
    await converged();
  });
});

/** The engine's default number of history readers: the bound on calls a kill may repeat. */
const READERS = 4;

/**
 * Holds the store's write lock from another connection, as a long report or a backup would: the sync
 * process's commits wait (its reads do not), so each reader ends up with a page read but not committed.
 */
async function holdWriteLock(opened: OpenedStore): Promise<() => Promise<void>> {
  if (opened.schema === undefined) {
    const db = new Database(opened.target);
    db.pragma('busy_timeout = 10000');
    db.exec('BEGIN IMMEDIATE');
    return async () => {
      db.exec('ROLLBACK');
      db.close();
    };
  }
  const client = new pg.Client({ connectionString: opened.target });
  await client.connect();
  await client.query('SELECT pg_advisory_lock($1, hashtext($2))', [WRITE_LOCK_KEY, opened.schema]);
  return async () => {
    await client.query('SELECT pg_advisory_unlock($1, hashtext($2))', [WRITE_LOCK_KEY, opened.schema]);
    await client.end();
  };
}

describeEngines('crash repeats', (engine) => {
  let emu: TestEmulator;
  beforeAll(async () => {
    requireBuild();
    emu = await startEmulator();
    // 60 chats of at most 117 messages: a chat resumed mid-read needs no more pages than it had left, so
    // every call beyond the cold minimum is a repeated one.
    await emu.admin.seed({ seed: 21, chats: 60, businessId: BUSINESS });
    // Slower history answers, so a pass is still reading when the write lock is taken.
    await emu.admin.addFaults([{ operation: 'getChatHistory', delayMs: 8 }]);
  });
  afterAll(async () => {
    await emu?.close();
  });

  /** Calls the emulator has answered or is answering for the business (its own hourly counters). */
  function served(): { calls: number; window: number } {
    const now = emu.emulator.clock.now();
    const h = emu.emulator.quotas.peek(BUSINESS, 'getChatHistory', now);
    const c = emu.emulator.quotas.peek(BUSINESS, 'getChats', now);
    return { calls: h.limit - h.remaining + (c.limit - c.remaining), window: h.until };
  }

  it(`repeats at most ${READERS} calls (one per reader) after each kill during a cold sync`, {
    timeout: 120_000,
  }, async () => {
    const minimum = coldMinimum(messagesPerChat(emu));
    const cold = minimum.getChats + minimum.getChatHistory;
    const repeats: number[] = [];
    // Kills after different amounts of progress: early, mid-way, late in the pass.
    for (const after of [4, 25, 50]) {
      const opened = await engine.open();
      try {
        const args = [opened.target, opened.schema ?? '-', emu.url, API_KEY, String(BUSINESS)];
        const start = served();
        const child = new Child(['pass', ...args]);
        await child.ready();
        while (served().calls - start.calls < after && !child.out.includes('done')) {
          await new Promise((r) => setTimeout(r, 2));
        }
        expect(child.out).not.toContain('done');
        const release = await holdWriteLock(opened);
        // Every reader reads until it waits for its commit; then the calls stop.
        let last = served().calls;
        for (let stable = 0, i = 0; stable < 8 && i < 100; i++) {
          await new Promise((r) => setTimeout(r, 50));
          const now = served().calls;
          stable = now === last ? stable + 1 : 0;
          last = now;
        }
        await child.kill();
        await release();
        const restart = new Child(['pass', ...args]);
        await restart.exited;
        expect(restart.out).toContain('done');
        const end = served();
        // The emulator's hourly counters restart with a new hour; a round across one is not counted.
        if (end.window !== start.window) continue;
        // Finishing a pass whose listing began before the kill is followed by a fresh pass (see the engine):
        // one more listing, and no history read since nothing changed.
        const runs = await opened.store.runs(BigInt(BUSINESS));
        expect(runs.length).toBeLessThanOrEqual(2);
        const fresh = runs.length === 2 ? runs[0]! : undefined;
        if (fresh !== undefined) expect([fresh.chatPages, fresh.historyPages]).toEqual([minimum.getChats, 0]);
        const repeated = end.calls - start.calls - cold - (fresh?.chatPages ?? 0);
        repeats.push(repeated);
        expect(await mirrorState(opened.store)).toEqual(emulatorState(emu));
        const counts = await opened.store.counts();
        expect(counts.events).toBe(counts.messages);
      } finally {
        await opened.dispose();
      }
    }
    console.log(`${engine.name}: calls repeated after each kill: ${repeats.join(', ')} (cold pass ${cold})`);
    expect(repeats.length).toBeGreaterThan(0);
    for (const r of repeats) expect(r).toBeGreaterThanOrEqual(0);
    for (const r of repeats) expect(r).toBeLessThanOrEqual(READERS);
  });
});
