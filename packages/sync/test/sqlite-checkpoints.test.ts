/**
 * SQLite checkpoints off the writing thread: once a pass writes history pages, the store's connection no
 * longer checkpoints inside its commits, and a thread of its own copies the WAL into the database file.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, type SyncStore } from '@ym-chats/sync';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import type { SqliteSql } from '../src/db/sqlite.js';
import { chat, message } from './support/fixtures.js';

const B = 1001n;
const NOW = '2026-11-25T10:00:00.000Z';
let dir: string;
let file: string;
let store: SyncStore;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ym-sync-ckpt-'));
  file = join(dir, 'store.sqlite');
  store = await openStore(file);
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const size = (path: string) => statSync(path, { throwIfNoEntry: false })?.size ?? 0;

it('copies the WAL into the database file from its own thread, not in the commits', async () => {
  const { cursor } = await store.beginPass(B, 'once', NOW);
  await store.writeChatPage({
    businessId: B,
    runId: cursor.runId,
    chats: [chat(1)],
    nextPageToken: null,
    settleMs: 5000,
  });
  const before = size(file);
  const db = (store.database() as SqliteSql).db;
  expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(1000n);
  // Far less than the 1 000 WAL pages that would make a commit checkpoint by itself.
  const ids = Array.from({ length: 300 }, (_, i) => 10 + i);
  for (let i = 0; i < ids.length; i += 100) {
    await store.writeHistoryPages([
      {
        businessId: B,
        chatId: 1n,
        runId: cursor.runId,
        messages: ids.slice(i, i + 100).map((id) => message(id, { message: 'x'.repeat(200) })),
        completedAt: null,
        now: NOW,
      },
    ]);
  }
  expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(0n);
  await vi.waitFor(() => expect(size(file)).toBeGreaterThan(before + 60_000), {
    timeout: 10_000,
    interval: 50,
  });
  expect((await store.counts()).messages).toBe(300);
  expect(await store.integrityProblems()).toEqual([]);
});
