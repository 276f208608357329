/**
 * Agents in the store: what `ym-chats agents` writes, every `serve` process reads. A changed password or a
 * removed agent ends that agent's sessions at once (they are rows every process reads), the first agent
 * ends the loopback user's, and an import of the `--agents` file upserts with a summary.
 */
import type { Sql, SyncStore } from '@ym-chats/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryAgentDirectory } from '../src/auth/agent-directory.js';
import { hashPassword } from '../src/auth/password.js';
import { SqlSessionStore } from '../src/auth/sessions.js';
import { SqlAgentDirectory } from '../src/store/sql-agent-directory.js';
import { describeStores, type TestStore } from './support/stores.js';

/** The handle for the inbox's own tables (`database()`; the `sql` field before sync made it private). */
function own(store: SyncStore): Sql {
  const s = store as unknown as { database?: () => Sql; sql?: Sql };
  return s.database?.() ?? s.sql!;
}

let annaHash: string;
let borisHash: string;
beforeAll(async () => {
  [annaHash, borisHash] = await Promise.all([hashPassword('anna-secret'), hashPassword('boris-secret')]);
});

describeStores('agents in the store', (engine) => {
  let db: TestStore;
  beforeAll(async () => {
    db = await engine.open();
  });
  afterAll(async () => db?.dispose());

  it('adds, finds, lists, changes and removes agents; sessions end with a password change or removal', async () => {
    const agents = await SqlAgentDirectory.open(own(db.store), { refreshMs: 0 });
    const sessions = new SqlSessionStore(own(db.store));
    const local = await sessions.create('local', 'local');
    expect(
      await agents.add({ login: 'anna', name: 'Анна', passwordHash: annaHash, businessIds: [1, 2, 1] }),
    ).toBe(true);
    // The first agent: the loopback user's session ends (login is required from now on).
    expect(await sessions.get(local.id)).toBeUndefined();
    expect(await agents.add({ login: 'anna', passwordHash: borisHash, businessIds: [3] })).toBe(false);
    expect(await agents.add({ login: 'boris', passwordHash: borisHash, businessIds: [2] })).toBe(true);
    expect(await agents.find('anna')).toEqual({
      login: 'anna',
      name: 'Анна',
      passwordHash: annaHash,
      businessIds: [1, 2],
    });
    expect((await agents.list()).map((a) => a.login)).toEqual(['anna', 'boris']);
    expect([...agents.current().keys()]).toEqual(['anna', 'boris']);

    const annaPhone = await sessions.create('agent', 'anna');
    const annaLaptop = await sessions.create('agent', 'anna');
    const boris = await sessions.create('agent', 'boris');
    expect(await agents.setPassword('anna', borisHash)).toBe(true);
    expect(await sessions.get(annaPhone.id)).toBeUndefined();
    expect(await sessions.get(annaLaptop.id)).toBeUndefined();
    expect((await sessions.get(boris.id))?.login).toBe('boris');
    expect((await agents.find('anna'))?.passwordHash).toBe(borisHash);
    expect(await agents.setPassword('nobody', annaHash)).toBe(false);

    expect(await agents.remove('boris')).toBe(true);
    expect(await sessions.get(boris.id)).toBeUndefined();
    expect(await agents.find('boris')).toBeUndefined();
    expect(agents.current().has('boris')).toBe(false);
    expect(await agents.remove('boris')).toBe(false);
    await agents.close();
  });

  it('are seen by another process: at once by find, and by its next refresh', async () => {
    const mine = await SqlAgentDirectory.open(own(db.store), { refreshMs: 0 });
    const otherStore = await db.reopen();
    const other = await SqlAgentDirectory.open(own(otherStore), { refreshMs: 0 });
    try {
      await mine.add({ login: 'vera', passwordHash: annaHash, businessIds: [7] });
      expect(other.current().has('vera')).toBe(false);
      expect((await other.find('vera'))?.businessIds).toEqual([7]);
      expect(other.current().has('vera')).toBe(true);
      await mine.remove('vera');
      await other.refresh();
      expect(other.current().has('vera')).toBe(false);
    } finally {
      await other.close();
      await mine.close();
      await otherStore.close();
    }
  });

  it('imports a list: added, updated, unchanged; a changed hash ends sessions, an equal one does not', async () => {
    const agents = await SqlAgentDirectory.open(own(db.store), { refreshMs: 0 });
    const sessions = new SqlSessionStore(own(db.store));
    const list = [
      { login: 'gleb', passwordHash: annaHash, businessIds: [1] },
      { login: 'dina', name: 'Дина', passwordHash: borisHash, businessIds: [1, 2] },
    ];
    expect(await agents.import(list)).toEqual({ added: ['gleb', 'dina'], updated: [], unchanged: [] });
    const gleb = await sessions.create('agent', 'gleb');
    const dina = await sessions.create('agent', 'dina');
    expect(await agents.import(list)).toEqual({ added: [], updated: [], unchanged: ['gleb', 'dina'] });
    expect(await sessions.get(gleb.id)).toBeDefined();
    const changed = [
      { ...list[0]!, passwordHash: borisHash },
      { ...list[1]!, businessIds: [2] },
    ];
    expect(await agents.import(changed)).toEqual({ added: [], updated: ['gleb', 'dina'], unchanged: [] });
    expect(await sessions.get(gleb.id)).toBeUndefined();
    expect(await sessions.get(dina.id)).toBeDefined();
    expect((await agents.find('dina'))?.businessIds).toEqual([2]);
    // Refused whole, naming the problem: nothing of the list is stored.
    await expect(
      agents.import([
        { login: 'zoya', passwordHash: annaHash, businessIds: [1] },
        { login: 'zoya', passwordHash: annaHash, businessIds: [1] },
      ]),
    ).rejects.toThrow('agent zoya is listed twice');
    await expect(agents.import([{ login: 'ivan', passwordHash: 'plain', businessIds: [1] }])).rejects.toThrow(
      /not one hashPassword makes/,
    );
    await expect(agents.import([{ login: 'a b', passwordHash: annaHash, businessIds: [1] }])).rejects.toThrow(
      /not a login/,
    );
    await expect(agents.import([{ login: 'ivan', passwordHash: annaHash, businessIds: [] }])).rejects.toThrow(
      'ivan has no businesses',
    );
    expect(await agents.find('zoya')).toBeUndefined();
    await agents.close();
  });
});

describe('agents in memory', () => {
  it('keep the same rules', async () => {
    expect(
      () =>
        new MemoryAgentDirectory([
          { login: 'anna', passwordHash: annaHash, businessIds: [1] },
          { login: 'anna', passwordHash: annaHash, businessIds: [1] },
        ]),
    ).toThrow('agent anna is listed twice');
    const agents = new MemoryAgentDirectory([{ login: 'anna', passwordHash: annaHash, businessIds: [1] }]);
    expect(await agents.add({ login: 'anna', passwordHash: annaHash, businessIds: [1] })).toBe(false);
    expect(await agents.import([{ login: 'anna', passwordHash: borisHash, businessIds: [1] }])).toEqual({
      added: [],
      updated: ['anna'],
      unchanged: [],
    });
    expect(await agents.remove('anna')).toBe(true);
    expect(agents.current().size).toBe(0);
  });
});
