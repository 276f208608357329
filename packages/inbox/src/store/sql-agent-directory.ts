/**
 * The inbox's agents in its table (`inbox_agents`), shared by every `serve` process on the database and
 * edited by `ym-chats agents` while they run. Each process keeps the list as last read (every request's
 * check reads it without a query) and reads it again every `refreshMs` and whenever a login asks for an
 * agent it does not hold. What must hold at once holds through the sessions table instead: a changed
 * password or a removed agent deletes the agent's sessions in the same transaction, and the first agent
 * added deletes the loopback user's, so every process refuses them at the next request.
 */
import type { Row, Sql } from '@ym-chats/sync';
import {
  type AgentDirectory,
  type AgentImport,
  checkAgent,
  checkImport,
  sameAgent,
} from '../auth/agent-directory.js';
import type { AgentConfig } from '../auth/agents.js';
import { migrateInbox } from './migrations.js';

export interface SqlAgentDirectoryOptions {
  /** How often the list is read again (default 2 s; 0: only by `find` and `refresh`). */
  refreshMs?: number;
  now?: () => number;
  onError?: (error: unknown) => void;
}

const COLUMNS = 'login, name, password_hash, business_ids';

function fromRow(r: Row): AgentConfig {
  const agent: AgentConfig = {
    login: String(r.login),
    passwordHash: String(r.password_hash),
    businessIds: String(r.business_ids)
      .split(',')
      .filter((b) => b !== '')
      .map(Number),
  };
  if (r.name !== null) agent.name = String(r.name);
  return agent;
}

export class SqlAgentDirectory implements AgentDirectory {
  private agents = new Map<string, AgentConfig>();
  private timer: NodeJS.Timeout | undefined;

  private constructor(
    private readonly sql: Sql,
    private readonly now: () => number,
  ) {}

  /** Migrates the inbox's tables, reads the agents, and keeps reading them every `refreshMs`. */
  static async open(sql: Sql, options: SqlAgentDirectoryOptions = {}): Promise<SqlAgentDirectory> {
    await migrateInbox(sql);
    const directory = new SqlAgentDirectory(sql, options.now ?? Date.now);
    await directory.refresh();
    const every = options.refreshMs ?? 2000;
    if (every > 0) {
      const onError = options.onError ?? ((error: unknown) => console.error('inbox agents:', error));
      directory.timer = setInterval(() => directory.refresh().catch(onError), every);
      directory.timer.unref();
    }
    return directory;
  }

  current(): ReadonlyMap<string, AgentConfig> {
    return this.agents;
  }

  async refresh(): Promise<void> {
    const rows = await this.sql.all(`SELECT ${COLUMNS} FROM inbox_agents ORDER BY login`);
    this.agents = new Map(rows.map((r) => [String(r.login), fromRow(r)]));
  }

  async find(login: string): Promise<AgentConfig | undefined> {
    const rows = await this.sql.all(`SELECT ${COLUMNS} FROM inbox_agents WHERE login = ?`, [login]);
    const agent = rows[0] ? fromRow(rows[0]) : undefined;
    // What this process holds follows what it just read (a new agent, a removed one).
    const next = new Map(this.agents);
    if (agent) next.set(login, agent);
    else next.delete(login);
    this.agents = next;
    return agent;
  }

  async list(): Promise<AgentConfig[]> {
    await this.refresh();
    return [...this.agents.values()];
  }

  async add(given: AgentConfig): Promise<boolean> {
    const agent = checkAgent(given);
    const added = await this.sql.transaction(async (tx) => {
      const n = await tx.run(
        `INSERT INTO inbox_agents (login, name, password_hash, business_ids, created_ms, changed_ms)
         VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (login) DO NOTHING`,
        [
          agent.login,
          agent.name ?? null,
          agent.passwordHash,
          agent.businessIds.join(','),
          this.now(),
          this.now(),
        ],
      );
      // A store with agents has no local user: logins are required from now on, on every bind.
      if (n > 0) await tx.run("DELETE FROM inbox_sessions WHERE kind = 'local'");
      return n > 0;
    });
    if (added) await this.find(agent.login);
    return added;
  }

  async setPassword(login: string, passwordHash: string): Promise<boolean> {
    const changed = await this.sql.transaction(async (tx) => {
      const n = await tx.run('UPDATE inbox_agents SET password_hash = ?, changed_ms = ? WHERE login = ?', [
        passwordHash,
        this.now(),
        login,
      ]);
      if (n > 0) await tx.run('DELETE FROM inbox_sessions WHERE login = ?', [login]);
      return n > 0;
    });
    await this.find(login);
    return changed;
  }

  async remove(login: string): Promise<boolean> {
    const removed = await this.sql.transaction(async (tx) => {
      const n = await tx.run('DELETE FROM inbox_agents WHERE login = ?', [login]);
      if (n > 0) await tx.run('DELETE FROM inbox_sessions WHERE login = ?', [login]);
      return n > 0;
    });
    await this.find(login);
    return removed;
  }

  async import(agents: readonly AgentConfig[]): Promise<AgentImport> {
    const list = checkImport(agents);
    const done: AgentImport = { added: [], updated: [], unchanged: [] };
    await this.sql.transaction(async (tx) => {
      for (const agent of list) {
        const rows = await tx.all(`SELECT ${COLUMNS} FROM inbox_agents WHERE login = ?`, [agent.login]);
        const before = rows[0] ? fromRow(rows[0]) : undefined;
        if (before && sameAgent(before, agent)) {
          done.unchanged.push(agent.login);
          continue;
        }
        const values = [agent.name ?? null, agent.passwordHash, agent.businessIds.join(','), this.now()];
        if (before) {
          await tx.run(
            'UPDATE inbox_agents SET name = ?, password_hash = ?, business_ids = ?, changed_ms = ? WHERE login = ?',
            [...values, agent.login],
          );
          if (before.passwordHash !== agent.passwordHash)
            await tx.run('DELETE FROM inbox_sessions WHERE login = ?', [agent.login]);
          done.updated.push(agent.login);
        } else {
          await tx.run(
            `INSERT INTO inbox_agents (name, password_hash, business_ids, changed_ms, login, created_ms)
             VALUES (?, ?, ?, ?, ?, ?)`,
            [...values, agent.login, this.now()],
          );
          done.added.push(agent.login);
        }
      }
      if (done.added.length > 0) await tx.run("DELETE FROM inbox_sessions WHERE kind = 'local'");
    });
    await this.refresh();
    return done;
  }

  /** The database belongs to the store's owner; only the timer stops. */
  async close(): Promise<void> {
    clearInterval(this.timer);
  }
}
