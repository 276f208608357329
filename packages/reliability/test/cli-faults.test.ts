/**
 * The CLI's `--all` and `watch` paths under injected faults, and its output with a recognisable token.
 * Runs only when the built binary exists and answers `--help`; otherwise the cases are skipped with the
 * reason (the CLI is built by `npm run build`, which `npm test` runs first).
 */
import { execFile, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_KEY, BUSINESS, type EmulatorEnv, startEmulator } from '../src/emulator-env.js';
import { startHostileServer } from '../src/hostile-server.js';
import { countLeaks } from '../src/leak-scan.js';
import { ResultSink } from '../src/results.js';

const BIN = fileURLToPath(new URL('../../cli/dist/bin.js', import.meta.url));
const ready =
  existsSync(BIN) &&
  spawnSync(process.execPath, [BIN, '--help'], { encoding: 'utf8', timeout: 15_000 }).status === 0;
const describeCli = ready ? describe : describe.skip;
if (!ready)
  process.stderr.write(`cli-faults: skipped, ${BIN} is missing or does not run (build the CLI first)\n`);

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function cli(args: string[], env: Record<string, string> = {}, timeoutMs = 60_000): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { timeout: timeoutMs, env: { ...process.env, NO_COLOR: '1', ...env }, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error && typeof error.code === 'number' ? error.code : error ? null : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

const sink = new ResultSink('faults-cli');
afterAll(() => sink.save());
let env: EmulatorEnv;
// About one request in six fails. The CLI's SDK makes 4 attempts per page, so a page fails for good
// with odds near 1 in 1300; the fixed seeds keep the runs repeatable.
const FAULTS = [
  { status: 500 as const, probability: 0.04 },
  { status: 503 as const, probability: 0.04 },
  { drop: 'before' as const, probability: 0.04 },
  { drop: 'after' as const, probability: 0.03 },
  { delayMs: 1_500, probability: 0.03 },
];

describeCli('the CLI under injected faults', () => {
  beforeAll(async () => {
    env = await startEmulator({ seed: 13, quotas: { scale: 100 } });
  });
  afterAll(async () => {
    await env?.close();
  });
  const conn = () => [
    '--base-url',
    env.url,
    '--api-key',
    API_KEY,
    '--business-id',
    String(BUSINESS),
    '--timeout',
    '1000',
    '--json',
  ];

  async function underFaults(seed: number, run: () => Promise<Run>): Promise<Run> {
    const added = await env.admin.addFaults(FAULTS, seed);
    const ids = new Set(added.added.map((r) => r.id));
    try {
      return await run();
    } finally {
      const rules = (await env.admin.state()).faults;
      sink.add({ faultsInjected: rules.filter((r) => ids.has(r.id)).reduce((n, r) => n + r.fired, 0) });
      await env.admin.clearFaults();
    }
  }

  it('chats --all --json returns exactly the chats, none skipped or repeated', async () => {
    const run = await underFaults(31, () => cli(['chats', '--all', '--limit', '7', ...conn()]));
    sink.add({ errorsSurfaced: run.code === 0 ? 0 : 1 });
    expect(run.code, run.stderr).toBe(0);
    const ids = (JSON.parse(run.stdout) as { chatId: number }[]).map((c) => c.chatId);
    const truth: number[] = [];
    for await (const c of env.client({ rateLimit: false }).iterateChats(BUSINESS, {}, { limit: 20 }))
      truth.push(c.chatId);
    const missing = truth.filter((id) => !ids.includes(id)).length;
    const repeated = ids.length - new Set(ids).size;
    sink.add({ pagesSkipped: missing, pagesRepeated: repeated });
    expect({ missing, repeated }).toEqual({ missing: 0, repeated: 0 });
    expect(new Set(ids)).toEqual(new Set(truth));
  });

  it('history <id> --all --json returns exactly the messages', async () => {
    const chats = [];
    for await (const c of env.client({ rateLimit: false }).iterateChats(BUSINESS, {}, { limit: 20 }))
      chats.push(c.chatId);
    let checked = 0;
    for (const chatId of chats.slice(0, 4)) {
      const truth = (await env.history(chatId)).map((m) => m.messageId);
      const run = await underFaults(40 + checked, () =>
        cli(['history', String(chatId), '--all', '--limit', '9', ...conn()]),
      );
      sink.add({ errorsSurfaced: run.code === 0 ? 0 : 1 });
      expect(run.code, run.stderr).toBe(0);
      const ids = (JSON.parse(run.stdout) as { messageId: number }[]).map((m) => m.messageId);
      const missing = truth.filter((id) => !ids.includes(id)).length;
      const repeated = ids.length - new Set(ids).size;
      sink.add({ pagesSkipped: missing, pagesRepeated: repeated });
      expect({ chatId, missing, repeated }).toEqual({ chatId, missing: 0, repeated: 0 });
      checked++;
    }
  });

  it('watch --max-events prints every new message once', { timeout: 90_000 }, async () => {
    const order = await env.admin.createOrder(BUSINESS);
    const chatId = (await env.admin.createChat(BUSINESS, { context: { type: 'ORDER', id: order.orderId } }))
      .chat.chatId;
    const N = 8;
    const added = await env.admin.addFaults(FAULTS, 77);
    const ids = new Set(added.added.map((r) => r.id));
    const watching = cli(
      ['watch', '--interval', '0.3', '--max-events', String(N), '--duration', '60', ...conn()],
      {},
      80_000,
    );
    const posted: number[] = [];
    // Let the first poll set the starting point, then write while it polls under faults.
    await new Promise((r) => setTimeout(r, 1_500));
    for (let i = 0; i < N; i++) {
      posted.push(
        (await env.admin.postMessage(BUSINESS, chatId, { sender: 'CUSTOMER', message: `watch-${i}` }))
          .messageId,
      );
      await new Promise((r) => setTimeout(r, 150));
    }
    const run = await watching;
    const rules = (await env.admin.state()).faults;
    sink.add({ faultsInjected: rules.filter((r) => ids.has(r.id)).reduce((n, r) => n + r.fired, 0) });
    await env.admin.clearFaults();
    expect(run.code, run.stderr).toBe(0);
    const printed = run.stdout
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => (JSON.parse(l) as { messageId: number }).messageId);
    const missing = posted.filter((id) => !printed.includes(id)).length;
    const repeated = printed.length - new Set(printed).size;
    sink.add({ pagesSkipped: missing, pagesRepeated: repeated });
    expect({ missing, repeated }).toEqual({ missing: 0, repeated: 0 });
  });
});

describeCli('the CLI never prints the credential', () => {
  it('on errors from a server that echoes it', { timeout: 90_000 }, async () => {
    const token = `SECRET-TOKEN-do-not-leak-cli-${process.pid}`;
    const server = await startHostileServer();
    try {
      // The hostile server answers with the status named by a 3-digit business id and echoes the token.
      const runs: Run[] = [];
      const statuses = ['400', '401', '403', '404', '420', '500', '503'];
      for (const [i, status] of statuses.entries()) {
        const json = i % 2 === 0 ? ['--json'] : [];
        runs.push(
          await cli([
            'chats',
            '--base-url',
            server.url,
            '--api-key',
            token,
            '--business-id',
            status,
            ...json,
          ]),
        );
      }
      for (const status of ['401', '420', '500']) {
        runs.push(
          await cli(['send', '5', 'hello', '--base-url', server.url, '--business-id', status], {
            YM_API_KEY: token,
          }),
        );
      }
      runs.push(await cli(['chat', '0', '--base-url', server.url, '--api-key', token, '--business-id', '1']));
      runs.push(
        await cli([
          'chats',
          '--base-url',
          'http://127.0.0.1:1',
          '--oauth-token',
          token,
          '--business-id',
          '1',
        ]),
      );
      expect(runs.filter((r) => r.code === 0)).toEqual([]);
      const texts = runs.flatMap((r) => [r.stdout, r.stderr]);
      const leaks = countLeaks(texts, token);
      sink.add({ leakChecks: texts.length, leaks });
      expect(leaks).toBe(0);
    } finally {
      await server.close();
    }
  });
});
