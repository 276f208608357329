/**
 * The audit trail: one JSON line per event, appended synchronously so that the line announcing a send is
 * on disk before the request leaves. A send whose "attempt" line has no "outcome" line after it was
 * interrupted (crash, kill) and may have been delivered. If the trail cannot be written, nothing is sent.
 *
 * Texts are recorded as a SHA-256 and a length, not verbatim: the trail proves what was sent (compare the
 * hash with the chat history) without becoming a second copy of buyers' conversations.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { ConfirmedBy } from './confirm.js';

/** queued: handed to the approval queue; a person sends or discards it there (recorded by the inbox). */
export type AuditOutcome = 'sent' | 'maybeSent' | 'notSent' | 'refused' | 'dryRun' | 'queued';

export interface AuditEvent {
  event: 'attempt' | 'outcome';
  businessId: string;
  chatId: string;
  /** draft-… for replies, file-… for file sends. */
  sendId: string;
  kind: 'text' | 'file';
  textSha256?: string;
  characters?: number;
  file?: { name: string; size: number; sha256: string };
  /**
   * Who confirmed: the person, answering an elicitation in the client; or the model itself, allowed only
   * by `--unsafe-model-confirms`.
   */
  confirmedBy?: ConfirmedBy;
  outcome?: AuditOutcome;
  /** Why it was refused or failed; SDK messages, already free of credentials. */
  reason?: string;
  dryRun?: boolean;
}

export class AuditLog {
  constructor(
    readonly path: string,
    private readonly now: () => Date,
  ) {}

  /** Throws if the line cannot be written. */
  append(event: AuditEvent): void {
    mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
    const line = JSON.stringify({ at: this.now().toISOString(), via: 'mcp', ...event });
    appendFileSync(this.path, `${line}\n`, { mode: 0o600 });
  }
}
