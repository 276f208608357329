/**
 * The format of an agents file (`serve --agents FILE`): a JSON list of `{login, name?, passwordHash,
 * businessIds}`, imported into the store at start (agents-import.ts). Agents live in the store; the file
 * is only a way in.
 */
import { readFileSync } from 'node:fs';
import { UsageError } from './errors.js';

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
