/**
 * A finished pass is current: a sync process killed with SIGKILL at random instants while buyers keep
 * writing, then run once more, ends with the store equal to the emulator — including what buyers wrote in
 * the chats the interrupted pass had listed before its last kill.
 */

import {
  API_KEY,
  BUSINESS,
  describeEngines,
  emulatorState,
  messagesPerChat,
  mirrorState,
  type OpenedStore,
  startEmulator,
  type TestEmulator,
} from '@ym-chats/testkit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Child, prng, requireBuild } from './support/sync-child.js';

const KILLS = 10;

describeEngines('a resumed pass is current', (engine) => {
  let emu: TestEmulator;
  let opened: OpenedStore;
  beforeAll(async () => {
    requireBuild();
    emu = await startEmulator();
    await emu.admin.seed({ seed: 31, chats: 60, businessId: BUSINESS });
    // Slower history answers stretch the pass so the kills land all over it.
    await emu.admin.addFaults([{ operation: 'getChatHistory', delayMs: 8 }]);
    opened = await engine.open();
  });
  afterAll(async () => {
    await opened?.dispose();
    await emu?.close();
  });

  /** The interrupted pass has a listing page stored: finishing it alone would skip the chats listed. */
  async function listingUnderWay(): Promise<boolean> {
    const rows = await opened.store.database().all('SELECT chats_page_token, listing_done FROM sync_cursors');
    return rows.some((r) => r.chats_page_token !== null || Number(r.listing_done) === 1);
  }

  it(`holds every message written before a --once that follows ${KILLS} kills`, {
    timeout: 120_000,
  }, async () => {
    const random = prng(engine.name === 'sqlite' ? 5 : 6);
    const args = ['pass', opened.target, opened.schema ?? '-', emu.url, API_KEY, String(BUSINESS)];
    // Buyers write all along: new messages in random chats, now and then a new chat.
    let writing = true;
    let written = 0;
    const buyers = (async () => {
      while (writing) {
        const chats = [...messagesPerChat(emu).keys()];
        if (written % 25 === 24) await emu.admin.createChat(BUSINESS, { context: { type: 'DIRECT' } });
        const chatId = chats[Math.floor(random() * chats.length)]!;
        await emu.admin.postMessage(BUSINESS, chatId, {
          sender: 'CUSTOMER',
          message: `meanwhile ${written}`,
        });
        written += 1;
        await new Promise((r) => setTimeout(r, 5));
      }
    })();
    let kills = 0;
    let rounds = 0;
    try {
      // The last kill must leave a listing under way, or the final run would list every chat anyway.
      for (; (kills < KILLS || !(await listingUnderWay())) && rounds < 60; rounds++) {
        const child = new Child(args);
        await child.ready();
        await new Promise((r) => setTimeout(r, 20 + random() * 300));
        const finished = child.out.includes('done');
        if (!finished && child.process.exitCode !== null) throw new Error(`the pass failed:\n${child.out}`);
        await child.kill();
        if (!finished) kills += 1;
      }
    } finally {
      writing = false;
      await buyers;
    }
    expect(kills).toBeGreaterThanOrEqual(KILLS);
    expect(await listingUnderWay()).toBe(true);
    // While it is down, buyers write in every chat: those the interrupted pass listed before its kill too.
    for (const chatId of messagesPerChat(emu).keys()) {
      await emu.admin.postMessage(BUSINESS, chatId, { sender: 'CUSTOMER', message: 'while down' });
    }
    const last = new Child(args);
    await last.exited;
    expect(last.out).toContain('done');
    expect(await mirrorState(opened.store)).toEqual(emulatorState(emu));
    const counts = await opened.store.counts();
    expect(counts.events).toBe(counts.messages);
    expect(await opened.store.integrityProblems()).toEqual([]);
    console.log(
      `${engine.name}: ${kills} kills in ${rounds} runs, ${written} messages written meanwhile, ` +
        `${counts.messages} messages stored`,
    );
  });
});
