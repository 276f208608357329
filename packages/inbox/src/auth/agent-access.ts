/**
 * Who a request is, for every route: the agents of the directory (the store's, or `agents` in memory) or,
 * while there are none and the inbox is on loopback, the one local user. The list is the directory's last
 * read, so the check costs no query; a login this process has not seen yet (an agent just added by
 * `ym-chats agents add`, or logged in through another process) is asked of the store once.
 */
import { type AgentDirectory, MemoryAgentDirectory } from './agent-directory.js';
import { type Agent, type AgentConfig, localAgent, type ServedBusinesses, toAgent } from './agents.js';

export interface AgentAccessOptions {
  host: string;
  businessIds: ServedBusinesses;
  agents?: AgentConfig[] | undefined;
  agentDirectory?: AgentDirectory | undefined;
}

export class AgentAccess {
  readonly directory: AgentDirectory;
  private readonly loopback: Agent | undefined;
  private readonly served: ServedBusinesses;

  /** Throws when logins are mandatory (not loopback) and there is nobody to log in. */
  constructor(options: AgentAccessOptions) {
    this.directory = options.agentDirectory ?? new MemoryAgentDirectory(options.agents ?? []);
    this.loopback = localAgent(options.host, options.businessIds);
    this.served = options.businessIds;
    if (!this.loopback && this.directory.current().size === 0) {
      throw new Error(
        `the inbox is bound to ${options.host}, so logins are mandatory, but no agents are configured; ` +
          'add one with ym-chats agents add LOGIN --businesses ID',
      );
    }
  }

  /** The agents as last read. */
  get agents(): ReadonlyMap<string, AgentConfig> {
    return this.directory.current();
  }

  /** The loopback user, while there are no agents (adding the first ends its sessions: agent-directory.ts). */
  get local(): Agent | undefined {
    return this.directory.current().size === 0 ? this.loopback : undefined;
  }

  agentOf(login: string | undefined): Agent | undefined {
    if (login === undefined) return undefined;
    const local = this.local;
    if (local && login === local.login) return local;
    const config = this.directory.current().get(login);
    return config ? toAgent(config, this.served) : undefined;
  }

  /** `agentOf`, asking the store when this process does not know the login yet. */
  async resolveAgent(login: string | undefined): Promise<Agent | undefined> {
    const known = this.agentOf(login);
    if (known || login === undefined) return known;
    return (await this.directory.find(login)) ? this.agentOf(login) : undefined;
  }

  close(): Promise<void> {
    return this.directory.close();
  }
}
