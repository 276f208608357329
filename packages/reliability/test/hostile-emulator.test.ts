/**
 * Hostile input at the emulator over raw HTTP: random and hand-picked ids, bodies, file names, malformed
 * JSON and multipart, oversized bodies. Each rejected request must get a 4xx with the API error shape,
 * leave the stored state exactly as it was, and never crash the server.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUSINESS, type EmulatorEnv, startEmulator } from '../src/emulator-env.js';
import {
  HAND_PICKED_FILE_NAMES,
  HAND_PICKED_MESSAGES,
  invalidIdText,
  invalidMessageBody,
} from '../src/hostile-values.js';
import { api, isClearError, multipart, type RawResult, raw } from '../src/raw-http.js';
import { ResultSink } from '../src/results.js';

const sink = new ResultSink('hostile-emulator');
let env: EmulatorEnv;
let chatId: number;
beforeAll(async () => {
  // Validation failures spend quota like on the platform; quotas are off so hundreds of them fit.
  env = await startEmulator({ seed: 4, quotas: { enabled: false } });
  const order = await env.admin.createOrder(BUSINESS);
  chatId = (await env.admin.createChat(BUSINESS, { context: { type: 'ORDER', id: order.orderId } })).chat
    .chatId;
});
afterAll(async () => {
  sink.save();
  await env.close();
});

/** Row counts per business and in total: any stored order, chat, message or file moves them. */
const stateOf = async () => {
  const state = await env.admin.state();
  return JSON.stringify([state.totals, state.businesses]);
};

/**
 * Sends one request that must be refused; returns the result after checking the error shape, that the
 * state did not move and that the server still answers. Every call is one hostile input in the figures.
 */
async function refused(label: string, send: () => Promise<RawResult>): Promise<RawResult> {
  const before = await stateOf();
  let result: RawResult | undefined;
  let crashed = false;
  try {
    result = await send();
  } catch {
    crashed = true; // the connection died: the server crashed or reset us
  }
  crashed ||= result !== undefined && result.status >= 500;
  const alive = await env.admin.state().then(
    () => true,
    () => false,
  );
  const clear = !crashed && result !== undefined && isClearError(result);
  sink.add({ hostileTried: 1, hostileClear: clear ? 1 : 0, crashes: crashed || !alive ? 1 : 0 });
  expect(alive, label).toBe(true);
  expect(crashed, `${label}: ${result?.status} ${result?.text.slice(0, 200)}`).toBe(false);
  expect(clear, `${label}: ${result?.status} ${result?.text.slice(0, 200)}`).toBe(true);
  expect(await stateOf(), `${label}: state changed`).toBe(before);
  return result!;
}

const json = (body: unknown) => ({
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

describe('the emulator refuses hostile input cleanly', () => {
  it('property: bad ids in the path and query → 4xx, state unchanged', async () => {
    await fc.assert(
      fc.asyncProperty(invalidIdText, fc.constantFrom('business', 'chat', 'message'), async (id, where) => {
        const enc = encodeURIComponent(id);
        const path =
          where === 'business'
            ? api('/chats/message', `chatId=${chatId}`, enc)
            : where === 'chat'
              ? api('/chats/message', `chatId=${enc}`)
              : api('/chats/message', `chatId=${chatId}&messageId=${enc}`);
        await refused(`${where} id ${JSON.stringify(id)}`, () =>
          raw(env.url, path, where === 'message' ? { method: 'GET' } : { ...json({ message: 'hostile' }) }),
        );
      }),
      { seed: 21, numRuns: 120 },
    );
  });

  it('property: invalid sendMessageToChat bodies → 400, nothing stored', async () => {
    await fc.assert(
      fc.asyncProperty(invalidMessageBody, async (body) => {
        await refused(`body ${JSON.stringify(body).slice(0, 80)}`, () =>
          raw(env.url, api('/chats/message', `chatId=${chatId}`), json(body)),
        );
      }),
      { seed: 22, numRuns: 120 },
    );
  });

  it('property: malformed JSON text → 400', async () => {
    const notJson = fc.string().filter((s) => {
      try {
        JSON.parse(s);
        return false;
      } catch {
        return true;
      }
    });
    await fc.assert(
      fc.asyncProperty(
        notJson,
        fc.constantFrom('/chats/message', '/chats', '/chats/history', '/chats/new'),
        async (text, op) => {
          const query = op === '/chats/message' || op === '/chats/history' ? `chatId=${chatId}` : '';
          await refused(`text ${JSON.stringify(text)}`, () =>
            raw(env.url, api(op, query), { headers: { 'content-type': 'application/json' }, body: text }),
          );
        },
      ),
      { seed: 23, numRuns: 100 },
    );
  });

  it('property: random file names are stored without directories or control characters', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'binary', maxLength: 60 }), async (name) => {
        const { body, contentType } = multipart({
          disposition: `form-data; name="file"; filename*=UTF-8''${encodeURIComponent(name)}`,
          data: Buffer.from('x'),
        });
        const r = await raw(env.url, api('/chats/file/send', `chatId=${chatId}`), {
          headers: { 'content-type': contentType },
          body,
        });
        const crashed = r.status >= 500;
        sink.add({
          hostileTried: 1,
          hostileClear: r.status === 200 || isClearError(r) ? 1 : 0,
          crashes: crashed ? 1 : 0,
        });
        expect(crashed, r.text).toBe(false);
        if (r.status !== 200) return;
        const last = (await env.history(chatId)).at(-1)!;
        const stored = last.payload?.[0]?.name ?? '';
        // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what must be absent
        expect(stored).not.toMatch(/[/\\\u0000-\u001f\u007f]/);
        expect(stored === '.' || stored === '..').toBe(false);
      }),
      { seed: 24, numRuns: 60 },
    );
  });

  it('hand-picked messages: boundaries counted in UTF-16 units, exact round trip when accepted', async () => {
    for (const [label, text, expected] of HAND_PICKED_MESSAGES) {
      if (label === 'lone surrogate') continue; // its own test below
      const send = () => raw(env.url, api('/chats/message', `chatId=${chatId}`), json({ message: text }));
      if (expected === 'reject') {
        const r = await refused(label, send);
        expect(r.text, label).toMatch(/message/);
        continue;
      }
      const r = await send();
      sink.add({
        hostileTried: 1,
        hostileClear: r.status === 200 || isClearError(r) ? 1 : 0,
        crashes: r.status >= 500 ? 1 : 0,
      });
      if (expected === 'ok') expect(r.status, `${label}: ${r.text.slice(0, 200)}`).toBe(200);
      else expect(r.status === 200 || isClearError(r), `${label}: ${r.text.slice(0, 200)}`).toBe(true);
      if (r.status === 200) {
        const last = (await env.history(chatId)).at(-1)!;
        expect(last.message, label).toBe(JSON.parse(JSON.stringify(text)));
      }
    }
  });

  // Regression guard (found by this suite): a lone UTF-16 surrogate is valid JSON but has no UTF-8 form;
  // the emulator used to accept it and return U+FFFD. Now it is a clear 400.
  it('a lone surrogate is refused or returned as sent', async () => {
    const text = '\ud800 tail';
    const r = await raw(env.url, api('/chats/message', `chatId=${chatId}`), json({ message: text }));
    sink.add({
      hostileTried: 1,
      hostileClear: r.status === 200 || isClearError(r) ? 1 : 0,
      crashes: r.status >= 500 ? 1 : 0,
    });
    expect(r.status === 200 || isClearError(r)).toBe(true);
    if (r.status === 200) expect((await env.history(chatId)).at(-1)?.message).toBe(text);
  });

  it('hand-picked files and multipart framing', async () => {
    const url = api('/chats/file/send', `chatId=${chatId}`);
    const send = (m: { body: Uint8Array; contentType: string }) =>
      raw(env.url, url, { headers: { 'content-type': m.contentType }, body: m.body });
    await refused('0-byte file', () => send(multipart({ data: new Uint8Array(0) })));
    const over = await refused('5 MB + 1', () =>
      send(multipart({ data: new Uint8Array(5 * 1024 * 1024 + 1) })),
    );
    expect(over.text).toMatch(/5242880/);
    await refused('wrong field name', () => send(multipart({ field: 'upload', data: Buffer.from('x') })));
    await refused('no closing boundary', () => send(multipart({ data: Buffer.from('x'), close: false })));
    await refused('boundary missing from content type', () =>
      raw(env.url, url, {
        headers: { 'content-type': 'multipart/form-data' },
        body: multipart({ data: Buffer.from('x') }).body,
      }),
    );
    await refused('JSON sent to the file endpoint', () => raw(env.url, url, json({ file: 'x' })));
    await refused('garbage bytes as multipart', () =>
      raw(env.url, url, {
        headers: { 'content-type': 'multipart/form-data; boundary=zz' },
        body: new Uint8Array([0, 255, 13, 10, 45, 45]),
      }),
    );
    // Exactly 5 MB is accepted and stored with its size.
    const exact = await send(multipart({ filename: 'exact.bin', data: new Uint8Array(5 * 1024 * 1024) }));
    expect(exact.status, exact.text).toBe(200);
    expect((await env.history(chatId)).at(-1)?.payload?.[0]?.size).toBe(5 * 1024 * 1024);
    for (const name of HAND_PICKED_FILE_NAMES) {
      const r = await send(
        multipart({
          disposition: `form-data; name="file"; filename*=UTF-8''${encodeURIComponent(name)}`,
          data: Buffer.from('y'),
        }),
      );
      sink.add({
        hostileTried: 1,
        hostileClear: r.status === 200 || isClearError(r) ? 1 : 0,
        crashes: r.status >= 500 ? 1 : 0,
      });
      expect(r.status === 200 || isClearError(r), `${JSON.stringify(name)}: ${r.text}`).toBe(true);
    }
  });

  it('hand-picked framing: oversized JSON, wrong content types, bad filters, limits and tokens', async () => {
    await refused('600 KB JSON body', () =>
      raw(env.url, api('/chats/message', `chatId=${chatId}`), json({ message: 'x'.repeat(600 * 1024) })),
    );
    await refused('1 MB JSON body', () =>
      raw(env.url, api('/chats'), json({ pad: 'x'.repeat(1024 * 1024) })),
    );
    await refused('text/plain body', () =>
      raw(env.url, api('/chats/message', `chatId=${chatId}`), {
        headers: { 'content-type': 'text/plain' },
        body: '{"message":"x"}',
      }),
    );
    await refused('no body on a list call', () => raw(env.url, api('/chats'), {}));
    await refused('unknown status filter', () =>
      raw(env.url, api('/chats'), json({ statuses: ['NOT_A_STATUS'] })),
    );
    await refused('empty filter list', () => raw(env.url, api('/chats'), json({ types: [] })));
    await refused('limit 21', () => raw(env.url, api('/chats', 'limit=21'), json({})));
    await refused('limit 101 on history', () =>
      raw(env.url, api('/chats/history', `chatId=${chatId}&limit=101`), json({})),
    );
    await refused('repeated query parameter', () =>
      raw(env.url, api('/chats/history', `chatId=${chatId}&chatId=${chatId}`), json({})),
    );
    await refused('forged page token', () =>
      raw(env.url, api('/chats', 'pageToken=eyJmb3JnZWQiOnRydWV9'), json({})),
    );
    await refused('createChat with a DIRECT context', () =>
      raw(env.url, api('/chats/new'), json({ context: { type: 'DIRECT', id: 1 } })),
    );
    await refused('message into an unknown chat', () =>
      raw(env.url, api('/chats/message', 'chatId=9223372036854775807'), json({ message: 'x' })),
    );
    const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;
    for (const [label, path, body] of [
      [
        'send with a message nested 20 000 deep',
        api('/chats/message', `chatId=${chatId}`),
        `{"message":${nested(20_000)}}`,
      ],
      ['getChats with a filter nested 20 000 deep', api('/chats'), `{"statuses":${nested(20_000)}}`],
      ['createChat with a context nested 20 000 deep', api('/chats/new'), `{"context":${nested(20_000)}}`],
    ] as const) {
      const result = await refused(label, () =>
        raw(env.url, path, { headers: { 'content-type': 'application/json' }, body }),
      );
      expect(result.text, label).toMatch(/nested deeper than/);
    }
    await refused('no credentials', () => raw(env.url, api('/chats'), { ...json({}), auth: false }));
    await refused('Bearer inside Api-Key', () =>
      raw(env.url, api('/chats'), {
        ...json({}),
        auth: false,
        headers: { 'content-type': 'application/json', 'Api-Key': 'Bearer emulator-api-key' },
      }),
    );
  });
});
