/**
 * `ym-chats business` through the built binary: credentials from a private file or stdin, sealed with
 * YM_CREDENTIALS_KEY, never printed back; clear errors for a missing key, a readable key file and the
 * worker flags used wrongly.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, requireBuilt, run } from './helpers.js';

const SECRET = 'business-cli-secret-4e7d20c9';
const TOKEN = 'business-cli-oauth-1b93c7e2';

describe('ym-chats business', () => {
  beforeAll(() => requireBuilt());

  it('adds from a private file and stdin, lists masked, removes; never prints a credential', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ym-business-'));
    const store = join(dir, 'store.sqlite');
    const env = cleanEnv({ YM_CREDENTIALS_KEY: randomBytes(32).toString('base64') });
    const keyFile = join(dir, 'key.txt');
    writeFileSync(keyFile, `${SECRET}\n`);
    chmodSync(keyFile, 0o600);
    const added = await run(
      ['business', 'add', '1001', '--name', 'Shop', '--api-key-file', keyFile, '--store', store],
      {
        env,
      },
    );
    expect(added.code, added.stderr).toBe(0);
    expect(added.stderr).toContain('Registered business 1001 (api-key ••••20c9)');
    const piped = await run(
      ['business', 'add', '1002', '--oauth-token-file', '-', '--store', store, '--json'],
      {
        env,
        input: `${TOKEN}\n`,
      },
    );
    expect(JSON.parse(piped.stdout)).toEqual({ businessId: '1002', added: true, replaced: false });
    const table = await run(['business', 'list', '--store', store], { env });
    expect(table.stdout).toMatch(/BUSINESS\s+NAME\s+ADDED\s+CREDENTIAL/);
    expect(table.stdout).toMatch(/1001\s+Shop\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\s+api-key ••••20c9/);
    const listed = await run(['business', 'list', '--store', store, '--json'], { env });
    expect(
      (JSON.parse(listed.stdout) as { businessId: string; credential: string }[]).map((e) => e.credential),
    ).toEqual(['api-key ••••20c9', 'oauth-token ••••c7e2']);
    const removed = await run(['business', 'remove', '1002', '--store', store], { env });
    expect(removed.code).toBe(0);
    const again = await run(['business', 'remove', '1002', '--store', store], { env });
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('business 1002 is not registered');
    for (const r of [added, piped, table, listed, removed, again]) {
      expect(r.stdout + r.stderr).not.toContain(SECRET);
      expect(r.stdout + r.stderr).not.toContain(TOKEN);
    }
  });

  it('says which variable holds the key and how to make one; refuses a key file others can read', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ym-business-'));
    const keyFile = join(dir, 'key.txt');
    writeFileSync(keyFile, `${SECRET}\n`);
    chmodSync(keyFile, 0o600);
    const store = join(dir, 'store.sqlite');
    const noKey = await run(['business', 'add', '1001', '--api-key-file', keyFile, '--store', store]);
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toContain('YM_CREDENTIALS_KEY is not set');
    expect(noKey.stderr).toContain('randomBytes(32)');
    const shortKey = await run(['business', 'add', '1001', '--api-key-file', keyFile, '--store', store], {
      env: cleanEnv({ YM_CREDENTIALS_KEY: 'c2hvcnQ=' }),
    });
    expect(shortKey.stderr).toContain('YM_CREDENTIALS_KEY must be 32 bytes in base64');
    chmodSync(keyFile, 0o644);
    const open = await run(['business', 'add', '1001', '--api-key-file', keyFile, '--store', store], {
      env: cleanEnv({ YM_CREDENTIALS_KEY: randomBytes(32).toString('base64') }),
    });
    expect(open.code).toBe(2);
    expect(open.stderr).toContain('chmod 600');
    const none = await run(['business', 'add', '1001', '--store', store], {
      env: cleanEnv({ YM_CREDENTIALS_KEY: randomBytes(32).toString('base64') }),
    });
    expect(none.stderr).toContain('--api-key-file FILE');
    for (const r of [noKey, shortKey, open, none]) expect(r.stdout + r.stderr).not.toContain(SECRET);
  });

  it('worker and receiver flags used wrongly are usage errors', async () => {
    const sync = await run(['sync', '--registered', '--store', join(tmpdir(), 'never.sqlite')]);
    expect(sync.code).toBe(2);
    expect(sync.stderr).toContain('--registered runs as a worker: use it with --watch');
    const allow = await run(['serve', '--allow-from', '10.0.0.0/40', '--api-key', 'k', '--business-id', '1']);
    expect(allow.code).toBe(2);
    expect(allow.stderr).toContain('--allow-from: "10.0.0.0/40" has a bad prefix length');
    expect(allow.stderr).toContain('0–32 for IPv4');
    const both = await run([
      'serve',
      '--trust-proxy',
      '--trusted-proxies',
      '127.0.0.1',
      '--api-key',
      'k',
      '--business-id',
      '1',
    ]);
    expect(both.stderr).toContain('--trust-proxy (any peer) or --trusted-proxies');
    const alone = await run([
      'sync',
      '--watch',
      '--redis',
      'redis://127.0.0.1:9',
      '--api-key',
      'k',
      '--business-id',
      '1',
    ]);
    expect(alone.code).toBe(2);
    expect(alone.stderr).toContain('--redis applies to workers: add --registered');
  });
});
