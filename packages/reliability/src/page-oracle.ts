/**
 * Checks one complete iterator pass against the truth read afterwards. Ids only grow and nothing is ever
 * deleted, so a correct pass is exactly the slice of the truth it spans: items added after the cursor
 * moved past their place may be missing legitimately, anything else missing was skipped.
 */
export interface PassCheck {
  skipped: number;
  repeated: number;
}

function repeats(ids: number[]): number {
  return ids.length - new Set(ids).size;
}

/**
 * History, oldest first: the pass must hold every truth id up to the last one it saw, and at least up to
 * `floor`, the highest id known to exist before the pass began (so a pass that stops early is caught).
 */
export function checkAscending(pass: number[], truth: number[], floor = 0): PassCheck {
  const seen = new Set(pass);
  const last = Math.max(floor, ...pass);
  const skipped = truth.filter((id) => id <= last && !seen.has(id)).length;
  return { skipped, repeated: repeats(pass) };
}

/**
 * Chats, newest first: chats created during the pass have higher ids than its first page and are not
 * expected. The pass must hold every truth id from the oldest chat up to the highest id it saw.
 */
export function checkChatPass(pass: number[], truth: number[]): PassCheck {
  const seen = new Set(pass);
  const highest = pass.length === 0 ? Number.NEGATIVE_INFINITY : Math.max(...pass);
  const expected = truth.filter((id) => id <= highest);
  return { skipped: expected.filter((id) => !seen.has(id)).length, repeated: repeats(pass) };
}
