/** `--help` texts, generated from the command definitions so they cannot drift from the parser. */
import pkg from '../package.json' with { type: 'json' };
import { GLOBAL_OPTIONS, type OptionSpecs } from './args.js';
import type { Command } from './commands/command.js';
import { EXIT_CODE_HELP } from './exit-codes.js';
import type { Colors } from './output/color.js';

/** The version has one home, package.json (changesets bumps it); the build inlines it. */
export const VERSION: string = pkg.version;

const API_FLAGS = [
  'api-key-file',
  'api-key',
  'oauth-token-file',
  'oauth-token',
  'business-id',
  'base-url',
  'seed-paths',
  'v1',
  'profile',
  'config',
  'timeout',
];
const OUTPUT_FLAGS = ['json', 'no-color', 'help'];

function optionLines(options: OptionSpecs, names: string[]): string[] {
  const rows = names.map((name) => {
    const spec = options[name]!;
    const left = `${spec.short ? `-${spec.short}, ` : ''}--${name}${spec.arg ? ` ${spec.arg}` : ''}`;
    return [left, spec.help] as const;
  });
  const width = Math.max(...rows.map(([l]) => l.length));
  return rows.map(([l, h]) => `  ${l.padEnd(width)}  ${h}`);
}

const ENVIRONMENT = `Environment:
  YM_API_KEY, YM_OAUTH_TOKEN   credential (flags win over the environment, the environment over the profile)
  YM_BUSINESS_ID, YM_BASE_URL  business id and API base URL
  YM_CHATS_CONFIG, YM_CHATS_PROFILE  config file and profile name
  NO_COLOR, FORCE_COLOR        switch colours off / on`;

export function mainHelp(commands: Command[], c: Colors, self: string): string {
  const width = Math.max(...commands.map((cmd) => cmd.name.length));
  return [
    `${c.bold('ym-chats')} ${VERSION}: Yandex Market chats from a terminal (and a local emulator to try it on).`,
    '',
    `Usage: ${self} <command> [options]`,
    '',
    c.bold('Commands:'),
    ...commands.map((cmd) => `  ${cmd.name.padEnd(width)}  ${cmd.summary}`),
    '',
    c.bold('Connection options (every API command):'),
    ...optionLines(GLOBAL_OPTIONS, API_FLAGS),
    '',
    c.bold('Output options (every command):'),
    ...optionLines(GLOBAL_OPTIONS, OUTPUT_FLAGS),
    '',
    ENVIRONMENT,
    '',
    'Config file: {"profiles":{"default":{"apiKey":"…","businessId":1001,"baseUrl":"…"}}}',
    '',
    EXIT_CODE_HELP,
    '',
    c.bold('Examples:'),
    `  ${self} demo                                  start a local emulator with demo data (no account needed)`,
    `  ${self} chats --status WAITING_FOR_PARTNER    chats waiting for your answer`,
    `  ${self} send 12345 "Hello!"                   answer a buyer`,
    '',
    `Run \`${self} <command> --help\` for a command's options and examples.`,
    '',
  ].join('\n');
}

export function commandHelp(cmd: Command, c: Colors, self: string): string {
  const own = Object.keys(cmd.options);
  const lines = [`Usage: ${self} ${cmd.usage}`, '', wrap(cmd.description, 100), ''];
  if (own.length > 0) lines.push(c.bold('Options:'), ...optionLines(cmd.options, own), '');
  if (cmd.usesApi) {
    lines.push(c.bold('Connection options:'), ...optionLines(GLOBAL_OPTIONS, API_FLAGS), '');
  }
  lines.push(c.bold('Output options:'), ...optionLines(GLOBAL_OPTIONS, OUTPUT_FLAGS), '');
  lines.push(c.bold('Examples:'));
  for (const [example, what] of cmd.examples) lines.push(`  ${self} ${example}`, `      ${what}`);
  lines.push('', EXIT_CODE_HELP, '');
  return lines.join('\n');
}

function wrap(text: string, width: number): string {
  const out: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line !== '' && line.length + word.length + 1 > width) {
      out.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  if (line !== '') out.push(line);
  return out.join('\n');
}
