/**
 * Buyer-controlled text must not drive the seller's terminal: escape sequences and control characters in
 * messages, customer names and file names are shown as visible stand-ins in human output (with or without
 * colour), while --json stays byte-exact. Through the built binary and the real emulator.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUSINESS, LongRun, requireBuilt, run, startEmulator, type TestEmulator } from './helpers.js';

const ESC = '\u001b';
/** Clear screen, window title, red text, an OSC 8 link, a bell, a C1 CSI, a lone CR and a bidi override. */
const HOSTILE =
  `${ESC}[2J${ESC}[H${ESC}]0;pwned${'\u0007'}${ESC}[31mred${ESC}[0m ` +
  `${ESC}]8;;https://evil.example${ESC}\\click${ESC}]8;;${ESC}\\ \u009b31m overwrite\rX \u202Eevil.exe`;
const NAME = `Ivan${ESC}]0;title${'\u0007'}${ESC}[8m`;
const FILE = `invoice\u202Etxt.exe`;

/** Anything a terminal would act on. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: these are what the test looks for
const ACTIVE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

let emu: TestEmulator;
let chatId: number;
let messageId: number;
beforeAll(async () => {
  requireBuilt();
  emu = await startEmulator({ seed: undefined });
  const { chat } = await emu.admin.createChat(BUSINESS, {
    context: { type: 'DIRECT' },
    customer: { name: NAME, publicId: `p${ESC}[2J` },
  });
  chatId = chat.chatId;
  ({ messageId } = await emu.admin.postMessage(BUSINESS, chatId, {
    sender: 'CUSTOMER',
    message: HOSTILE,
    payload: [{ name: FILE, text: 'x' }],
  }));
});
afterAll(() => emu?.close());

describe.each([
  ['NO_COLOR=1', { NO_COLOR: '1' }],
  ['FORCE_COLOR=1', { FORCE_COLOR: '1' }],
])('human output with %s', (_name, colorEnv) => {
  it.each([
    ['history', () => ['history', String(chatId)]],
    ['chat', () => ['chat', String(chatId)]],
    ['chats', () => ['chats']],
    ['message', () => ['message', String(chatId), String(messageId)]],
  ])('%s shows the text, not its effects', async (name, args) => {
    const env: NodeJS.ProcessEnv = { ...emu.env(), ...colorEnv };
    if ('NO_COLOR' in colorEnv) delete env.FORCE_COLOR;
    const result = await run([...args(), ...emu.flags], { env });
    expect(result.code).toBe(0);
    // Our own colours are the only escapes allowed, and only when colour is on.
    const withoutOurColours = result.stdout.replace(
      // biome-ignore lint/suspicious/noControlCharactersInRegex: the SGR codes ym-chats itself emits
      /\u001b\[(?:1|2|22|31|32|33|35|36|39)m/g,
      '',
    );
    expect(withoutOurColours).not.toMatch(ACTIVE);
    if ('NO_COLOR' in colorEnv) expect(result.stdout).not.toContain(ESC);
    if (name === 'chat' || name === 'chats') expect(result.stdout).toContain('Ivan␛]0;title␇␛[8m');
    else {
      expect(result.stdout).toContain('␛[2J␛[H␛]0;pwned␇');
      expect(result.stdout).toContain('<U+202E>');
    }
  });
});

it('watch prints the hostile message made safe', async () => {
  const watch = new LongRun(['watch', '--interval', '0.2', '--max-events', '1', ...emu.flags], {
    env: emu.env(),
  });
  await watch.waitFor('stderr', /Watching \d+ chats/);
  await emu.admin.postMessage(BUSINESS, chatId, { sender: 'CUSTOMER', message: HOSTILE });
  const { code } = await watch.exited;
  expect(code).toBe(0);
  expect(watch.stdout).toContain('␛[2J');
  expect(watch.stdout).not.toMatch(ACTIVE);
});

it('--json keeps the text byte-exact', async () => {
  const result = await run(['history', String(chatId), '--json', ...emu.flags], { env: emu.env() });
  const messages = JSON.parse(result.stdout) as { message?: string; payload?: { name: string }[] }[];
  expect(messages[0]!.message).toBe(HOSTILE);
  expect(messages[0]!.payload![0]!.name).toBe(FILE);
  const chat = JSON.parse(
    (await run(['chat', String(chatId), '--json', ...emu.flags], { env: emu.env() })).stdout,
  );
  expect(chat.context.customer.name).toBe(NAME);
});
