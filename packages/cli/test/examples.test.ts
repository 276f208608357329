/**
 * The scripts in examples/ as the README documents them, run the way a user would (tsx, against the
 * emulator): they work with the file that ships beside them, and fail with one line, not a stack trace.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_KEY, BUSINESS, firstChatId, startEmulator, type TestEmulator } from './helpers.js';

const exec = promisify(execFile);
const root = fileURLToPath(new URL('../../../', import.meta.url));

let emu: TestEmulator;
beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(() => emu?.close());

async function example(
  file: string,
  args: string[] = [],
  baseUrl = emu.url,
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await exec(
      process.execPath,
      ['--import', 'tsx', `examples/${file}`, ...args],
      {
        cwd: root,
        env: { ...process.env, YM_BASE_URL: baseUrl, YM_API_KEY: API_KEY, YM_BUSINESS_ID: String(BUSINESS) },
      },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('examples/send-file.ts', () => {
  it('sends the sample invoice that ships with it when no path is given', async () => {
    const chatId = await firstChatId(emu);
    const result = await example('send-file.ts', [String(chatId)]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/invoice\.pdf \(\d+ B\)/);
  });

  it('an unknown order, a missing file or no arguments: one line and a non-zero exit', async () => {
    const chatId = await firstChatId(emu);
    for (const [args, pattern] of [
      [[String(chatId), 'examples/invoice.pdf', '99999999'], /^error: .*(404|not found)/i],
      [[String(chatId), 'no-such-file.pdf'], /^error: .*ENOENT/],
      [[], /^usage: /],
    ] as const) {
      const result = await example('send-file.ts', [...args]);
      expect(result.code).not.toBe(0);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toMatch(pattern);
    }
  });
});

it('examples/quick-start.ts fails with one line when the API cannot be reached', async () => {
  const closed = await startEmulator();
  await closed.close();
  const { stderr, code } = await example('quick-start.ts', [], closed.url);
  expect(code).toBe(1);
  expect(stderr.trim().split('\n')).toEqual([expect.stringMatching(/^error: getChats: connection failed/)]);
});
