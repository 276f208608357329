/** The one JSON encoding used for stdout documents, NDJSON lines and JSON errors. */

function replacer(_key: string, value: unknown): unknown {
  // Ids above 2^53 travel as bigint inside the CLI; JSON has no bigint, so they are written as numbers' text.
  return typeof value === 'bigint' ? value.toString() : value;
}

export function jsonDocument(value: unknown): string {
  return `${JSON.stringify(value, replacer, 2)}\n`;
}

export function jsonLine(value: unknown): string {
  return `${JSON.stringify(value, replacer)}\n`;
}
