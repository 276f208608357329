/** The history page writer: pages of one read commit in order, and never past a page that failed. */
import { describe, expect, it } from 'vitest';
import { PageWriter } from '../src/engine/page-writer.js';
import type { HistoryPageWrite } from '../src/store/mirror.js';
import type { SyncStore } from '../src/store/store.js';

const page = (chatId: bigint): HistoryPageWrite => ({
  businessId: 1001n,
  chatId,
  runId: null,
  messages: [],
  completedAt: null,
  now: '2026-11-25T10:00:00.000Z',
});

function stub(failFirst: boolean) {
  const groups: bigint[][] = [];
  const store = {
    async writeHistoryPages(pages: HistoryPageWrite[]) {
      groups.push(pages.map((p) => p.chatId));
      if (failFirst && groups.length === 1) throw new Error('disk full');
      return pages.map(() => []);
    },
  } as unknown as SyncStore;
  return { store, groups };
}

describe('PageWriter', () => {
  it('puts pages queued together into one commit, in order', async () => {
    const { store, groups } = stub(false);
    const writer = new PageWriter(store);
    await Promise.all([writer.write(page(1n)), writer.write(page(2n)), writer.write(page(1n))]);
    expect(groups).toEqual([[1n, 2n, 1n]]);
  });

  it('refuses the later pages of a read whose earlier page failed, and writes other reads on', async () => {
    const { store, groups } = stub(true);
    const writer = new PageWriter(store, 1);
    const chain = { failed: undefined };
    const first = writer.write(page(1n), chain);
    const second = writer.write(page(1n), chain);
    const other = writer.write(page(2n), { failed: undefined });
    await expect(first).rejects.toThrow('disk full');
    await expect(second).rejects.toThrow('disk full');
    await expect(other).resolves.toEqual([]);
    expect(groups).toEqual([[1n], [2n]]);
  });
});
