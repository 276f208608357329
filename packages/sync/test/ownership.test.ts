/**
 * Only this package queries the store's tables: every other package reads them through `SyncStore` and
 * `store.reads`, and keeps its own tables beside them (`store.database()`). The tables are the ones the
 * store's migrations create, so a new one is covered the day it is added. Scanned: every other package's
 * sources and the benches, comments left out, for SQL naming one of them (FROM, JOIN, INTO, UPDATE,
 * TABLE, ON …). The exceptions are listed with their reason, and each must still be needed.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Dialect } from '../src/db/sql.js';
import { DIALECT_TYPES } from '../src/schema/dialect.js';
import { STORE_MIGRATIONS } from '../src/schema/migrations.js';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

/** Every table (plain or virtual) the store's migrations create on either engine, and its version table. */
function storeTables(): string[] {
  const names = new Set([STORE_MIGRATIONS.table]);
  for (const migration of STORE_MIGRATIONS.migrations) {
    for (const dialect of ['sqlite', 'postgres'] as Dialect[]) {
      for (const statement of migration.statements(DIALECT_TYPES[dialect], dialect)) {
        for (const m of statement.matchAll(
          /CREATE\s+(?:VIRTUAL\s+)?TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?(\w+)/gi,
        )) {
          names.add(m[1]!.toLowerCase());
        }
      }
    }
  }
  return [...names].sort();
}

/** Comments out (a `//` only at a line's start, so URLs in strings stay), the rest as written. */
function code(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
}

/** The store's tables `text` names in SQL, each once. */
function tablesNamed(text: string, tables: string[]): string[] {
  const pattern = new RegExp(
    `\\b(?:FROM|JOIN|INTO|UPDATE|TABLE|ON|TRUNCATE)\\s+(?:ONLY\\s+)?(${tables.join('|')})\\b(?![.\\w-])`,
    'gi',
  );
  return [...new Set([...code(text).matchAll(pattern)].map((m) => m[1]!.toLowerCase()))].sort();
}

/** Packages with a database of their own, not the store's, and why. */
const OWN_DATABASE: Record<string, string> = {
  emulator: "the platform's stand-in keeps its chats and messages in its own SQLite file",
};

function sourcesOutsideSync(): string[] {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== 'node_modules' && entry.name !== 'dist') walk(path);
      } else if (/\.(ts|tsx|mts|js|mjs)$/.test(entry.name) && !entry.name.endsWith('.d.ts')) {
        files.push(path);
      }
    }
  };
  for (const pkg of readdirSync(join(ROOT, 'packages'))) {
    if (pkg === 'sync' || pkg in OWN_DATABASE) continue;
    for (const part of ['src', 'bin', 'scripts']) {
      try {
        walk(join(ROOT, 'packages', pkg, part));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
    }
  }
  walk(join(ROOT, 'bench'));
  return files.map((f) => relative(ROOT, f)).sort();
}

/** File → the store's tables it may name, and why. */
const EXCEPTIONS: Record<string, { tables: string[]; why: string }> = {
  'packages/inbox/src/store/migrations.ts': {
    tables: ['chats', 'events'],
    why: 'released migration 2 put triggers on them; released migrations are never edited (12 drops them)',
  },
  'packages/testkit/src/emulator.ts': {
    tables: ['chats', 'messages'],
    why: "reads the emulator's own database (the outside reference tests compare the store with), whose tables share the store's names",
  },
  'bench/inbox-queue-search.bench.ts': {
    tables: ['chats', 'events', 'messages'],
    why: 'fills a store of 100 000 chats with set-based SQL; the engine would take hours',
  },
  'bench/report.bench.ts': {
    tables: ['chats', 'messages', 'waits'],
    why: "fills 2 000 000 messages with set-based SQL, then re-runs the store's own waits back-fill",
  },
  'bench/inbox-triggers.bench.ts': {
    tables: ['chats', 'events'],
    why: "measures what the store's triggers cost: drops them for the baseline, updates every chat",
  },
};

describe('only @ym-chats/sync queries its tables', () => {
  const tables = storeTables();

  it("knows the store's tables from its migrations", () => {
    expect(tables).toEqual(
      expect.arrayContaining(['chats', 'messages', 'events', 'chat_state', 'search_words']),
    );
    expect(tables).toContain('schema_migrations');
  });

  it('finds SQL naming a store table, and only that', () => {
    // Planted: what the rule forbids, in the forms other packages wrote it.
    expect(tablesNamed('await sql.all(`SELECT c.chat_id FROM chats c WHERE c.status = ?`)', tables)).toEqual([
      'chats',
    ]);
    expect(tablesNamed("sql.run('insert into chat_state (business_id) values (?)')", tables)).toEqual([
      'chat_state',
    ]);
    expect(
      tablesNamed(
        '`SELECT m.text FROM inbox_search s JOIN messages m ON m.message_id = s.message_id`',
        tables,
      ),
    ).toEqual(['messages']);
    expect(tablesNamed('CREATE TRIGGER t AFTER UPDATE OF status ON chats FOR EACH ROW', tables)).toEqual([
      'chats',
    ]);
    // Allowed: a component's own tables, prose in comments, words that only look like table names.
    expect(tablesNamed("sql.all('SELECT login FROM inbox_sessions WHERE id_hash = ?')", tables)).toEqual([]);
    expect(tablesNamed('/** Reads from messages the store keeps. */\n// JOIN chats later', tables)).toEqual(
      [],
    );
    expect(tablesNamed("import { x } from './messages.js'; const on = events.length;", tables)).toEqual([]);
  });

  it("finds none in other packages' sources and the benches, but the listed exceptions", () => {
    const found: Record<string, string[]> = {};
    for (const file of sourcesOutsideSync()) {
      const named = tablesNamed(readFileSync(join(ROOT, file), 'utf8'), tables);
      if (named.length > 0) found[file] = named;
    }
    const unexpected = Object.entries(found)
      .map(([file, named]) => [file, named.filter((t) => !EXCEPTIONS[file]?.tables.includes(t))] as const)
      .filter(([, named]) => named.length > 0);
    expect(
      unexpected.map(
        ([file, named]) => `${file} queries the store's ${named.join(', ')}: use SyncStore or store.reads`,
      ),
    ).toEqual([]);
    // An exception no longer needed goes from the list.
    for (const [file, { tables: allowed }] of Object.entries(EXCEPTIONS)) {
      expect(found[file] ?? [], `${file}: exception no longer needed`).toEqual(
        expect.arrayContaining(allowed),
      );
    }
  });
});
