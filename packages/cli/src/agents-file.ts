/**
 * The inbox's agents file (`serve --agents FILE`): a JSON list of `{login, name?, passwordHash,
 * businessIds}`, read by `serve` and edited by `ym-chats agents add|remove|passwd`. One home for its
 * format, so the file the terminal writes is the file serve accepts. It holds password hashes (scrypt, but
 * offline guessing is still guessing), so the CLI writes it 0600 and refuses to edit one others can read.
 */
import { closeSync, existsSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { UsageError } from './errors.js';
import { makePrivateDir, openPrivate, requirePrivate } from './secret-file.js';

type AgentConfig = import('@ym-chats/inbox').AgentConfig;

const SHAPE = 'It is a JSON array: [{"login":"anna","passwordHash":"scrypt$…","businessIds":[1001]}].';

const isAgent = (a: unknown): a is AgentConfig =>
  typeof a === 'object' &&
  a !== null &&
  typeof (a as AgentConfig).login === 'string' &&
  typeof (a as AgentConfig).passwordHash === 'string' &&
  ((a as AgentConfig).name === undefined || typeof (a as AgentConfig).name === 'string') &&
  Array.isArray((a as AgentConfig).businessIds) &&
  (a as AgentConfig).businessIds.every((b) => Number.isSafeInteger(b));

/** The agents in `file`; a file that is not such a list is a usage error naming the shape. */
export function readAgentsFile(file: string): AgentConfig[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new UsageError(
      `cannot read the agents file ${file}: ${error instanceof Error ? error.message : String(error)}`,
      SHAPE,
    );
  }
  if (!Array.isArray(parsed) || !parsed.every(isAgent)) {
    throw new UsageError(
      `the agents file ${file} is not a list of {login, passwordHash, businessIds}`,
      'Each agent needs a login, a passwordHash and businessIds: add them with ym-chats agents add LOGIN.',
    );
  }
  return parsed;
}

/** For editing: the agents in `file` (none when it does not exist yet), refused when others can read it. */
export function openAgentsFile(file: string): AgentConfig[] {
  if (!existsSync(file)) return [];
  requirePrivate(file, 'the agents file');
  return readAgentsFile(file);
}

/**
 * Writes the list whole: a private file beside it, then a rename, so `serve` starting meanwhile reads the
 * old list or the new one, never half of one, and the file is 0600 whatever the umask.
 */
export function saveAgentsFile(file: string, agents: readonly AgentConfig[]): void {
  makePrivateDir(dirname(file));
  const temp = join(dirname(file), `.${basename(file)}.${process.pid}.tmp`);
  const fd = openPrivate(temp, 'wx');
  try {
    writeSync(fd, `${JSON.stringify(agents, null, 2)}\n`);
    closeSync(fd);
    renameSync(temp, file);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}
