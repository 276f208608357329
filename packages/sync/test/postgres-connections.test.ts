/**
 * The PostgreSQL store's connections are replaced after their lifetime, so the plans each one prepared
 * (with the table sizes of its first minutes) are made again as the tables grow.
 */

import { describeEngines, PG_URL } from '@ym-chats/testkit';
import { expect, it } from 'vitest';
import { PostgresSql } from '../src/db/postgres.js';

// SQLite has one connection for the store's life: nothing to replace.
describeEngines(
  'connections',
  () => {
    it('replaces a connection once its lifetime is over', async () => {
      const sql = PostgresSql.open(PG_URL!, 'public', { connectionLifetimeSeconds: 1 });
      try {
        const pid = async () => (await sql.all<{ pid: number }>('SELECT pg_backend_pid() AS pid'))[0]!.pid;
        const first = await pid();
        expect(await pid()).toBe(first); // an idle connection is reused
        let later = first;
        // Bounded: the lifetime is 1 s; give the pool up to 10 s to retire the connection.
        for (let i = 0; i < 50 && later === first; i++) {
          await new Promise((r) => setTimeout(r, 200));
          later = await pid();
        }
        expect(later).not.toBe(first);
      } finally {
        await sql.close();
      }
    });
  },
  'postgres',
);
