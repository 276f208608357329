import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_KEY, BIZ, call, checkContract, history, orderChat, type Running, start } from './helpers.js';

let run: Running;
beforeAll(async () => {
  run = await start();
});
afterAll(() => run.emu.close());

function rawSend(chatId: number, fault: string, message: string): Promise<Response> {
  return fetch(`${run.url}/v2/businesses/${BIZ}/chats/message?chatId=${chatId}`, {
    method: 'POST',
    headers: {
      ...API_KEY,
      'content-type': 'application/json',
      ...(fault ? { 'X-Emulator-Fault': fault } : {}),
    },
    body: JSON.stringify({ message }),
  });
}

describe('fault injection by header', () => {
  it.each([
    ['status=500', 500, 'INTERNAL_ERROR'],
    ['status=503', 503, 'SERVICE_UNAVAILABLE'],
    ['delay=20,status=420', 420, 'LIMIT_EXCEEDED'],
  ])('%s', async (fault, status, code) => {
    const res = await call(run.url, 'getChats', { headers: { 'X-Emulator-Fault': fault } });
    expect(res.status).toBe(status);
    expect(res.body.errors[0].code).toBe(code);
    expect(res.headers.get('x-ratelimit-resource-limit')).toBe('5000');
    if (status === 420) {
      expect(res.headers.get('x-ratelimit-resource-remaining')).toBe('0');
      expect(Date.parse(res.headers.get('x-ratelimit-resource-until')!)).toBeGreaterThan(0);
    }
  });

  it('refuses a malformed fault header', async () => {
    const res = await call(run.url, 'getChats', { headers: { 'X-Emulator-Fault': 'status=418' } });
    expect(res.status).toBe(400);
    expect(res.body.errors[0].message).toMatch(/X-Emulator-Fault/);
  });

  it('drop=before closes the connection and stores nothing', async () => {
    const { chatId } = await orderChat(run);
    await expect(rawSend(chatId, 'drop=before', 'lost')).rejects.toThrow();
    expect(await history(run.url, chatId)).toHaveLength(0);
  });

  it('drop=after stores the message, then closes without an answer', async () => {
    const { chatId } = await orderChat(run);
    await expect(rawSend(chatId, 'drop=after', 'stored but unanswered')).rejects.toThrow();
    const messages = await history(run.url, chatId);
    expect(messages.map((m) => m.message)).toEqual(['stored but unanswered']);
  });
});

describe('a delayed request whose client gave up', () => {
  it('is still carried out, as a real backend would (the send lands after the client timed out)', async () => {
    const { chatId } = await orderChat(run);
    const controller = new AbortController();
    const pending = fetch(`${run.url}/v2/businesses/${BIZ}/chats/message?chatId=${chatId}`, {
      method: 'POST',
      headers: { ...API_KEY, 'content-type': 'application/json', 'X-Emulator-Fault': 'delay=300' },
      body: JSON.stringify({ message: 'late but delivered' }),
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(), 50);
    await expect(pending).rejects.toThrow();
    // Poll the state (not the clock) until the delayed handler has run.
    let texts: (string | undefined)[] = [];
    for (let i = 0; i < 100 && texts.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 20));
      texts = (await history(run.url, chatId)).map((m) => m.message);
    }
    expect(texts).toEqual(['late but delivered']);
  });
});

describe('fault rules', () => {
  it('fires by operation and count', async () => {
    const { chatId } = await orderChat(run);
    await run.admin.addFaults([{ operation: 'getChat', status: 503, count: 2 }]);
    expect((await call(run.url, 'getChats')).status).toBe(200);
    expect((await call(run.url, 'getChat', { query: { chatId } })).status).toBe(503);
    expect((await call(run.url, 'getChat', { query: { chatId } })).status).toBe(503);
    expect((await call(run.url, 'getChat', { query: { chatId } })).status).toBe(200);
    expect((await run.admin.state()).faults).toEqual([]);
  });

  it('probability rules are reproducible for a seed', async () => {
    const pattern = async (seed: number) => {
      const r = await start({ seed: 1 });
      try {
        await r.admin.addFaults([{ operation: 'getChats', probability: 0.5, status: 500 }], seed);
        const statuses: number[] = [];
        for (let i = 0; i < 30; i++) statuses.push((await call(r.url, 'getChats')).status);
        return statuses;
      } finally {
        await r.emu.close();
      }
    };
    const a = await pattern(99);
    expect(await pattern(99)).toEqual(a);
    expect(a).toContain(200);
    expect(a).toContain(500);
    expect(await pattern(100)).not.toEqual(a);
  });

  it('drop rules apply to the chosen operation; DELETE clears them', async () => {
    const { chatId } = await orderChat(run);
    await run.admin.addFaults([{ operation: 'sendMessageToChat', drop: 'before' }]);
    await expect(rawSend(chatId, '', 'x')).rejects.toThrow();
    expect(await history(run.url, chatId)).toHaveLength(0);
    await run.admin.clearFaults();
    const ok = await call(run.url, 'sendMessageToChat', {
      query: { chatId },
      json: { message: 'after clearing' },
    });
    expect(ok.status).toBe(200);
  });
});

describe("the platform's 10-second model", () => {
  /** Polls the history a while so a late write, if any, would have landed before we look. */
  async function settledHistory(url: string, chatId: number): Promise<(string | undefined)[]> {
    await new Promise((r) => setTimeout(r, 400));
    return (await history(url, chatId)).map((m) => m.message);
  }

  it('a delay of 10 s or more is answered 504 at 10 s and the send is never carried out', async () => {
    const { chatId } = await orderChat(run);
    const res = await rawSend(chatId, 'delay=12000', 'abandoned');
    expect(res.status).toBe(504);
    const body = await res.json();
    expect(body).toMatchObject({ status: 'ERROR', errors: [{ code: 'GATEWAY_TIMEOUT' }] });
    checkContract('sendMessageToChat', 504, body);
    expect(await settledHistory(run.url, chatId)).toEqual([]);
  }, 20_000);

  it('a rule delay at the timeout (shortened) abandons the write, even with drop=after', async () => {
    const short = await start({ platformTimeoutMs: 300 });
    try {
      const { chatId } = await orderChat(short);
      await short.admin.addFaults([{ operation: 'sendMessageToChat', delayMs: 300, drop: 'after' }]);
      const res = await call(short.url, 'sendMessageToChat', {
        query: { chatId },
        json: { message: 'never stored' },
      });
      expect(res.status).toBe(504);
      expect(await settledHistory(short.url, chatId)).toEqual([]);
    } finally {
      await short.emu.close();
    }
  });

  it('an abandoned request whose client already left is not carried out later either', async () => {
    const short = await start({ platformTimeoutMs: 300 });
    try {
      const { chatId } = await orderChat(short);
      const controller = new AbortController();
      const pending = fetch(`${short.url}/v2/businesses/${BIZ}/chats/message?chatId=${chatId}`, {
        method: 'POST',
        headers: { ...API_KEY, 'content-type': 'application/json', 'X-Emulator-Fault': 'delay=5000' },
        body: JSON.stringify({ message: 'gone' }),
        signal: controller.signal,
      });
      setTimeout(() => controller.abort(), 50);
      await expect(pending).rejects.toThrow();
      expect(await settledHistory(short.url, chatId)).toEqual([]);
      // The slot is free again: four requests run side by side.
      const results = await Promise.all(
        [1, 2, 3, 4].map(() => call(short.url, 'getChat', { query: { chatId } })),
      );
      expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    } finally {
      await short.emu.close();
    }
  });
});
