/**
 * The MCP server built in this process, as an MCP host composes it, and the MCP SDK's own client talking to
 * it through the SDK's in-memory transport pair; the server talks HTTP to a real emulator, where what
 * reached the buyer is counted. Each test file starts its own emulator and work directory.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import {
  type CallToolResult,
  type ElicitRequest,
  ElicitRequestSchema,
  type ElicitResult,
} from '@modelcontextprotocol/sdk/types.js';
import { AdminClient, createEmulator } from '@ym-chats/emulator';
import { ChatsApi } from '@ym-chats/sdk';
import { type ChatsMcpOptions, createChatsMcpServer } from '../../src/index.js';

export const BUSINESS = 1001;
/** Credentials only these tests know: no tool result or log line may ever contain them. */
export const API_KEY = 'mcp-test-api-key-3f8a61c2';
export const WRONG_KEY = 'mcp-wrong-key-9b27e4d0';
const SECRETS = [API_KEY, WRONG_KEY];

export const READ_TOOLS = ['get_chat', 'get_chat_history', 'list_chats'];
export const SEND_TOOLS = ['draft_reply', 'send_file', 'send_reply'];

/** The seller's client as `ym-chats mcp` builds it: a spent quota is an answer now, never a long sleep. */
export function sellerApi(url: string, apiKey = API_KEY): ChatsApi {
  return new ChatsApi({
    apiKey,
    baseUrl: url,
    pathPrefix: '/v2',
    retry: { maxRateLimitWaitMs: 0 },
    rateLimit: { mode: 'reject' },
  });
}

export type Elicit = (
  request: ElicitRequest,
  extra: { signal: AbortSignal },
) => ElicitResult | Promise<ElicitResult>;

export interface Session {
  client: Client;
  /** What the server logged (info and warnings), in order: where `ym-chats mcp` writes to stderr. */
  log: string[];
  /** Errors the client saw outside a request's own result. */
  clientErrors: Error[];
  call(name: string, args: Record<string, unknown>): Promise<CallToolResult>;
}

export type SessionOptions = Partial<Omit<ChatsMcpOptions, 'api' | 'businessId' | 'logger'>> & {
  apiKey?: string;
  elicit?: Elicit;
};

/** A real emulator, a work directory, and sessions with the server; `close()` ends them all. */
export class McpBench {
  /** The test's own client to the emulator, outside the server, with no quota of its own. */
  readonly api: ChatsApi;
  readonly admin: AdminClient;
  readonly work = mkdtempSync(join(tmpdir(), 'ym-mcp-test-'));
  readonly auditLog = join(this.work, 'audit', 'mcp.jsonl');
  /** Every tool result and log line, for the "no credential ever shown" check. */
  private readonly transcript: string[] = [];
  private readonly sessions: Session[] = [];

  private constructor(
    readonly url: string,
    private readonly closeEmulator: () => Promise<void>,
  ) {
    this.admin = new AdminClient(url);
    this.api = new ChatsApi({ apiKey: API_KEY, baseUrl: url, pathPrefix: '/v2', rateLimit: false });
  }

  static async start(): Promise<McpBench> {
    const emulator = createEmulator({
      seed: 1,
      credentials: [{ apiKey: API_KEY, businessIds: [BUSINESS] }],
    });
    const url = await emulator.listen(0);
    return new McpBench(url, () => emulator.close());
  }

  async open(options: SessionOptions = {}): Promise<Session> {
    const { apiKey, elicit, ...rest } = options;
    const log: string[] = [];
    const server = createChatsMcpServer({
      api: sellerApi(this.url, apiKey),
      businessId: BUSINESS,
      auditLog: this.auditLog,
      ...rest,
      logger: { info: (line) => log.push(line), warn: (line) => log.push(`warning: ${line}`) },
    });
    const client = new Client(
      { name: 'ym-chats-test', version: '1.0.0' },
      elicit ? { capabilities: { elicitation: {} } } : {},
    );
    if (elicit) client.setRequestHandler(ElicitRequestSchema, (request, extra) => elicit(request, extra));
    const clientErrors: Error[] = [];
    client.onerror = (error) => clientErrors.push(error);
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    await server.connect(serverSide);
    await client.connect(clientSide);
    const session: Session = {
      client,
      log,
      clientErrors,
      call: async (name, args) => {
        const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
        this.transcript.push(JSON.stringify(result));
        return result;
      },
    };
    this.sessions.push(session);
    return session;
  }

  /**
   * Ends every session and the emulator and removes the work directory; returns what broke the rules
   * (client errors, shown secrets).
   */
  async close(): Promise<{ clientErrors: Error[]; secretsShown: string[] }> {
    for (const session of this.sessions) await session.client.close();
    await this.closeEmulator();
    const seen = [...this.transcript, ...this.sessions.flatMap((s) => s.log), this.auditText()];
    rmSync(this.work, { recursive: true, force: true });
    return {
      clientErrors: this.sessions.flatMap((s) => s.clientErrors),
      secretsShown: SECRETS.filter((secret) => seen.some((text) => text.includes(secret))),
    };
  }

  async totalMessages(): Promise<number> {
    return (await this.admin.state()).totals.messages;
  }

  /** How many messages in the chat carry exactly this text. */
  async copiesOf(chatId: number, message: string): Promise<number> {
    let count = 0;
    for await (const m of this.api.iterateChatHistory(BUSINESS, chatId)) if (m.message === message) count++;
    return count;
  }

  /** A fresh chat where the buyer wrote twice and waits. */
  async waitingChat(): Promise<{ chatId: number; firstAt: string }> {
    const { chat } = await this.admin.createChat(BUSINESS, {
      context: { type: 'DIRECT' },
      customer: { name: 'Анна', publicId: 'anna-test' },
    });
    const first = await this.admin.postMessage(BUSINESS, chat.chatId, {
      sender: 'CUSTOMER',
      message: 'Где заказ?',
    });
    await this.admin.postMessage(BUSINESS, chat.chatId, {
      sender: 'CUSTOMER',
      message: 'Ответьте, пожалуйста',
    });
    return { chatId: chat.chatId, firstAt: first.createdAt };
  }

  auditText(path = this.auditLog): string {
    try {
      return readFileSync(path, 'utf8');
    } catch {
      return '';
    }
  }

  auditLines(): Record<string, unknown>[] {
    return this.auditText()
      .trim()
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  }

  /** The audit trail of one draft: each line's outcome, or its event when it has none. */
  trail(draftId: string): (string | undefined)[] {
    return this.auditLines()
      .filter((line) => line.sendId === draftId)
      .map((line) => (line.outcome ?? line.event) as string | undefined);
  }
}

export function text(result: CallToolResult): string {
  return result.content.map((part) => (part.type === 'text' ? part.text : '')).join('\n');
}

export function draftIdOf(result: CallToolResult): string {
  const { draftId } = result.structuredContent as { draftId?: string };
  if (draftId === undefined) throw new Error(`no draft was made: ${text(result)}`);
  return draftId;
}
