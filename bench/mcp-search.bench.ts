/**
 * `ym-chats mcp`'s search_messages over a sync store, by reading every message (no index) beside the same
 * search through the store's word index (sync's), in alternating rounds on the same store: a store of a few
 * thousand messages (YM_BENCH_CHATS × YM_BENCH_MESSAGES_PER_CHAT, default 200 × 20), a rare word and a
 * common one. SQLite always; PostgreSQL when YM_TEST_POSTGRES_URL (or YM_BENCH_POSTGRES_URL) is set.
 * Prints medians and the ratio; asserts nothing.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// Package names resolve through the root tsconfig's paths (tsx honours them) to the packages' sources.
import { StoreSource as InboxSource } from '@ym-chats/inbox';
import type { ChatMessage } from '@ym-chats/sdk';
import { openStore, StoreMessageIndex, type SyncStore } from '@ym-chats/sync';
import pg from 'pg';
// The MCP server's store reader (not exported: the server builds it from the store the CLI hands it).
import { type ChatStore, StoreSource } from '../packages/mcp/src/source/store.js';

const CHATS = Number(process.env.YM_BENCH_CHATS ?? 200);
const PER_CHAT = Number(process.env.YM_BENCH_MESSAGES_PER_CHAT ?? 20);
const ROUNDS = 15;
const B = 1001n;
const NOW = '2026-11-25T10:00:00.000Z';
const PG_URL = process.env.YM_BENCH_POSTGRES_URL ?? process.env.YM_TEST_POSTGRES_URL;
const PHRASES = [
  'Здравствуйте! Когда будет доставлен мой заказ?',
  'Посылка пришла с повреждённой коробкой, что делать?',
  'Спасибо, всё получил, товар отличный.',
  'Hi, where is my order? Tracking has not moved for three days.',
  'Подскажите, есть ли гарантия на этот товар?',
];

async function fill(store: SyncStore): Promise<void> {
  const { cursor } = await store.beginPass(B, 'once', NOW);
  for (let from = 1; from <= CHATS; from += 20) {
    const chats = Array.from({ length: Math.min(20, CHATS - from + 1) }, (_, k) => ({
      chatId: from + k,
      context: { type: 'DIRECT' as const },
      type: 'CHAT',
      status: 'WAITING_FOR_PARTNER',
      createdAt: '2026-11-20T09:00:00Z',
      updatedAt: '2026-11-20T09:30:00Z',
    }));
    await store.writeChatPage({
      businessId: B,
      runId: cursor.runId,
      chats,
      nextPageToken: null,
      settleMs: 5000,
    });
  }
  for (let c = 1; c <= CHATS; c++) {
    const messages: ChatMessage[] = Array.from({ length: PER_CHAT }, (_, i) => ({
      messageId: c * 1000 + i,
      createdAt: new Date(Date.UTC(2026, 10, 20, 0, 0, c * PER_CHAT + i)).toISOString(),
      sender: i % 2 === 0 ? 'CUSTOMER' : 'PARTNER',
      // One message in the whole store carries the rare word.
      message:
        c === Math.ceil(CHATS / 2) && i === 3
          ? 'коробка смята, нужен возврат'
          : PHRASES[(c + i) % PHRASES.length]!,
    }));
    await store.writeHistoryPage({
      businessId: B,
      chatId: BigInt(c),
      runId: null,
      messages,
      completedAt: NOW,
      now: NOW,
    });
  }
}

function reads(store: SyncStore): ChatStore {
  return {
    chats: (b, f) => store.chats(b, f),
    chat: (b, c) => store.chat(b, c),
    messages: (b, c, o) => store.messages(b, c, o),
    runs: (b, l) => store.runs(b, l),
  };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function run(name: string, store: SyncStore): Promise<void> {
  await fill(store);
  const inbox = await InboxSource.open(store, { follow: false });
  await inbox.indexer.catchUp();
  const scan = new StoreSource(reads(store), B);
  const indexed = new StoreSource({ ...reads(store), index: new StoreMessageIndex(store) }, B);
  console.log(`\n${name}: ${CHATS} chats × ${PER_CHAT} = ${CHATS * PER_CHAT} messages, median of ${ROUNDS}`);
  console.log('query                  scan ms   index ms   scan ÷ index   hits (same)   read by index');
  for (const [query, limit] of [
    ['возврат', 20],
    ['заказ', 20],
  ] as const) {
    const times = { scan: [] as number[], index: [] as number[] };
    let same = true;
    let hits = 0;
    let examined = 0;
    for (let r = 0; r < ROUNDS; r++) {
      // Alternating, so both see the same machine.
      let t = performance.now();
      const a = await scan.search(query, { limit });
      times.scan.push(performance.now() - t);
      t = performance.now();
      const b = await indexed.search(query, { limit });
      times.index.push(performance.now() - t);
      same &&= JSON.stringify(a.hits) === JSON.stringify(b.hits);
      hits = b.hits.length;
      examined = b.scannedMessages;
    }
    const s = median(times.scan);
    const i = median(times.index);
    console.log(
      `${query.padEnd(20)} ${s.toFixed(2).padStart(8)} ${i.toFixed(2).padStart(10)} ${(s / i).toFixed(1).padStart(14)}` +
        `   ${String(hits).padStart(4)} (${same ? 'yes' : 'NO'})   ${String(examined).padStart(13)}`,
    );
  }
}

const dir = mkdtempSync(join(tmpdir(), 'ym-bench-mcp-'));
try {
  const store = await openStore(join(dir, 'store.sqlite'));
  try {
    await run('SQLite', store);
  } finally {
    await store.close();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
if (PG_URL !== undefined) {
  const schema = `bench_${randomBytes(5).toString('hex')}`;
  const store = await openStore(PG_URL, { schema });
  try {
    await run('PostgreSQL', store);
  } finally {
    await store.close();
    const client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await client.end();
  }
} else {
  console.log('\nPostgreSQL: skipped (YM_TEST_POSTGRES_URL is not set)');
}
