/**
 * The one migration runner every component's tables go through (the store's, the inbox's, the workers'),
 * on both engines: a fresh database, an upgrade, a newer database refused before anything runs, a failing
 * statement rolling back its own migration only, and two processes opening one database at once.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type Migration, MigrationError, type MigrationSet, runMigrations, type Sql } from '@ym-chats/sync';
import { describeEngines, type OpenedStore } from '@ym-chats/testkit';
import { afterEach, beforeEach, expect, it } from 'vitest';

const TABLE = 'demo_schema_migrations';

const M: Migration[] = [
  {
    version: 1,
    name: 'notes',
    statements: ({ big, ts }) => [`CREATE TABLE demo_notes (id ${big} PRIMARY KEY, at ${ts} NOT NULL)`],
  },
  { version: 2, name: 'tags', statements: () => ['CREATE TABLE demo_tags (name TEXT PRIMARY KEY)'] },
  {
    version: 3,
    name: 'a column',
    statements: () => [
      'ALTER TABLE demo_notes ADD COLUMN body TEXT',
      'CREATE INDEX demo_by_body ON demo_notes (body)',
    ],
  },
];

const set = (migrations: Migration[]): MigrationSet => ({ owner: 'demo', table: TABLE, migrations });

async function versions(sql: Sql): Promise<number[]> {
  return (await sql.all(`SELECT version FROM ${TABLE} ORDER BY version`)).map((r) => Number(r.version));
}

async function tableExists(sql: Sql, name: string): Promise<boolean> {
  const rows =
    sql.dialect === 'sqlite'
      ? await sql.all("SELECT name FROM sqlite_master WHERE type = 'table' AND name = ?", [name])
      : await sql.all(
          'SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = ?',
          [name],
        );
  return rows.length > 0;
}

describeEngines('migration runner', (engine) => {
  let opened: OpenedStore;
  beforeEach(async () => {
    opened = await engine.open();
  });
  afterEach(async () => {
    await opened.dispose();
  });

  it('applies every migration to a fresh database once, with the engine’s type names', async () => {
    const sql = opened.store.database();
    expect(await runMigrations(sql, set(M))).toEqual([1, 2, 3]);
    expect(await versions(sql)).toEqual([1, 2, 3]);
    expect(await runMigrations(sql, set(M))).toEqual([]);
    await sql.run('INSERT INTO demo_notes (id, at, body) VALUES (?, ?, ?)', [
      2n ** 62n,
      '2026-11-25T10:00:00.000Z',
      'x',
    ]);
    const [row] = await sql.all('SELECT id, at FROM demo_notes');
    expect(row?.id).toBe(2n ** 62n);
    expect(row?.at).toBe('2026-11-25T10:00:00.000Z');
  });

  it('upgrades a database from an older version with only the new migrations', async () => {
    const sql = opened.store.database();
    expect(await runMigrations(sql, set(M.slice(0, 1)))).toEqual([1]);
    expect(await runMigrations(sql, set(M))).toEqual([2, 3]);
    expect(await versions(sql)).toEqual([1, 2, 3]);
  });

  it('refuses a database newer than the code before applying anything', async () => {
    const sql = opened.store.database();
    await runMigrations(sql, set(M.slice(0, 1)));
    // A newer package applied a version 7 this code does not know.
    await sql.run(`INSERT INTO ${TABLE} (version, name, applied_at) VALUES (7, 'from the future', ?)`, [
      new Date().toISOString(),
    ]);
    const refused = runMigrations(sql, set(M));
    await expect(refused).rejects.toThrow(MigrationError);
    await expect(refused).rejects.toThrow(/version 7, newer than this demo knows \(3\)/);
    expect(await versions(sql)).toEqual([1, 7]);
    expect(await tableExists(sql, 'demo_tags')).toBe(false);
  });

  it('rolls back a failing migration only: those before it stay, those after it wait', async () => {
    const sql = opened.store.database();
    const broken: Migration = {
      version: 2,
      name: 'tags, then a mistake',
      statements: () => [
        'CREATE TABLE demo_tags (name TEXT PRIMARY KEY)',
        'CREATE TABLE demo_notes (x TEXT)',
      ],
    };
    const failed = runMigrations(sql, set([M[0]!, broken, M[2]!]));
    await expect(failed).rejects.toThrow(MigrationError);
    await expect(failed).rejects.toThrow(/demo: migration 2 \(tags, then a mistake\) failed/);
    expect(await versions(sql)).toEqual([1]);
    expect(await tableExists(sql, 'demo_notes')).toBe(true);
    expect(await tableExists(sql, 'demo_tags')).toBe(false);
    // Fixed in a later release: the run resumes at the migration that failed.
    expect(await runMigrations(sql, set(M))).toEqual([2, 3]);
  });

  it('upgrades a version table made without names (as the workers’ was)', async () => {
    const sql = opened.store.database();
    const ts = sql.dialect === 'sqlite' ? 'TEXT' : 'TIMESTAMPTZ';
    await sql.run(`CREATE TABLE ${TABLE} (version INTEGER PRIMARY KEY, applied_at ${ts} NOT NULL)`);
    await sql.run('CREATE TABLE demo_notes (id BIGINT PRIMARY KEY, at TEXT NOT NULL)');
    await sql.run(`INSERT INTO ${TABLE} (version, applied_at) VALUES (1, ?)`, [new Date().toISOString()]);
    expect(await runMigrations(sql, set(M))).toEqual([2, 3]);
    const names = await sql.all(`SELECT version, name FROM ${TABLE} ORDER BY version`);
    expect(names.map((r) => r.name)).toEqual([null, 'tags', 'a column']);
  });

  it('two processes opening one fresh database at once apply each migration once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ym-migrate-'));
    try {
      const child = join(dir, 'child.mjs');
      writeFileSync(child, CHILD);
      const startAt = Date.now() + 2500;
      const args = [opened.target, opened.schema ?? '', String(startAt)];
      const results = await Promise.all([runChild(child, args), runChild(child, args)]);
      const applied = results.map((r) => JSON.parse(r) as number[]);
      // Between them every migration once, whoever got there first.
      expect(applied.flat().sort()).toEqual([1, 2]);
      expect(await versions(opened.store.database())).toEqual([1, 2]);
      expect(Number((await opened.store.database().all('SELECT COUNT(*) AS n FROM demo_runs'))[0]?.n)).toBe(
        1,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);
});

const SRC = (path: string) => pathToFileURL(fileURLToPath(new URL(`../src/${path}`, import.meta.url))).href;

/**
 * A second process's opener, from the sources (run through tsx): it waits for the agreed instant so both
 * start together, then applies a set whose first migration is slow (so the other's first look falls
 * inside it) and whose second one counts its runs.
 */
const CHILD = `
const { openStore } = await import(${JSON.stringify(SRC('store/store.ts'))});
const { runMigrations } = await import(${JSON.stringify(SRC('schema/runner.ts'))});
const [target, schema, startAt] = process.argv.slice(2);
const store = await openStore(target, schema === '' ? {} : { schema });
const slow = store.dialect === 'postgres'
  ? 'SELECT pg_sleep(0.4)'
  : 'CREATE TABLE demo_slow AS WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 400000) SELECT COUNT(*) AS n FROM c';
const set = {
  owner: 'demo',
  table: ${JSON.stringify(TABLE)},
  migrations: [
    { version: 1, name: 'slow', statements: () => ['CREATE TABLE demo_runs (n INTEGER)', slow] },
    { version: 2, name: 'counted', statements: () => ['INSERT INTO demo_runs (n) VALUES (1)'] },
  ],
};
await new Promise((resolve) => setTimeout(resolve, Math.max(0, Number(startAt) - Date.now())));
const applied = await runMigrations(store.database(), set);
await store.close();
process.stdout.write(JSON.stringify(applied));
`;

function runChild(file: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', file, ...args], {
      cwd: fileURLToPath(new URL('../../..', import.meta.url)),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      err += d;
    });
    child.on('exit', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`child exited ${code}: ${err}`)),
    );
  });
}
