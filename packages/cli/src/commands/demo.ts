import { existsSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { flag, numberFlag, str } from '../args.js';
import { runEmulator } from '../emulator-run.js';
import type { Command } from './command.js';
import { DEFAULT_PORT, EMULATOR_API_KEY, EMULATOR_BUSINESS_ID, EMULATOR_OAUTH_TOKEN } from './emulator.js';

export const DEMO_DB = '.ym-chats/demo.sqlite';
const DEMO_SEED = 1;

export const demoCommand: Command = {
  name: 'demo',
  summary: 'start the emulator with demo data and show what to try (no account needed)',
  usage: 'demo [--port 8080] [--db FILE] [--reset]',
  description:
    'The quickest way in: starts the emulator on 127.0.0.1 with seeded demo chats, kept in ' +
    `${DEMO_DB} under the current directory so your changes survive restarts, and prints the commands to ` +
    'try from another terminal, including a curl that plays the buyer so you can watch a message arrive. ' +
    'Runs until Ctrl+C.',
  options: {
    port: { type: 'string', arg: 'N', help: `port (default ${DEFAULT_PORT}; 0 picks a free one)` },
    db: { type: 'string', arg: 'FILE', help: `database file (default ${DEMO_DB})` },
    reset: { type: 'boolean', help: 'delete the database file first and start from fresh demo data' },
  },
  positionals: { min: 0, max: 0, names: '' },
  examples: [
    ['demo', 'emulator on http://127.0.0.1:8080 with demo data'],
    ['demo --port 9090 --reset', 'another port, fresh data'],
  ],
  usesApi: false,
  async run(ctx) {
    const { values, out, io } = ctx;
    const port = numberFlag(values, 'port', { min: 0, max: 65535 }) ?? DEFAULT_PORT;
    const db = resolve(io.cwd, str(values, 'db') ?? DEMO_DB);
    if (flag(values, 'reset')) {
      for (const suffix of ['', '-wal', '-shm']) if (existsSync(db + suffix)) rmSync(db + suffix);
    }
    return runEmulator(
      out,
      {
        port,
        host: '127.0.0.1',
        db,
        seed: DEMO_SEED,
        apiKey: EMULATOR_API_KEY,
        oauthToken: EMULATOR_OAUTH_TOKEN,
        businessId: EMULATOR_BUSINESS_ID,
        quotas: true,
      },
      (info) => {
        const chat = info.sampleChatId ?? '<chatId>';
        const self = io.self;
        const commands: [string, string][] = [
          ['chats --all', 'every chat'],
          ['chats --status WAITING_FOR_PARTNER', 'buyers waiting for your answer'],
          [`history ${chat}`, 'one conversation'],
          [`send ${chat} "Hello! How can I help?"`, 'answer the buyer'],
          ['watch --interval 5', 'follow new messages (Ctrl+C to stop)'],
        ];
        const width = Math.max(...commands.map(([cmd]) => cmd.length));
        return [
          out.c.bold('Try it: open another terminal in this directory and paste'),
          `  export YM_BASE_URL=${info.url} YM_API_KEY=${info.apiKey} YM_BUSINESS_ID=${info.businessId}`,
          ...commands.map(([cmd, what]) => `  ${self} ${cmd.padEnd(width)}  # ${what}`),
          '',
          out.c.bold('Play the buyer (watch prints it within a few seconds):'),
          `  curl -s -X POST -H 'Content-Type: application/json' -d '{"sender":"CUSTOMER","message":"Where is my parcel?"}' ${info.url}/_emulator/businesses/${info.businessId}/chats/${chat}/messages`,
          '',
          `State is kept in ${db} (demo --reset starts over). Press Ctrl+C to stop.`,
        ];
      },
    );
  },
};
