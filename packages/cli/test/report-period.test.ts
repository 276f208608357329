/**
 * One period parser (@ym-chats/sync's `reportPeriod`) behind `ym-chats report --from/--to`, the inbox's
 * report route and MCP's get_report, each as users reach it: the built binary, `serve`'s inbox over HTTP
 * for the loopback user, and `ym-chats mcp --store` over stdio. The same bad input gets the same words
 * from all three, the CLI spelling the parameters as its flags; only the route, a server guarding its
 * cost, caps the period's length.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BIN,
  BUSINESS,
  InboxPage,
  LongRun,
  requireBuilt,
  run,
  startEmulator,
  type TestEmulator,
} from './helpers.js';

/** A message of the route's, as the CLI words it: each parameter spelled as its flag. */
const asFlags = (message: string) => message.replace(/(^|\s)(from|to)\b/g, '$1--$2');

describe('report periods: the CLI, the inbox route and MCP', () => {
  let emu: TestEmulator;
  let serve: LongRun;
  let page: InboxPage;
  let env: NodeJS.ProcessEnv;
  let dir: string;
  let mcp: Client;

  beforeAll(async () => {
    requireBuilt();
    emu = await startEmulator();
    dir = mkdtempSync(join(tmpdir(), 'ym-report-period-'));
    env = emu.env({ YM_STORE: join(dir, 'store.sqlite') });
    serve = new LongRun(['serve', '--port', '0', '--json', '--reconcile', '0', ...emu.flags], {
      env,
      cwd: dir,
    });
    const inbox = (await serve.waitFor('stdout', /"inbox":"([^"]+)"/, 30_000))[1]!;
    page = new InboxPage(inbox.replace(/\/$/, ''));
    await page.start();
    mcp = new Client({ name: 'report-period-test', version: '1.0.0' });
    await mcp.connect(
      new StdioClientTransport({
        command: process.execPath,
        args: [BIN, 'mcp', '--read-only', '--store', join(dir, 'store.sqlite'), ...emu.flags],
        env: env as Record<string, string>,
        stderr: 'pipe',
      }),
    );
  }, 60_000);

  afterAll(async () => {
    await mcp?.close();
    serve?.kill('SIGINT');
    await serve?.exited;
    await emu?.close();
  });

  /** The route's refusal of `query`: a 400 BAD_PERIOD, and its message. */
  async function routeRefusal(query: string): Promise<string> {
    const r = await page.call<{ error: { code: string; message: string } }>(
      'GET',
      `/api/businesses/${BUSINESS}/report?${query}`,
    );
    expect(r.status, JSON.stringify(r.body)).toBe(400);
    expect(r.body.error.code).toBe('BAD_PERIOD');
    return r.body.error.message;
  }

  /** get_report's refusal: an error result, its text the tool's name and the parser's message. */
  async function mcpRefusal(from: string, to: string): Promise<string> {
    const result = await mcp.callTool({ name: 'get_report', arguments: { from, to } });
    expect(result.isError).toBe(true);
    return (result.content as { type: string; text: string }[])[0]!.text;
  }

  async function cli(from: string, to: string) {
    return run(['report', '--json', '--from', from, '--to', to], { env, cwd: dir });
  }

  it.each([
    [
      'a day not on the calendar',
      '2026-02-30',
      '2026-03-02',
      'from "2026-02-30" is not a date (YYYY-MM-DD, e.g. 2026-12-01) or an ISO 8601 date-time (e.g. 2026-12-01T09:00:00+03:00)',
    ],
    [
      'from after to',
      '2026-12-02',
      '2026-12-01',
      'from (2026-12-02T00:00:00.000Z) must be before to (2026-12-01T00:00:00.000Z); to is not included',
    ],
    [
      'a date-time that is not one',
      '2026-12-01',
      '2026-12-01T25:99',
      'to "2026-12-01T25:99" is not a date (YYYY-MM-DD, e.g. 2026-12-01) or an ISO 8601 date-time (e.g. 2026-12-01T09:00:00+03:00)',
    ],
  ])('refuses %s in the same words', async (_, from, to, message) => {
    expect(await routeRefusal(`from=${from}&to=${encodeURIComponent(to)}`)).toBe(message);
    const r = await cli(from, to);
    expect(r.code, r.stderr).toBe(2);
    // With --json the CLI's error is one JSON line: its message, and a hint that names the fix.
    const { error } = JSON.parse(r.stderr.trim().split('\n').at(-1)!) as {
      error: { type: string; message: string; hint: string };
    };
    expect(error.type).toBe('UsageError');
    expect(error.message).toBe(asFlags(message));
    expect(error.message).not.toBe(message);
    expect(error.hint).toContain('--from 2026-11-01');
    expect(await mcpRefusal(from, to)).toBe(`get_report: ${message}`);
  });

  it('caps the period in the route only: a server guards its cost; the terminal and MCP may read all time', async () => {
    expect(await routeRefusal('from=2025-01-01&to=2026-06-01')).toBe(
      'the period is longer than 366 days: ask for a shorter one',
    );
    expect(await routeRefusal('days=367')).toBe('days "367" is not a whole number from 1 to 366');
    const r = await cli('2025-01-01', '2026-06-01');
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      from: '2025-01-01T00:00:00.000Z',
      to: '2026-06-01T00:00:00.000Z',
    });
    const viaMcp = await mcp.callTool({
      name: 'get_report',
      arguments: { from: '2025-01-01', to: '2026-06-01' },
    });
    expect(viaMcp.isError, JSON.stringify(viaMcp.content)).toBeFalsy();
    expect(viaMcp.structuredContent).toEqual(JSON.parse(r.stdout));
  });
});
