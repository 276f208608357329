/**
 * Hostile input at the SDK boundary: every invalid id, limit, message or file is refused with a
 * ValidationError naming the field before any request is made; valid ones pass the checks. Unknown enum
 * values in responses pass through untouched.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ChatsApi, type FetchLike, ValidationError } from '@ym-chats/sdk';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { HAND_PICKED_IDS, HAND_PICKED_MESSAGES, invalidId, validId } from '../src/hostile-values.js';
import { ResultSink } from '../src/results.js';

const sink = new ResultSink('hostile-sdk');
afterAll(() => sink.save());

/** A fetch that only counts: any request reaching it is a request the SDK should not have made. */
function countingClient() {
  const sent = { n: 0 };
  const fetch: FetchLike = async () => {
    sent.n++;
    return { status: 200, headers: { get: () => null }, text: async () => '{"status":"OK","result":{}}' };
  };
  return { api: new ChatsApi({ apiKey: 'hostile-test-key', fetch, rateLimit: false, maxRetries: 0 }), sent };
}

type IdCall = [string, (api: ChatsApi, id: unknown) => unknown];
const ID_CALLS: IdCall[] = [
  ['businessId', (api, id) => api.getChat(id as number, 1)],
  ['chatId', (api, id) => api.getChat(1, id as number)],
  ['messageId', (api, id) => api.getChatMessage(1, 1, id as number)],
  ['chatId', (api, id) => api.getChatHistory(1, id as number)],
  ['chatId', (api, id) => api.sendMessageToChat(1, id as number, { message: 'x' })],
  [
    'createChatRequest.context.id',
    (api, id) => api.createChat(1, { context: { type: 'ORDER', id: id as number } }),
  ],
  ['getChatsRequest.orderIds[0]', (api, id) => api.getChats(1, { orderIds: [id as number] })],
  [
    'getChatHistoryRequest.messageIdFrom',
    (api, id) => api.getChatHistory(1, 1, { messageIdFrom: id as number }),
  ],
];

/** Runs one call; classifies the outcome. A crash is anything thrown that is not a ValidationError. */
async function outcome(
  run: () => unknown,
): Promise<{ kind: 'validation'; field: string } | { kind: 'ok' } | { kind: 'crash'; error: unknown }> {
  try {
    await Promise.resolve().then(run);
    return { kind: 'ok' };
  } catch (error) {
    if (error instanceof ValidationError) return { kind: 'validation', field: error.field };
    return { kind: 'crash', error };
  }
}

function tally(clear: boolean, crash: boolean): void {
  sink.add({ hostileTried: 1, hostileClear: clear ? 1 : 0, crashes: crash ? 1 : 0 });
}

describe('the SDK refuses bad arguments before sending', () => {
  it('property: any invalid id → ValidationError naming the field, no request', async () => {
    const { api, sent } = countingClient();
    await fc.assert(
      fc.asyncProperty(invalidId, fc.constantFrom(...ID_CALLS), async (id, [field, call]) => {
        const result = await outcome(() => call(api, id));
        const clear = result.kind === 'validation' && result.field === field;
        tally(clear, result.kind === 'crash');
        expect(result).toEqual({ kind: 'validation', field });
      }),
      { seed: 5, numRuns: 400 },
    );
    expect(sent.n).toBe(0);
  });

  it('property: any valid id passes the checks and is sent as exact decimal', async () => {
    const urls: string[] = [];
    const fetch: FetchLike = async (url) => {
      urls.push(url);
      return { status: 200, headers: { get: () => null }, text: async () => '{"status":"OK","result":{}}' };
    };
    const api = new ChatsApi({ apiKey: 'hostile-test-key', fetch, rateLimit: false });
    await fc.assert(
      fc.asyncProperty(validId, async (id) => {
        urls.length = 0;
        await api.getChat(1, id);
        expect(urls[0]).toContain(`chatId=${id.toString()}`);
      }),
      { seed: 6, numRuns: 200 },
    );
  });

  it('property: limits outside the documented ranges → ValidationError(limit), no request', async () => {
    const { api, sent } = countingClient();
    const badLimit = fc.oneof(
      fc.integer({ max: 0 }),
      fc.integer({ min: 101 }),
      fc.double().filter((d) => !Number.isInteger(d)),
      fc.string(),
    );
    await fc.assert(
      fc.asyncProperty(badLimit, async (limit) => {
        const result = await outcome(() => api.getChatHistory(1, 1, {}, undefined, limit as number));
        tally(result.kind === 'validation' && result.field === 'limit', result.kind === 'crash');
        expect(result).toEqual({ kind: 'validation', field: 'limit' });
      }),
      { seed: 7, numRuns: 150 },
    );
    expect(sent.n).toBe(0);
  });

  it('hand-picked ids, messages and files', async () => {
    const { api, sent } = countingClient();
    for (const id of HAND_PICKED_IDS) {
      const result = await outcome(() => api.getChat(1, id as number));
      tally(result.kind === 'validation' && result.field === 'chatId', result.kind === 'crash');
      expect(result, String(id)).toEqual({ kind: 'validation', field: 'chatId' });
    }
    for (const [label, text, expected] of HAND_PICKED_MESSAGES) {
      if (expected !== 'reject') continue;
      const result = await outcome(() => api.sendMessageToChat(1, 1, { message: text }));
      tally(result.kind === 'validation', result.kind === 'crash');
      expect(result, label).toEqual({ kind: 'validation', field: 'sendMessageToChatRequest.message' });
    }
    for (const message of [undefined, null, 42, {}, ['a']]) {
      const result = await outcome(() =>
        api.sendMessageToChat(1, 1, { message } as unknown as { message: string }),
      );
      tally(result.kind === 'validation', result.kind === 'crash');
      expect(result.kind, String(message)).toBe('validation');
    }
    const files: [string, unknown][] = [
      ['5 MB + 1', { data: new Uint8Array(5 * 1024 * 1024 + 1), name: 'big.bin' }],
      ['empty name', { data: new Uint8Array(1), name: '' }],
      ['missing path', '/nonexistent/dir/file.pdf'],
      ['a directory', '/tmp'],
      ['not a file at all', 42],
    ];
    for (const [label, file] of files) {
      const result = await outcome(() => api.sendFileToChat(1, 1, file as string));
      tally(result.kind === 'validation', result.kind === 'crash');
      expect(result.kind, label).toBe('validation');
    }
    expect(sent.n).toBe(0);
  });

  it('unknown enum values and extra fields in responses pass through untouched', async () => {
    const body = {
      status: 'OK',
      result: {
        chats: [
          {
            chatId: 1,
            orderId: 5,
            type: 'GROUP_CALL',
            status: 'WAITING_FOR_ROBOT',
            context: { type: 'SUPPLY', id: 9 },
            createdAt: '2026-01-01T00:00:00+03:00',
            updatedAt: '2026-01-01T00:00:00+03:00',
            brandNew: { x: 1 },
          },
        ],
      },
    };
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const api = new ChatsApi({
        apiKey: 'hostile-test-key',
        baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      });
      const chats = [];
      for await (const chat of api.iterateChats(1)) chats.push(chat);
      tally(true, false);
      expect(chats).toEqual(body.result.chats);
    } finally {
      server.close();
    }
  });
});
