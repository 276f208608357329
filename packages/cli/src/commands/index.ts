/** Every command, in the order `ym-chats --help` lists them. */
import { agentsCommand } from './agents.js';
import { businessCommand } from './business.js';
import { chatCommand } from './chat.js';
import { chatsCommand } from './chats.js';
import type { Command } from './command.js';
import { createCommand } from './create.js';
import { demoCommand } from './demo.js';
import { emulatorCommand } from './emulator.js';
import { historyCommand } from './history.js';
import { mcpCommand } from './mcp.js';
import { messageCommand } from './message.js';
import { reportCommand } from './report.js';
import { sendCommand } from './send.js';
import { sendFileCommand } from './send-file.js';
import { serveCommand } from './serve.js';
import { syncCommand } from './sync.js';
import { watchCommand } from './watch.js';

export const COMMANDS: Command[] = [
  chatsCommand,
  chatCommand,
  historyCommand,
  messageCommand,
  sendCommand,
  sendFileCommand,
  createCommand,
  watchCommand,
  mcpCommand,
  syncCommand,
  serveCommand,
  reportCommand,
  businessCommand,
  agentsCommand,
  emulatorCommand,
  demoCommand,
];
