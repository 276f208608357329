/** Hostile values, generated (fast-check) and hand-picked, for ids, messages and file names. */
import fc from 'fast-check';

/** Anything that is not a positive 64-bit integer as the SDK accepts it (safe number or bigint). */
export const invalidId: fc.Arbitrary<unknown> = fc.oneof(
  fc.integer({ max: 0 }),
  fc.double().filter((d) => !(Number.isSafeInteger(d) && d >= 1)),
  fc.constantFrom(Number.NaN, Infinity, -Infinity, 2 ** 53, 2 ** 63, 1.5, -0),
  fc.bigInt({ max: 0n }),
  fc.bigInt({ min: 2n ** 63n, max: 2n ** 70n }),
  fc.string(),
  fc.constantFrom(null, undefined, true, false, {}, [], [1], '1', '40000001', '1e3', ' 1'),
);

export const validId: fc.Arbitrary<number | bigint> = fc.oneof(
  fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
  fc.bigInt({ min: 1n, max: 2n ** 63n - 1n }),
);

/** Path/query id texts the emulator must refuse: not a positive int64 in plain decimal. */
export const invalidIdText: fc.Arbitrary<string> = fc.oneof(
  fc.string().filter((s) => !/^[1-9]\d{0,18}$/.test(s) || BigInt(s) > 2n ** 63n - 1n),
  fc.constantFrom('0', '-1', '9223372036854775808', '1.5', '1e3', '0x10', '+1', ' 1', '١٢٣', '', '01'),
);

/** JSON values that are not a valid sendMessageToChat body. */
export const invalidMessageBody: fc.Arbitrary<unknown> = fc.jsonValue().filter((v) => {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return true;
  const m = (v as Record<string, unknown>).message;
  return !(typeof m === 'string' && m.length >= 1 && m.length <= 4096);
});

export const HAND_PICKED_IDS: unknown[] = [0, -1, 2 ** 63, 2n ** 63n, 1.5, Number.NaN, '1', 'abc', '', null];

/**
 * [label, text, expectation] — length counted in UTF-16 code units, as the API does. `either`: the API
 * documents nothing, so a clean store-and-return or a clear 400 are both acceptable; a 5xx is not.
 */
export const HAND_PICKED_MESSAGES: [string, string, 'ok' | 'reject' | 'either'][] = [
  ['empty', '', 'reject'],
  ['4096 ASCII', 'a'.repeat(4096), 'ok'],
  ['4097 ASCII', 'a'.repeat(4097), 'reject'],
  ['2048 emoji (4096 units)', '😀'.repeat(2048), 'ok'],
  ['2048 emoji + 1 unit', `${'😀'.repeat(2048)}a`, 'reject'],
  ['combining characters', 'е́'.repeat(1000), 'ok'],
  ['control characters', 'a\u0000b\u0007c\u001bd\r\ne', 'either'],
  ['one very long line', 'x'.repeat(4000), 'ok'],
  ['lone surrogate', '\ud800 tail', 'either'],
  ['RTL and zero-width', '\u202eabc\u200b\u2066', 'ok'],
];

export const HAND_PICKED_FILE_NAMES: string[] = [
  '../../etc/passwd',
  'a/b\\c.html',
  '..',
  'счёт-№1.pdf',
  'x\u0000y\r\n.txt',
  ' ',
  '<script>.svg',
  `${'n'.repeat(300)}.txt`,
];
