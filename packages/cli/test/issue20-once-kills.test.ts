/**
 * Issue 20, item 5 and its Done-when, as users run it: the built `ym-chats sync --once` killed with
 * SIGKILL at least 10 times at random moments of its pass while buyers keep writing (the last kill leaving a
 * listing under way), then buyers write in every chat while it is down, then one `sync --once`: exit 0, it
 * says it resumed the interrupted pass and then ran a fresh one, and the store equals the emulator. (The
 * sync package's resume-current test does the same to the library's `pass()`.)
 */
import { AdminClient, createEmulator } from '@ym-chats/emulator';
import { describeEngines, emulatorState, mirrorState, type OpenedStore } from '@ym-chats/testkit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { API_KEY, BUSINESS, cleanEnv, LongRun, requireBuilt, run } from './helpers.js';

const KILLS = 10;

/** Seeded randomness, so a failing run replays the same instants (mulberry32). */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

interface JsonLine {
  event: string;
  [key: string]: unknown;
}

const lines = (text: string): JsonLine[] =>
  text
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as JsonLine);

describeEngines('ym-chats sync --once killed 10 times, then once more', (engine) => {
  const emulator = createEmulator({ seed: 7, credentials: [{ apiKey: API_KEY, businessIds: [BUSINESS] }] });
  const truth = {
    emulator,
    url: '',
    admin: new AdminClient('http://127.0.0.1:1'),
    close: () => emulator.close(),
  };
  let opened: OpenedStore;
  beforeAll(async () => {
    requireBuilt();
    truth.url = await emulator.listen(0);
    truth.admin = new AdminClient(truth.url);
    // Slower history answers stretch each pass, so the kills land all over it.
    await truth.admin.addFaults([{ operation: 'getChatHistory', delayMs: 8 }]);
    opened = await engine.open();
  });
  afterAll(async () => {
    await opened?.dispose();
    await truth.close();
  });

  const chatIds = () => emulatorState(truth).chats.map((line) => Number(line.split('|')[0]));
  /** The interrupted pass has listing pages stored: finishing it alone would miss what changed in them. */
  async function listingUnderWay(): Promise<boolean> {
    const rows = await opened.store.database().all('SELECT chats_page_token, listing_done FROM sync_cursors');
    return rows.some((r) => r.chats_page_token !== null || Number(r.listing_done) === 1);
  }

  it('ends with the store equal to the emulator, everything written while it was down included', {
    timeout: 240_000,
  }, async () => {
    const random = prng(engine.name === 'sqlite' ? 20 : 21);
    const args = [
      ...['sync', '--once', '--json', '--store', opened.target],
      ...(opened.schema ? ['--schema', opened.schema] : []),
      ...['--base-url', truth.url, '--business-id', String(BUSINESS)],
    ];
    const env = cleanEnv({ YM_API_KEY: API_KEY });
    let writing = true;
    let written = 0;
    const buyers = (async () => {
      while (writing) {
        if (written % 25 === 24) await truth.admin.createChat(BUSINESS, { context: { type: 'DIRECT' } });
        const chats = chatIds();
        const chatId = chats[Math.floor(random() * chats.length)]!;
        await truth.admin.postMessage(BUSINESS, chatId, {
          sender: 'CUSTOMER',
          message: `meanwhile ${written}`,
        });
        written += 1;
        await new Promise((r) => setTimeout(r, 5));
      }
    })();
    let kills = 0;
    let runs = 0;
    try {
      for (; (kills < KILLS || !(await listingUnderWay())) && runs < 80; runs++) {
        const child = new LongRun(args, { env });
        let exited = false;
        void child.exited.then(() => {
          exited = true;
        });
        // Under way: its first progress line (it has listed a page), or it finished first.
        while (!exited && !child.stdout.includes('"event":"progress"')) {
          await new Promise((r) => setTimeout(r, 5));
        }
        await new Promise((r) => setTimeout(r, random() * 400));
        if (exited) {
          const { code } = await child.exited;
          if (code !== 0) throw new Error(`sync --once failed (${code}):\n${child.stdout}\n${child.stderr}`);
          continue;
        }
        child.kill('SIGKILL');
        await child.exited;
        kills += 1;
      }
    } finally {
      writing = false;
      await buyers;
    }
    expect(kills).toBeGreaterThanOrEqual(KILLS);
    expect(await listingUnderWay()).toBe(true);
    // While it is down, a buyer writes in every chat: those listed before the last kill too.
    for (const chatId of chatIds()) {
      await truth.admin.postMessage(BUSINESS, chatId, { sender: 'CUSTOMER', message: 'while down' });
    }
    const last = await run(args, { env });
    expect(last.stderr).toBe('');
    expect(last.code).toBe(0);
    const pass = lines(last.stdout).find((l) => l.event === 'pass')!;
    // It finished the interrupted pass, then read what changed since in a pass of its own.
    expect(pass.resumedRunId).not.toBeNull();
    expect(String(pass.resumedRunId)).not.toBe(String(pass.runId));
    expect(await mirrorState(opened.store)).toEqual(emulatorState(truth));
    const counts = await opened.store.counts();
    expect(counts.events).toBe(counts.messages);
    expect(await opened.store.integrityProblems()).toEqual([]);
    console.log(
      `${engine.name}: ${kills} kills of sync --once in ${runs} runs, ${written} messages written meanwhile; ` +
        `the last --once resumed pass ${pass.resumedRunId}, then pass ${pass.runId} ` +
        `(${pass.chatsSeen} chats, ${pass.messagesAdded} new messages); ${counts.messages} messages stored`,
    );
  });
});
