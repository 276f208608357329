/**
 * Hints for clients deciding what to ask the person about. Reads touch nothing; sends reach a buyer and
 * cannot be taken back. `openWorldHint`: the tool talks to the marketplace, outside this machine.
 */
import type { ToolAnnotations } from '@modelcontextprotocol/sdk/types.js';

export const READ_ANNOTATIONS: ToolAnnotations = {
  readOnlyHint: true,
  destructiveHint: false,
  idempotentHint: true,
  openWorldHint: true,
};

/** A draft is kept by the server only; it reaches nobody. */
export const DRAFT_ANNOTATIONS: ToolAnnotations = {
  readOnlyHint: false,
  destructiveHint: false,
  idempotentHint: false,
  openWorldHint: false,
};

/** Sending a draft again is refused, so repeating the same call has no further effect. */
export const SEND_DRAFT_ANNOTATIONS: ToolAnnotations = {
  readOnlyHint: false,
  destructiveHint: true,
  idempotentHint: true,
  openWorldHint: true,
};

/** Every confirmed call uploads the file again. */
export const SEND_FILE_ANNOTATIONS: ToolAnnotations = {
  readOnlyHint: false,
  destructiveHint: true,
  idempotentHint: false,
  openWorldHint: true,
};
