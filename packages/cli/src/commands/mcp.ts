/**
 * `ym-chats mcp`: the Model Context Protocol server (package @ym-chats/mcp, an optional dependency loaded
 * only here). Configured like every API command (flags > environment > profile); stdout belongs to the
 * protocol, so this command writes nothing there itself.
 */
import { existsSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { flag, numberFlag, str } from '../args.js';
import { CliError, UsageError } from '../errors.js';
import { EXIT } from '../exit-codes.js';
import type { Command, CommandContext } from './command.js';
import { DRAFT_ACTIONS, type DraftAction, loadInbox, runDraftAction } from './mcp-drafts.js';
import { storeReports } from './report.js';
import { loadSync, openCliStore, STORE_OPTIONS } from './sync.js';

type McpModule = typeof import('@ym-chats/mcp');
type ChatStore = import('@ym-chats/mcp').ChatStore;
type SyncStore = import('@ym-chats/sync').SyncStore;

export function defaultAuditLog(env: NodeJS.ProcessEnv): string {
  const state = env.XDG_STATE_HOME?.trim() || join(env.HOME?.trim() || homedir(), '.local', 'state');
  return join(state, 'ym-chats', 'mcp-audit.jsonl');
}

async function loadMcp(): Promise<McpModule> {
  try {
    return await import('@ym-chats/mcp');
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'ERR_MODULE_NOT_FOUND' && String(error).includes('@ym-chats/mcp')) {
      throw new CliError(
        'the MCP server is not installed (package @ym-chats/mcp)',
        EXIT.internal,
        'Install it next to the CLI: npm install @ym-chats/mcp',
      );
    }
    throw error;
  }
}

function filesDirectory(raw: string | undefined, cwd: string): string | undefined {
  if (raw === undefined) return undefined;
  const dir = resolve(cwd, raw);
  let isDirectory = false;
  try {
    isDirectory = statSync(dir).isDirectory();
  } catch {
    isDirectory = false;
  }
  if (!isDirectory) {
    throw new UsageError(
      `--files-dir ${raw} is not a directory`,
      'Give an existing directory (an absolute path: MCP clients start the server from any directory).',
    );
  }
  return dir;
}

/**
 * The sync store, only when one is named (--store or YM_STORE): unlike `sync`, this command never falls
 * back to a default file, and a SQLite file that does not exist yet is an error, not a new empty mirror.
 */
async function openStoreIfNamed(ctx: CommandContext) {
  const raw = str(ctx.values, 'store') ?? (ctx.io.env.YM_STORE?.trim() || undefined);
  if (raw === undefined) return undefined;
  const sync = await loadSync();
  if (!sync.isPostgresUrl(raw) && raw !== ':memory:' && !existsSync(resolve(ctx.io.cwd, raw))) {
    throw new UsageError(
      `there is no sync store at ${resolve(ctx.io.cwd, raw)}`,
      `Fill it first: ${ctx.io.self} sync --store ${raw} (and keep \`sync --watch\` running beside the server).`,
    );
  }
  return openCliStore(ctx, sync);
}

/**
 * The store as the server reads it, with the store's word index for search_messages (sync owns it, and
 * the server imports no store package). Until the store's indexer has run over the messages, the index
 * says so and search_messages reads every stored message.
 */
async function withSearchIndex(store: SyncStore): Promise<ChatStore> {
  const sync = await loadSync();
  return {
    chats: (businessId, filter) => store.chats(businessId, filter),
    chat: (businessId, chatId) => store.chat(businessId, chatId),
    messages: (businessId, chatId, options) => store.messages(businessId, chatId, options),
    runs: (businessId, limit) => store.runs(businessId, limit),
    index: new sync.StoreMessageIndex(store),
  };
}

export const mcpCommand: Command = {
  name: 'mcp',
  summary: 'serve the chats to an AI assistant (Model Context Protocol over stdio)',
  usage:
    'mcp [--read-only] [--dry-run] [--files-dir DIR] [--audit-log FILE] [--store PATH|URL] [--unsafe-model-confirms]\n' +
    '       mcp drafts | approve DRAFT_ID [--anyway] | discard DRAFT_ID [--store PATH|URL] [--as LOGIN]',
  description:
    'Runs an MCP server on stdin/stdout for assistants such as Claude: tools to list and read chats, draft ' +
    'replies and send them only with the person’s own confirmation (each draft at most once), and send files ' +
    'from one directory. A client that can ask the person (MCP elicitation) asks them; with one that cannot, ' +
    'the assistant’s confirm sends nothing: with a sync store the draft waits for the person’s approval (the ' +
    'web inbox’s "Drafts from the assistant", or `mcp approve`), without one the send is refused. Every send ' +
    'is appended to an audit log (JSON lines). With a sync store (--store or YM_STORE, filled by `ym-chats ' +
    'sync`) chats are read from it, without API quota, and search_messages is offered. Started by the MCP ' +
    'client, not by hand; logs go to stderr. `mcp drafts` lists the drafts waiting for approval; `mcp ' +
    'approve` sends one through the same checks as a reply typed in the inbox; `mcp discard` refuses one.',
  options: {
    'read-only': { type: 'boolean', help: 'offer reading tools only: nothing can be drafted or sent' },
    'dry-run': { type: 'boolean', help: 'go through every step of a send except the API call' },
    'files-dir': {
      type: 'string',
      arg: 'DIR',
      help: 'send_file may send files from this directory only (without it there is no send_file)',
    },
    'audit-log': {
      type: 'string',
      arg: 'FILE',
      help: 'JSONL audit log of every send (default $XDG_STATE_HOME/ym-chats/mcp-audit.jsonl)',
    },
    'max-sends-per-hour': {
      type: 'string',
      arg: 'N',
      help: 'sends allowed per rolling hour, whatever the confirmations (default 60)',
    },
    'unsafe-model-confirms': {
      type: 'boolean',
      help: 'UNSAFE: without elicitation, let the assistant confirm its own drafts (confirm: true sends)',
    },
    anyway: {
      type: 'boolean',
      help: 'approve: send even over a reply made meanwhile or a colleague’s assignment',
    },
    as: {
      type: 'string',
      arg: 'LOGIN',
      help: 'approve/discard: who decides, as the inbox knows them (default local)',
    },
    ...STORE_OPTIONS,
  },
  positionals: { min: 0, max: 2, names: '[drafts | approve DRAFT_ID | discard DRAFT_ID]' },
  examples: [
    ['mcp --read-only', 'let the assistant read chats only'],
    ['mcp --files-dir ~/invoices --audit-log ~/ym-audit.jsonl', 'replies and files from ~/invoices'],
    ['mcp --store .ym-chats/store.sqlite', 'read and search the mirror kept by `ym-chats sync --watch`'],
    ['mcp drafts --store .ym-chats/store.sqlite', 'the assistant’s drafts waiting for your approval'],
    ['mcp approve draft-6f1c… --store .ym-chats/store.sqlite', 'send one, checked like an inbox reply'],
  ],
  usesApi: true,
  async run(ctx) {
    const { values, io, out, positionals } = ctx;
    if (positionals.length > 0) {
      const action = positionals[0] as DraftAction;
      if (!DRAFT_ACTIONS.includes(action)) {
        throw new UsageError(
          `unknown mcp action "${positionals[0]}"`,
          'Use mcp drafts, mcp approve DRAFT_ID or mcp discard DRAFT_ID.',
        );
      }
      return runDraftAction(ctx, action, positionals[1]);
    }
    const filesDir = filesDirectory(str(values, 'files-dir'), io.cwd);
    const maxSendsPerHour = numberFlag(values, 'max-sends-per-hour', { min: 1, max: 1000 });
    const auditLog = resolve(io.cwd, str(values, 'audit-log') ?? defaultAuditLog(io.env));
    const { api, businessId, connection } = ctx.connect();
    if (connection.pathPrefix === '') {
      // get_chat and the live chat check before every draft use getChat, which the seed paths lack.
      throw new UsageError(
        'ym-chats mcp needs the current API paths (/v2/…): drop --seed-paths / --v1 (or seedPaths in the profile)',
      );
    }
    const mcp = await loadMcp();
    const store = await openStoreIfNamed(ctx);
    const readOnly = flag(values, 'read-only');
    let approvals: import('@ym-chats/inbox').AssistantDraftQueue | undefined;
    try {
      // Drafts wait for a person in the inbox's table beside the mirror; none is needed when nothing is sent.
      if (store !== undefined && !readOnly) {
        approvals = await (await loadInbox('drafts waiting for approval')).AssistantDraftQueue.open(store);
      }
    } catch (error) {
      await store?.close();
      throw error;
    }
    if (io.stdin.isTTY === true) {
      out.info('ym-chats mcp talks MCP on stdin/stdout: add it to an MCP client instead (see its README).');
    }
    try {
      await mcp.serveStdio({
        api,
        businessId,
        readOnly,
        dryRun: flag(values, 'dry-run'),
        ...(approvals === undefined ? {} : { approvals }),
        unsafeModelConfirms: flag(values, 'unsafe-model-confirms'),
        ...(filesDir === undefined ? {} : { filesDir }),
        ...(store === undefined ? {} : { store: await withSearchIndex(store) }),
        ...(store === undefined ? {} : { reports: await storeReports(ctx, store, businessId) }),
        ...(maxSendsPerHour === undefined ? {} : { maxSendsPerHour }),
        auditLog,
        logger: { info: (text) => out.info(text), warn: (text) => out.warn(text) },
      });
    } finally {
      await store?.close();
    }
    return EXIT.ok;
  },
};
