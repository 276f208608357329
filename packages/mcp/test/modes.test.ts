/** Read-only (no tool that drafts or sends) and dry run (every step of a send but the API call). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { draftIdOf, McpBench, READ_TOOLS, text } from './support/session.js';

let bench: McpBench;

beforeAll(async () => {
  bench = await McpBench.start();
});

afterAll(async () => {
  expect(await bench.close()).toEqual({ clientErrors: [], secretsShown: [] });
});

describe('modes', () => {
  it('read-only lists no tool that drafts or sends, even with a files directory', async () => {
    const session = await bench.open({ readOnly: true, filesDir: bench.work, unsafeModelConfirms: true });
    const { tools } = await session.client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(READ_TOOLS);
    const { chatId } = await bench.waitingChat();
    const before = await bench.totalMessages();
    for (const [name, args] of [
      ['send_reply', { draftId: 'x', confirm: true }],
      ['draft_reply', { chatId, text: 'Hello' }],
      ['send_file', { chatId, path: 'x.txt', confirm: true }],
    ] as const) {
      const refused = await session.call(name, args);
      expect(refused.isError, name).toBe(true);
    }
    expect(await bench.totalMessages()).toBe(before);
    expect(bench.auditText()).toBe('');
  });

  it('read-only tells the assistant so in its instructions and its prompt', async () => {
    const session = await bench.open({ readOnly: true });
    expect(session.client.getInstructions()).toMatch(/Read-only: nothing can be sent/);
    const writable = await bench.open({ unsafeModelConfirms: true });
    expect(writable.client.getInstructions()).toMatch(/draft_reply, then send_reply/);
  });

  it('dry run confirms and records but sends nothing', async () => {
    const session = await bench.open({ dryRun: true, unsafeModelConfirms: true });
    const { chatId } = await bench.waitingChat();
    const before = await bench.totalMessages();
    const draftId = draftIdOf(await session.call('draft_reply', { chatId, text: 'Dry run reply' }));
    const result = await session.call('send_reply', { draftId, confirm: true });
    expect(result.isError, text(result)).toBeFalsy();
    expect(result.structuredContent).toMatchObject({ outcome: 'dryRun', dryRun: true });
    expect(await bench.totalMessages()).toBe(before);
    const lines = bench.auditLines().filter((line) => line.sendId === draftId);
    expect(lines.map((line) => line.outcome ?? line.event)).toEqual(['attempt', 'dryRun']);
    expect(lines.every((line) => line.dryRun === true)).toBe(true);
  });
});
