/**
 * MCP's get_report (read-only) over a store: the built `ym-chats mcp --store` offers it, and its figures are
 * those of `ym-chats report --json` for the same period and target (one `report()` behind both), for the
 * seeded emulator synced by the built `sync`. SQLite, and PostgreSQL when YM_TEST_POSTGRES_URL is set.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { describeEngines, type OpenedStore } from '@ym-chats/testkit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { BIN, requireBuilt, run, startEmulator, type TestEmulator } from './helpers.js';

describeEngines('mcp get_report', (engine) => {
  let emu: TestEmulator;
  let opened: OpenedStore;
  let storeFlags: string[];

  beforeAll(async () => {
    requireBuilt();
    emu = await startEmulator();
    opened = await engine.open();
    storeFlags = ['--store', opened.target, ...(opened.schema ? ['--schema', opened.schema] : [])];
    const r = await run(['sync', '--once', ...storeFlags, ...emu.flags], { env: emu.env() });
    expect(r.code, r.stderr).toBe(0);
  }, 180_000);

  afterAll(async () => {
    await opened?.dispose();
    await emu?.close();
  });

  it('MCP get_report gives the same figures as report --json', async () => {
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [BIN, 'mcp', '--read-only', ...storeFlags, ...emu.flags],
      env: emu.env() as Record<string, string>,
      stderr: 'pipe',
    });
    const client = new Client({ name: 'report-test', version: '1.0.0' });
    await client.connect(transport);
    try {
      const tools = await client.listTools();
      const tool = tools.tools.find((t) => t.name === 'get_report');
      expect(tool?.annotations?.readOnlyHint).toBe(true);
      const from = '2000-01-01T00:00:00.000Z';
      const to = '2100-01-01T00:00:00.000Z';
      const result = await client.callTool({
        name: 'get_report',
        arguments: { from, to, targetMinutes: 20 },
      });
      expect(result.isError).toBeFalsy();
      const cli = await run(
        ['report', '--json', ...storeFlags, '--from', from, '--to', to, '--target', '20'],
        {
          env: emu.env(),
        },
      );
      expect(result.structuredContent).toEqual(JSON.parse(cli.stdout));
      expect(
        (result.structuredContent as { perAgent: { agent: string }[] }).perAgent.map((a) => a.agent),
      ).toEqual(['outside']);
      expect((result.structuredContent as { answered: number }).answered).toBeGreaterThan(50);
      const bad = await client.callTool({ name: 'get_report', arguments: { from: 'last week' } });
      expect(bad.isError).toBe(true);
    } finally {
      await client.close();
    }
  }, 180_000);
});
