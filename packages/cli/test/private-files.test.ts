/**
 * Files the CLI writes that hold buyer data or credentials are private whatever the umask: the built
 * binary run under `umask 022` (which leaves new files 0644) against the real emulator.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, requireBuilt, startEmulator, type TestEmulator } from './helpers.js';

const mode = (path: string) => (statSync(path).mode & 0o777).toString(8);

/** The binary under `umask 022`, in `cwd`; resolves once it exits. */
class UnderUmask {
  stdout = '';
  stderr = '';
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
  constructor(args: string[], env: NodeJS.ProcessEnv, cwd: string) {
    this.child = spawn('sh', ['-c', 'umask 022; exec "$0" "$@"', process.execPath, BIN, ...args], {
      env,
      cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout!.on('data', (d: Buffer) => {
      this.stdout += d.toString();
    });
    this.child.stderr!.on('data', (d: Buffer) => {
      this.stderr += d.toString();
    });
    this.exited = new Promise((resolve) => this.child.on('close', (code) => resolve(code)));
  }
  async waitFor(pattern: RegExp, stream: 'stdout' | 'stderr' = 'stdout'): Promise<void> {
    for (let i = 0; i < 600; i++) {
      if (pattern.test(this[stream])) return;
      if (this.child.exitCode !== null) break;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`no ${pattern}:\nstdout: ${this.stdout}\nstderr: ${this.stderr}`);
  }
}

const warnings = (stderr: string) => stderr.split('\n').filter((l) => l.startsWith('warning:'));

describe('private files under umask 022', () => {
  let emu: TestEmulator;
  beforeAll(async () => {
    requireBuilt();
    emu = await startEmulator();
  });
  afterAll(async () => {
    await emu.close();
  });

  it('sync: a new .ym-chats/ is 0700 and its store 0600 with the WAL and SHM; an existing 0644 store is named once', {
    timeout: 60_000,
  }, async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'ym-private-sync-'));
    const dir = join(cwd, '.ym-chats');
    const store = join(dir, 'store.sqlite');
    const watch = new UnderUmask(
      ['sync', '--watch', '--interval', '60', '--json', ...emu.flags],
      emu.env(),
      cwd,
    );
    try {
      await watch.waitFor(/"event":"pass"/);
      expect(existsSync(`${store}-wal`)).toBe(true);
      expect([dir, store, `${store}-wal`, `${store}-shm`].map(mode)).toEqual(['700', '600', '600', '600']);
    } finally {
      watch.child.kill('SIGINT');
    }
    expect(await watch.exited).toBe(0);
    expect(warnings(watch.stderr)).toEqual([]);

    chmodSync(store, 0o644);
    const once = new UnderUmask(['sync', '--once', ...emu.flags], emu.env(), cwd);
    expect(await once.exited).toBe(0);
    const said = warnings(once.stderr);
    expect(said).toHaveLength(1);
    expect(said[0]).toContain(`chmod 600 ${store}`);
  });

  it('watch --state: the state file and its log are 0600, a log left wider too', {
    timeout: 60_000,
  }, async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'ym-private-watch-'));
    const state = join(cwd, 'watch-state.json');
    writeFileSync(`${state}.log`, '');
    chmodSync(`${state}.log`, 0o644);
    const watch = new UnderUmask(
      ['watch', '--interval', '0.2', '--state', state, '--duration', '1.5', '--json', ...emu.flags],
      emu.env(),
      cwd,
    );
    expect(await watch.exited).toBe(0);
    expect([state, `${state}.log`].map(mode)).toEqual(['600', '600']);
  });

  it("emulator --db: the emulator's database (chats and the credentials it accepts) is 0600 in a 0700 directory", {
    timeout: 60_000,
  }, async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'ym-private-emulator-'));
    const dir = join(cwd, 'state');
    const db = join(dir, 'emulator.sqlite');
    const run = new UnderUmask(['emulator', '--port', '0', '--db', db], emu.env(), cwd);
    try {
      await run.waitFor(/http:\/\/127\.0\.0\.1:\d+/);
      expect([dir, db, `${db}-wal`, `${db}-shm`].map(mode)).toEqual(['700', '600', '600', '600']);
    } finally {
      run.child.kill('SIGINT');
    }
    expect(await run.exited).toBe(0);
  });
});
