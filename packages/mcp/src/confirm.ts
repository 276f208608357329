/**
 * The person's go-ahead for a send. When the client can ask the person itself (MCP elicitation, form
 * mode), the server asks there and the assistant's own `confirm` argument counts for nothing: only the
 * person's answer does. Without elicitation the assistant's `confirm: true` is an argument the model sets
 * itself — a buyer's message can talk it into that — so it confirms nothing: the answer is "ask the person
 * elsewhere" (the approval queue, approval.ts), unless the person who started the server opted into
 * letting the model confirm its own drafts (`--unsafe-model-confirms`), which the audit log records.
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';

/** Who said yes: the person, in the client; or the model itself, because the server was told to trust it. */
export type ConfirmedBy = 'elicitation' | 'unsafe-model-confirms';

export type Confirmation =
  | { kind: 'confirmed'; by: ConfirmedBy }
  /** `reason` is for the assistant (it may quote the message); `summary` is for the audit log (never does). */
  | { kind: 'refused'; reason: string; summary: string }
  /** Nobody here can confirm: a person must decide somewhere else, or nothing is sent. */
  | { kind: 'elsewhere' };

export const DEFAULT_CONFIRM_TIMEOUT_MS = 10 * 60_000;

export class Confirmer {
  constructor(
    private readonly server: McpServer,
    private readonly timeoutMs: number,
    /** `--unsafe-model-confirms`: without elicitation, the assistant's `confirm: true` counts. */
    readonly modelConfirms = false,
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
      if (!this.modelConfirms) return { kind: 'elsewhere' };
      if (confirmArgument === true) return { kind: 'confirmed', by: 'unsafe-model-confirms' };
      return {
        kind: 'refused',
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
        kind: 'refused',
        summary: `confirmation request failed: ${why}`,
        reason: `Not sent: the confirmation request failed (${why}).`,
      };
    }
    if (answer.action === 'accept' && answer.content?.send === true)
      return { kind: 'confirmed', by: 'elicitation' };
    const how =
      answer.action === 'accept'
        ? 'did not tick "Send it"'
        : answer.action === 'decline'
          ? 'declined'
          : 'cancelled';
    return {
      kind: 'refused',
      summary: `the person ${how}`,
      reason: `Not sent: the person ${how}. Do not send it again unless they ask.`,
    };
  }
}
