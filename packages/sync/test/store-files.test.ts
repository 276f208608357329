/**
 * A SQLite store holds buyers' names and messages: created private whatever the umask (file, -wal, -shm
 * 0600; the directories made for it 0700), and an existing store others can open is named once with the
 * chmod that fixes it.
 */
import { chmodSync, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, type SyncStore } from '@ym-chats/sync';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';

const root = mkdtempSync(join(tmpdir(), 'ym-sync-files-'));
const mode = (path: string) => (statSync(path).mode & 0o777).toString(8);

/** Something in the WAL, so the -wal and -shm files exist while the store is open. */
async function write(store: SyncStore): Promise<void> {
  await store.writeHistoryPage({
    businessId: 1n,
    chatId: 1n,
    runId: null,
    messages: [{ messageId: 1, createdAt: '2026-01-01T00:00:00Z', sender: 'CUSTOMER', message: 'hi' }],
    completedAt: null,
    now: '2026-01-01T00:00:01.000Z',
  });
}

describe('store files', () => {
  let umask: number;
  beforeEach(() => {
    // Forked test workers (vitest.config pool: 'forks') may set the umask; the usual one leaves 0644.
    umask = process.umask(0o022);
  });
  afterEach(() => {
    process.umask(umask);
  });
  afterAll(() => {
    rmSync(root, { recursive: true, force: true });
  });

  it('creates a new store 0600 with its WAL and SHM, in directories it creates 0700', async () => {
    const dir = join(root, 'new', '.ym-chats');
    const file = join(dir, 'store.sqlite');
    const warnings: string[] = [];
    const store = await openStore(file, { onWarning: (m) => warnings.push(m) });
    try {
      await write(store);
      expect(existsSync(`${file}-wal`)).toBe(true);
      expect([file, `${file}-wal`, `${file}-shm`].map(mode)).toEqual(['600', '600', '600']);
      expect([dir, join(root, 'new')].map(mode)).toEqual(['700', '700']);
    } finally {
      await store.close();
    }
    // Reopened as it is now: private, so nothing to say.
    await (await openStore(file, { onWarning: (m) => warnings.push(m) })).close();
    expect(warnings).toEqual([]);
  });

  it('leaves the mode of a directory that existed alone', async () => {
    const file = join(root, 'store.sqlite');
    chmodSync(root, 0o755);
    await (await openStore(file)).close();
    expect([mode(root), mode(file)]).toEqual(['755', '600']);
  });

  it('says once, naming the chmod, when an existing store is open to others', async () => {
    const file = join(root, 'shared', 'store.sqlite');
    await (await openStore(file)).close();
    chmodSync(file, 0o644);
    const warnings: string[] = [];
    const store = await openStore(file, { onWarning: (m) => warnings.push(m) });
    await write(store);
    await store.close();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(`chmod 600 ${file}`);
    expect(mode(file)).toBe('644'); // told, not changed behind the owner's back
  });

  it("says it through Node's warnings when the caller gives no channel", async () => {
    const file = join(root, 'default', 'store.sqlite');
    await (await openStore(file)).close();
    chmodSync(file, 0o640);
    const seen: Error[] = [];
    const listener = (w: Error) => seen.push(w);
    process.on('warning', listener);
    try {
      await (await openStore(file)).close();
      await new Promise((r) => setImmediate(r)); // warnings are emitted on the next tick
    } finally {
      process.off('warning', listener);
    }
    expect(seen.map((w) => w.message).filter((m) => m.includes(`chmod 600 ${file}`))).toHaveLength(1);
  });
});
