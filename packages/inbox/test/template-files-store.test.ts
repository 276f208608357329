/**
 * Files a template carries, in the store (both engines) and in memory: attached under the reply's file
 * rule (any type, 1 byte to 5 MB) and the template's count, read back byte for byte by another process on
 * the same database, removed one by one, and gone with their template.
 */
import { randomBytes } from 'node:crypto';
import type { Sql, SyncStore } from '@ym-chats/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FILE_MAX_BYTES } from '../src/shared/limits.js';
import { migrateInbox } from '../src/store/migrations.js';
import { SqlTemplateStore } from '../src/store/sql-templates.js';
import {
  MemoryTemplateStore,
  TEMPLATE_FILES_MAX,
  TemplateError,
  type TemplateStore,
} from '../src/team/templates.js';
import { describeStores, type TestStore } from './support/stores.js';

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

/** A real 1×1 PNG (signature, IHDR, IDAT, IEND). */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);

/** What both implementations must do; `reader` is another process's view of the same templates. */
async function carriesFiles(store: TemplateStore, reader: TemplateStore, businessId: number) {
  const made = await store.create(businessId, { name: 'Фото', text: 'Фото товара, {customerName}' }, 'anna');
  expect(made.files).toEqual([]);
  const png = await store.addFile(
    businessId,
    made.id,
    { name: ' фото.png ', type: 'image/png', data: PNG },
    'anna',
  );
  expect(png).toEqual({ id: png.id, name: 'фото.png', type: 'image/png', size: PNG.length });
  const big = randomBytes(FILE_MAX_BYTES);
  const pdf = await store.addFile(
    businessId,
    made.id,
    { name: 'инструкция.pdf', type: 'application/pdf', data: big },
    'boris',
  );

  const listed = (await reader.list(businessId)).find((t) => t.id === made.id)!;
  expect(listed.files.map((f) => [f.name, f.type, f.size])).toEqual([
    ['фото.png', 'image/png', PNG.length],
    ['инструкция.pdf', 'application/pdf', FILE_MAX_BYTES],
  ]);
  expect(listed.updatedBy).toBe('boris');
  expect((await reader.readFile(businessId, made.id, png.id)).data.equals(PNG)).toBe(true);
  expect((await reader.readFile(businessId, made.id, pdf.id)).data.equals(big)).toBe(true);
  // An update of the text keeps the files.
  const changed = await store.update(businessId, made.id, { name: 'Фото', text: 'Фото товара' }, 'anna');
  expect(changed.files.map((f) => f.id)).toEqual([png.id, pdf.id]);

  const refused = (name: string, data: Buffer) =>
    code(store.addFile(businessId, made.id, { name, type: 'text/plain', data }, 'anna'));
  expect(await refused('пусто.txt', Buffer.alloc(0))).toBe(
    'BAD_FILE: "пусто.txt" is empty; attach a file with content',
  );
  expect(await refused('много.bin', Buffer.alloc(FILE_MAX_BYTES + 1, 1))).toMatch(
    /^BAD_FILE: "много.bin" is over 5 MB/,
  );
  expect(await refused('a\nb.txt', Buffer.from('x'))).toMatch(/^BAD_FILE: a file name is 1–255/);
  for (let i = 2; i < TEMPLATE_FILES_MAX; i++) await refusedNot(store, businessId, made.id, i);
  expect(await refused('лишний.txt', Buffer.from('x'))).toBe(
    `BAD_FILE: a template carries at most ${TEMPLATE_FILES_MAX} files; remove one before attaching another`,
  );
  // A type that is not a MIME type is not kept (the page would otherwise echo it back).
  const odd = (await reader.list(businessId)).find((t) => t.id === made.id)!.files.at(-1)!;
  expect(odd.type).toBe('');

  // Another business cannot reach them.
  expect(await code(store.readFile(businessId + 1, made.id, png.id))).toMatch(/^NO_TEMPLATE|^NO_FILE/);
  expect(await code(store.addFile(businessId + 1, made.id, { name: 'x', type: '', data: PNG }, 'x'))).toMatch(
    /^NO_TEMPLATE/,
  );

  await store.removeFile(businessId, made.id, png.id, 'anna');
  expect(await code(reader.readFile(businessId, made.id, png.id))).toMatch(/^NO_FILE/);
  expect(await code(store.removeFile(businessId, made.id, png.id, 'anna'))).toMatch(/^NO_FILE/);
  expect((await reader.list(businessId)).find((t) => t.id === made.id)!.files).toHaveLength(
    TEMPLATE_FILES_MAX - 1,
  );

  await store.remove(businessId, made.id);
  expect(await code(reader.readFile(businessId, made.id, pdf.id))).toMatch(/^NO_TEMPLATE|^NO_FILE/);
  return made.id;
}

async function refusedNot(store: TemplateStore, businessId: number, id: number, i: number) {
  await store.addFile(
    businessId,
    id,
    { name: `файл-${i}.txt`, type: i === 9 ? 'not a type' : 'text/plain', data: Buffer.from(`${i}`) },
    'anna',
  );
}

describeStores('template files in the store', (engine) => {
  let db: TestStore;
  beforeAll(async () => {
    db = await engine.open();
    await migrateInbox(own(db.store));
  });
  afterAll(async () => db?.dispose());

  it('keeps a template’s files for every process, under the reply’s file rule, and deletes them with it', async () => {
    const otherStore = await db.reopen();
    try {
      const id = await carriesFiles(
        new SqlTemplateStore(own(db.store)),
        new SqlTemplateStore(own(otherStore)),
        1001,
      );
      // Looked at in the table itself: the deleted template left no bytes behind.
      const left = await own(db.store).all(
        'SELECT COUNT(*) AS n FROM inbox_template_files WHERE template_id = ?',
        [id],
      );
      expect(Number(left[0]!.n)).toBe(0);
    } finally {
      await otherStore.close();
    }
  });
});

describe('template files in memory', () => {
  it('follow the same rules', async () => {
    const store = new MemoryTemplateStore();
    await carriesFiles(store, store, 1001);
  });
});
