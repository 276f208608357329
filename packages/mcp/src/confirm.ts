/**
 * The person's go-ahead for a send. When the client can ask the person itself (MCP elicitation, form
 * mode), the server asks there and the assistant's own `confirm` argument counts for nothing: only the
 * person's answer does. Clients without elicitation get the weaker rule the issue allows: the assistant
 * must pass `confirm: true`, which it is told to do only after showing the person the exact text.
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';

export type Confirmation =
  | { confirmed: true; by: 'elicitation' | 'confirm-argument' }
  /** `reason` is for the assistant (it may quote the message); `summary` is for the audit log (never does). */
  | { confirmed: false; reason: string; summary: string };

export const DEFAULT_CONFIRM_TIMEOUT_MS = 10 * 60_000;

export class Confirmer {
  constructor(
    private readonly server: McpServer,
    private readonly timeoutMs: number,
  ) {}

  canElicit(): boolean {
    const elicitation = this.server.server.getClientCapabilities()?.elicitation;
    // An empty elicitation capability means form mode (the SDK normalises it; older clients send {}).
    return elicitation !== undefined && (elicitation.form !== undefined || elicitation.url === undefined);
  }

  /** `signal`: the tool call's; a client that cancels the call withdraws the question too. */
  async confirm(
    question: string,
    confirmArgument: boolean | undefined,
    signal?: AbortSignal,
  ): Promise<Confirmation> {
    if (!this.canElicit()) {
      if (confirmArgument === true) return { confirmed: true, by: 'confirm-argument' };
      return {
        confirmed: false,
        summary: 'no confirmation: the client cannot ask and confirm was not true',
        reason:
          'Not sent: this needs the person’s confirmation and this client cannot ask for it. Show the person ' +
          `exactly this, and only if they agree, call again with confirm: true:\n\n${question}`,
      };
    }
    let answer: Awaited<ReturnType<McpServer['server']['elicitInput']>>;
    try {
      answer = await this.server.server.elicitInput(
        {
          mode: 'form',
          message: question,
          requestedSchema: {
            type: 'object',
            properties: {
              send: { type: 'boolean', title: 'Send it', description: 'Send exactly this to the buyer' },
            },
            required: ['send'],
          },
        },
        signal === undefined ? { timeout: this.timeoutMs } : { timeout: this.timeoutMs, signal },
      );
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      return {
        confirmed: false,
        summary: `confirmation request failed: ${why}`,
        reason: `Not sent: the confirmation request failed (${why}).`,
      };
    }
    if (answer.action === 'accept' && answer.content?.send === true)
      return { confirmed: true, by: 'elicitation' };
    const how =
      answer.action === 'accept'
        ? 'did not tick "Send it"'
        : answer.action === 'decline'
          ? 'declined'
          : 'cancelled';
    return {
      confirmed: false,
      summary: `the person ${how}`,
      reason: `Not sent: the person ${how}. Do not send it again unless they ask.`,
    };
  }
}
