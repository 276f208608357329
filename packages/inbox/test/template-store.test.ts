/**
 * Templates in the store, per business: seeded once with the built-ins (deleted ones stay deleted, also
 * for another process), names unique within a business, a text naming a variable that does not exist
 * refused with the list of those that do.
 */
import type { Sql, SyncStore } from '@ym-chats/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateInbox } from '../src/store/migrations.js';
import { SqlTemplateStore } from '../src/store/sql-templates.js';
import {
  DEFAULT_TEMPLATES,
  MemoryTemplateStore,
  TemplateError,
  type TemplateStore,
} from '../src/team/templates.js';
import { describeStores, type TestStore } from './support/stores.js';

/** The handle for the inbox's own tables (`database()`; the `sql` field before sync made it private). */
function own(store: SyncStore): Sql {
  const s = store as unknown as { database?: () => Sql; sql?: Sql };
  return s.database?.() ?? s.sql!;
}

async function code(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof TemplateError) return `${error.code}: ${error.message}`;
    throw error;
  }
  return 'no error';
}

/** What both implementations must do. */
async function editsTemplates(store: TemplateStore, businessId: number) {
  const seeded = await store.list(businessId);
  expect(seeded.map((t) => t.name)).toEqual(DEFAULT_TEMPLATES.map((s) => s.name));
  expect(seeded.every((t) => t.businessId === businessId && t.updatedBy === undefined)).toBe(true);

  const made = await store.create(
    businessId,
    { name: ' Трек ', text: 'Трек заказа {orderId}: {chatId}' },
    'anna',
  );
  expect(made).toMatchObject({
    businessId,
    name: 'Трек',
    text: 'Трек заказа {orderId}: {chatId}',
    updatedBy: 'anna',
  });
  expect(await code(store.create(businessId, { name: 'Трек', text: 'x' }, 'boris'))).toMatch(
    /^NAME_TAKEN: .*"Трек"/,
  );
  expect(
    await code(store.create(businessId, { name: 'Опечатка', text: 'Здравствуйте, {customer}!' }, 'anna')),
  ).toMatch(
    /^BAD_TEMPLATE: \{customer\} is not a variable; use \{customerName\}, \{orderId\}, \{returnId\}, \{chatId\}, \{agentName\}/,
  );
  expect(await code(store.create(businessId, { name: '', text: 'x' }, 'anna'))).toMatch(
    /^BAD_TEMPLATE: a template name/,
  );
  expect(await code(store.create(businessId, { name: 'Пусто', text: '  ' }, 'anna'))).toBe(
    'BAD_TEMPLATE: a template needs a text',
  );
  expect(await code(store.create(businessId, { name: 'Длинный', text: 'я'.repeat(4097) }, 'anna'))).toMatch(
    /at most 4096/,
  );

  const changed = await store.update(
    businessId,
    made.id,
    { name: 'Трек-номер', text: 'Ваш {orderId}, {agentName}' },
    'boris',
  );
  expect(changed).toMatchObject({ id: made.id, name: 'Трек-номер', updatedBy: 'boris' });
  expect(await code(store.update(businessId, made.id, { name: 'Возврат', text: 'x' }, 'boris'))).toMatch(
    /^NAME_TAKEN/,
  );
  expect(await code(store.update(businessId + 1, made.id, { name: 'Чужой', text: 'x' }, 'boris'))).toMatch(
    /^NO_TEMPLATE/,
  );

  // Another business has its own list (seeded on its own), untouched by these edits.
  expect((await store.list(businessId + 1)).map((t) => t.name)).toEqual(DEFAULT_TEMPLATES.map((s) => s.name));
  expect(await code(store.remove(businessId + 1, made.id))).toMatch(/^NO_TEMPLATE/);

  for (const t of await store.list(businessId)) await store.remove(businessId, t.id);
  expect(await store.list(businessId)).toEqual([]);
  expect(await code(store.remove(businessId, made.id))).toMatch(/^NO_TEMPLATE/);
}

describeStores('templates in the store', (engine) => {
  let db: TestStore;
  beforeAll(async () => {
    db = await engine.open();
    await migrateInbox(own(db.store));
  });
  afterAll(async () => db?.dispose());

  it('seeds a business once, edits, refuses bad ones; another process sees the same list', async () => {
    await editsTemplates(new SqlTemplateStore(own(db.store)), 1001);
    // A second process on the database: the business was seeded once, its deleted templates stay deleted.
    const otherStore = await db.reopen();
    try {
      const other = new SqlTemplateStore(own(otherStore));
      expect(await other.list(1001)).toEqual([]);
      const made = await other.create(1001, { name: 'Новый', text: 'Здравствуйте, {customerName}!' }, 'vera');
      expect(await new SqlTemplateStore(own(db.store)).list(1001)).toEqual([made]);
    } finally {
      await otherStore.close();
    }
  });

  // Two SQLite connections in one process would wait on each other's write lock inside one event loop;
  // processes are separate in real life, and SQLite's write lock serializes them anyway.
  it.runIf(engine.name === 'postgres')(
    'seeds once when two processes read a new business at the same moment',
    async () => {
      const otherStore = await db.reopen();
      try {
        const lists = await Promise.all([
          new SqlTemplateStore(own(db.store)).list(3003),
          new SqlTemplateStore(own(otherStore)).list(3003),
        ]);
        expect(lists[0]!.length).toBe(DEFAULT_TEMPLATES.length);
        expect(await new SqlTemplateStore(own(db.store)).list(3003)).toHaveLength(DEFAULT_TEMPLATES.length);
      } finally {
        await otherStore.close();
      }
    },
  );
});

describe('templates in memory', () => {
  it('follow the same rules', async () => {
    await editsTemplates(new MemoryTemplateStore(), 1001);
  });
});
