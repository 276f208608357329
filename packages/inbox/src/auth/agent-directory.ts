import type { AgentConfig } from './agents.js';

/** What importing a list of agents (`serve --agents FILE`) did, by login. */
export interface AgentImport {
  added: string[];
  updated: string[];
  unchanged: string[];
}

/**
 * Who may log in to the inbox. `current()` is what every request's check reads without waiting (the last
 * read of the store: refreshed on a timer and by every `find`); `find` asks the store now, for a login or
 * for a session of an agent this process has not seen yet. A changed password or a removed agent ends the
 * agent's sessions in the same step (in the store: for every process at once).
 */
export interface AgentDirectory {
  current(): ReadonlyMap<string, AgentConfig>;
  find(login: string): Promise<AgentConfig | undefined>;
  list(): Promise<AgentConfig[]>;
  /** False when the login is taken (nothing changed). */
  add(agent: AgentConfig): Promise<boolean>;
  /** False when there is no such agent. Its sessions end: every device logs in again. */
  setPassword(login: string, passwordHash: string): Promise<boolean>;
  /** False when there is no such agent. Its sessions end. */
  remove(login: string): Promise<boolean>;
  /** Adds or updates each agent (a changed password ends that agent's sessions); others stay. */
  import(agents: readonly AgentConfig[]): Promise<AgentImport>;
  close(): Promise<void>;
}

const LOGIN = /^[^\s\p{C}]{1,200}$/u;

/** Why `agent` cannot be stored (undefined when it can): one home for the rule the CLI and imports apply. */
export function agentProblem(agent: AgentConfig): string | undefined {
  if (!LOGIN.test(agent.login))
    return `"${agent.login}" is not a login (1–200 characters, no spaces or control characters)`;
  if (agent.name !== undefined && (agent.name.trim() === '' || agent.name.length > 200))
    return `the name of ${agent.login} must be 1–200 characters`;
  if (!agent.passwordHash.startsWith('scrypt$'))
    return `the password hash of ${agent.login} is not one hashPassword makes (scrypt$…)`;
  if (agent.businessIds.length === 0) return `${agent.login} has no businesses`;
  const bad = agent.businessIds.find((b) => !Number.isSafeInteger(b) || b < 1);
  if (bad !== undefined) return `${agent.login}: business id ${String(bad)} is not a positive integer`;
  return undefined;
}

export function checkAgent(agent: AgentConfig): AgentConfig {
  const problem = agentProblem(agent);
  if (problem) throw new Error(problem);
  return { ...agent, businessIds: [...new Set(agent.businessIds)] };
}

/** The list checked whole before anything is stored: each agent valid, no login twice. */
export function checkImport(agents: readonly AgentConfig[]): AgentConfig[] {
  const seen = new Set<string>();
  return agents.map((given) => {
    const agent = checkAgent(given);
    if (seen.has(agent.login)) throw new Error(`agent ${agent.login} is listed twice`);
    seen.add(agent.login);
    return agent;
  });
}

export const sameAgent = (a: AgentConfig, b: AgentConfig) =>
  a.passwordHash === b.passwordHash &&
  (a.name ?? null) === (b.name ?? null) &&
  a.businessIds.join(',') === b.businessIds.join(',');

/** Agents in this process's memory (`createInbox` over a source without a database). */
export class MemoryAgentDirectory implements AgentDirectory {
  private readonly agents = new Map<string, AgentConfig>();

  constructor(agents: readonly AgentConfig[] = []) {
    for (const agent of checkImport(agents)) this.agents.set(agent.login, agent);
  }

  current(): ReadonlyMap<string, AgentConfig> {
    return this.agents;
  }

  async find(login: string) {
    return this.agents.get(login);
  }

  async list() {
    return [...this.agents.values()].sort((a, b) => a.login.localeCompare(b.login));
  }

  async add(agent: AgentConfig) {
    if (this.agents.has(agent.login)) return false;
    this.agents.set(agent.login, checkAgent(agent));
    return true;
  }

  async setPassword(login: string, passwordHash: string) {
    const agent = this.agents.get(login);
    if (!agent) return false;
    this.agents.set(login, checkAgent({ ...agent, passwordHash }));
    return true;
  }

  async remove(login: string) {
    return this.agents.delete(login);
  }

  async import(agents: readonly AgentConfig[]): Promise<AgentImport> {
    const done: AgentImport = { added: [], updated: [], unchanged: [] };
    for (const agent of checkImport(agents)) {
      const before = this.agents.get(agent.login);
      if (before && sameAgent(before, agent)) done.unchanged.push(agent.login);
      else (before ? done.updated : done.added).push(agent.login);
      this.agents.set(agent.login, agent);
    }
    return done;
  }

  async close() {}
}
