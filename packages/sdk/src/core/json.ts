/** JSON text for a request body; bigints become plain JSON numbers so int64 ids keep every digit. */
export function toJson(value: unknown): string {
  let sawBigInt = false;
  const text = JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v !== 'bigint') return v;
    sawBigInt = true;
    return `\u0000bigint:${v}`;
  });
  return sawBigInt ? text.replace(/"\\u0000bigint:(-?\d+)"/g, '$1') : text;
}
