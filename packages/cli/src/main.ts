/** Finds the command, parses its flags, runs it, and turns whatever it throws into an exit code. */
import { closest, flag, GLOBAL_OPTIONS, parseCommandArgs } from './args.js';
import { createApi } from './client.js';
import type { ApiSession, Command, CommandContext } from './commands/command.js';
import { COMMANDS } from './commands/index.js';
import { resolveConnection } from './config.js';
import { describeError, UsageError } from './errors.js';
import { EXIT } from './exit-codes.js';
import { commandHelp, mainHelp, VERSION } from './help.js';
import type { Io } from './io.js';
import { Output } from './output/output.js';

/** Global flags that take a value, so `ym-chats --profile work chats` finds "chats" as the command. */
const VALUE_FLAGS = new Set(
  Object.entries(GLOBAL_OPTIONS)
    .filter(([, spec]) => spec.type === 'string')
    .map(([name]) => `--${name}`),
);

function splitCommand(argv: string[]): { name: string | undefined; rest: string[] } {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') break;
    if (!arg.startsWith('-')) return { name: arg, rest: [...argv.slice(0, i), ...argv.slice(i + 1)] };
    if (VALUE_FLAGS.has(arg)) i++;
  }
  return { name: undefined, rest: argv };
}

export async function main(argv: string[], io: Io): Promise<number> {
  // Known before parsing, so even a usage error is reported in the format the caller asked for.
  const out = new Output(io, { json: argv.includes('--json'), noColor: argv.includes('--no-color') });
  const { name, rest } = splitCommand(argv);
  // `emulator` is told which key to accept and must print it; for every other command the credential is
  // a secret, masked from the very first byte written, even while the flags may still be malformed.
  if (COMMANDS.find((c) => c.name === name)?.usesApi !== false) {
    for (const flagName of ['--api-key', '--oauth-token']) {
      const i = argv.indexOf(flagName);
      if (i >= 0) out.addSecret(argv[i + 1]);
      for (const arg of argv)
        if (arg.startsWith(`${flagName}=`)) out.addSecret(arg.slice(flagName.length + 1));
    }
    out.addSecret(io.env.YM_API_KEY);
    out.addSecret(io.env.YM_OAUTH_TOKEN);
  }
  let command: Command | undefined;
  let businessId: string | undefined;
  let basePath: string | undefined;
  try {
    if (name === undefined || name === 'help') {
      const topic = name === 'help' ? splitCommand(rest).name : undefined;
      const target = topic === undefined ? undefined : COMMANDS.find((c) => c.name === topic);
      if (topic !== undefined && target === undefined) throw unknownCommand(topic);
      if (target) io.stdout.write(commandHelp(target, out.c, io.self));
      else if (argv.includes('--version') || argv.includes('-V')) io.stdout.write(`${VERSION}\n`);
      else {
        io.stdout.write(mainHelp(COMMANDS, out.c, io.self));
        // Bare `ym-chats` is a usage mistake for scripts, but `ym-chats --help` is a question.
        if (name === undefined && !argv.includes('--help') && !argv.includes('-h')) return EXIT.usage;
      }
      return EXIT.ok;
    }
    command = COMMANDS.find((c) => c.name === name);
    if (command === undefined) throw unknownCommand(name);
    const parsed = parseCommandArgs(command.name, rest, command.options, command.positionals);
    if (flag(parsed.values, 'help')) {
      io.stdout.write(commandHelp(command, out.c, io.self));
      return EXIT.ok;
    }
    let session: ApiSession | undefined;
    const ctx: CommandContext = {
      name: command.name,
      values: parsed.values,
      positionals: parsed.positionals,
      io,
      out,
      connect() {
        if (session) return session;
        const connection = resolveConnection({ values: parsed.values, env: io.env, cwd: io.cwd });
        out.addSecret(connection.apiKey);
        out.addSecret(connection.oauthToken);
        businessId = String(connection.businessId);
        const path = new URL(connection.baseUrl).pathname.replace(/\/+$/, '');
        if (path !== '') basePath = path;
        session = { api: createApi(connection), businessId: connection.businessId, connection };
        return session;
      },
    };
    return (await command.run(ctx)) ?? EXIT.ok;
  } catch (error) {
    const report = describeError(error, {
      self: io.self,
      command: command?.name,
      businessId: businessId ?? io.env.YM_BUSINESS_ID,
      ...(basePath === undefined ? {} : { basePath }),
    });
    out.error(report);
    return report.exitCode;
  }
}

function unknownCommand(name: string): UsageError {
  const guess = closest(
    name,
    COMMANDS.map((c) => c.name),
  );
  return new UsageError(
    `unknown command "${name}"`,
    `${guess ? `Did you mean \`ym-chats ${guess}\`? ` : ''}Run \`ym-chats --help\` for the list of commands.`,
  );
}
