/**
 * `serve --agents FILE`: the file's agents imported into the store once, as serve starts — each added, or
 * updated when its name, businesses or password hash differ (a new hash logs that agent's devices out),
 * the store's other agents left as they are — with a one-line summary. From then on the store is what
 * every serve reads; `ym-chats agents` edits it.
 */
import { resolve } from 'node:path';
import { readAgentsFile } from './agents-file.js';
import type { CommandContext } from './commands/command.js';
import { loadSync, openCliStore } from './commands/sync.js';
import { UsageError } from './errors.js';
import { loadOptional } from './optional-package.js';

type InboxModule = typeof import('@ym-chats/inbox');

const named = (logins: string[]) => (logins.length === 0 ? '' : ` (${logins.join(', ')})`);

export async function importAgentsFile(ctx: CommandContext, file: string): Promise<void> {
  const path = resolve(ctx.io.cwd, file);
  const agents = readAgentsFile(path);
  const inbox = await loadOptional<InboxModule>('@ym-chats/inbox', () => import('@ym-chats/inbox'), 'agents');
  for (const agent of agents) {
    const problem = inbox.agentProblem(agent);
    if (problem)
      throw new UsageError(
        `the agents file ${path}: ${problem}`,
        'Fix the entry, or add the agent with ym-chats agents add.',
      );
  }
  const sync = await loadSync();
  const store = await openCliStore(ctx, sync);
  try {
    const directory = await inbox.SqlAgentDirectory.open(store.database(), { refreshMs: 0 });
    let done: Awaited<ReturnType<typeof directory.import>>;
    try {
      done = await directory.import(agents);
    } catch (error) {
      throw new UsageError(
        `the agents file ${path}: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    ctx.out.info(
      `Imported ${path} into the store: ${done.added.length} added${named(done.added)}, ` +
        `${done.updated.length} updated${named(done.updated)}, ${done.unchanged.length} unchanged. ` +
        'The store keeps them; edit them with ym-chats agents.',
    );
  } finally {
    await store.close();
  }
}
