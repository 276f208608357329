/**
 * The kit's own promises, so a broken helper cannot make every suite that uses it pass for nothing: the spec
 * checkers find what is wrong, and each PostgreSQL store lives in a schema of its own that `dispose()` drops.
 */
import {
  answerProblems,
  describeEngines,
  freshSchema,
  notificationProblems,
  type OpenedStore,
  PG_URL,
} from '@ym-chats/testkit';
import pg from 'pg';
import { describe, expect, it } from 'vitest';

describe('the notifications spec checks', () => {
  const ok = { version: '1.0', name: 'ym-chats', time: '2026-11-25T10:00:00Z' };
  const envelope = { error: { type: 'UNKNOWN', message: 'later' } };

  it('pass the answers the spec documents and name what is wrong in the others', () => {
    expect(answerProblems(200, ok)).toEqual([]);
    expect(answerProblems(400, { error: { type: 'WRONG_EVENT_FORMAT', message: 'chatId' } })).toEqual([]);
    expect(answerProblems(500, envelope)).toEqual([]);
    expect(answerProblems(200, { version: '1.0', name: 'ym-chats' }).join()).toContain('time');
    expect(answerProblems(500, ok).join()).toContain('additional');
    expect(answerProblems(200, { ...ok, extra: 1 }).join()).toContain('additional');
    expect(answerProblems(400, { error: { type: 'NOT_A_TYPE', message: 'x' } })).not.toEqual([]);
  });

  it('refuse a status the spec does not document, unless held to the error envelope', () => {
    expect(answerProblems(405, envelope)).toEqual(['the notifications spec documents no 405 answer']);
    expect(answerProblems(405, envelope, { undocumented: 'errorEnvelope' })).toEqual([]);
    expect(answerProblems(405, { message: 'x' }, { undocumented: 'errorEnvelope' }).join()).toContain(
      'additional',
    );
  });

  it('hold a pushed notification to its DTO, with no field beyond it', () => {
    const created = {
      notificationType: 'CHAT_CREATED',
      chatId: 7,
      businessId: 1001,
      createdAt: '2026-11-25T10:00:00Z',
    };
    expect(notificationProblems(created)).toEqual([]);
    expect(notificationProblems({ ...created, orderId: 5 }).join()).toContain('additional');
    expect(notificationProblems({ ...created, chatId: 7.5 })).not.toEqual([]);
    expect(notificationProblems({ notificationType: 'ORDER_CREATED' })).toEqual([
      'ORDER_CREATED is not a chat notification type of the spec',
    ]);
  });
});

describe('freshSchema', () => {
  it('refuses a prefix that is no plain identifier, and a missing URL, naming the fix', () => {
    expect(() => freshSchema('postgres://127.0.0.1/x', 'a; DROP')).toThrow(/prefix "a; DROP".*identifier/);
    expect(() => freshSchema(undefined)).toThrow(/YM_TEST_POSTGRES_URL is not set/);
  });
});

async function schemaExists(url: string, schema: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM information_schema.schemata WHERE schema_name = $1', [
      schema,
    ]);
    return found.rowCount === 1;
  } finally {
    await client.end();
  }
}

describeEngines(
  'a store per open()',
  (engine) => {
    it('two stores share no rows, and dispose() drops each schema', async () => {
      const opened: OpenedStore[] = [await engine.open(), await engine.open()];
      const [a, b] = opened as [OpenedStore, OpenedStore];
      try {
        expect(a.schema).toMatch(/^t_[0-9a-f]{12}$/);
        expect(b.schema).not.toBe(a.schema);
        await a.store.database().run('CREATE TABLE kit_probe (n integer)');
        await a.store.database().run('INSERT INTO kit_probe (n) VALUES (1)');
        const again = await a.reopen();
        try {
          expect(await again.database().all('SELECT n FROM kit_probe')).toEqual([{ n: 1 }]);
        } finally {
          await again.close();
        }
        // The other store's schema has no such table: its reads never reach the first one's rows.
        await expect(b.store.database().all('SELECT n FROM kit_probe')).rejects.toThrow(/kit_probe/);
      } finally {
        for (const o of opened) await o.dispose();
      }
      expect(await schemaExists(PG_URL!, a.schema!)).toBe(false);
      expect(await schemaExists(PG_URL!, b.schema!)).toBe(false);
    });
  },
  'postgres',
);
