/** The shape every command shares: its help text, its flags and what it runs. */
import type { ChatsApi, Id } from '@ym-chats/sdk';
import type { OptionSpecs, Values } from '../args.js';
import type { Connection } from '../config.js';
import type { Io } from '../io.js';
import type { Output } from '../output/output.js';

export interface ApiSession {
  api: ChatsApi;
  businessId: Id;
  connection: Connection;
}

export interface CommandContext {
  name: string;
  values: Values;
  positionals: string[];
  io: Io;
  out: Output;
  /** Resolves flags, environment and config into a client; throws a usage or credential error. */
  connect(): ApiSession;
}

export interface Command {
  name: string;
  /** One line for the command list. */
  summary: string;
  /** e.g. `history <chatId> [--all] [--from MESSAGE_ID]` (without the program name). */
  usage: string;
  /** A few sentences for `--help`. */
  description: string;
  options: OptionSpecs;
  positionals: { min: number; max: number; names: string };
  /** [command line without the program name, what it does]. */
  examples: [string, string][];
  /** Whether the API flags (--api-key, --business-id, …) apply. */
  usesApi: boolean;
  run(ctx: CommandContext): Promise<number | undefined>;
}
