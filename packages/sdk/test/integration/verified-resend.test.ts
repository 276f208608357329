/**
 * Verified resend against the real emulator, one case per way it once delivered a message twice or lost
 * one while reporting OK. Every case runs with the default settle wait (the platform's 10 s window plus a
 * margin, measured from when the last attempt ended), each in its own emulator, all at once.
 */
import { ChatsApiError, type ClientOptions, storedFileName } from '@ym-chats/sdk';
import { describe, expect, it } from 'vitest';
import { BUSINESS, startEmulator } from './emulator.js';

const fault = (value: string) => ({ 'X-Emulator-Fault': value });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Default settle: no verifySettleMs, fast backoff only. */
const verified: Partial<ClientOptions> = { verifiedResend: true, retry: { baseDelayMs: 1, maxDelayMs: 10 } };

async function emulatorWith(client: Partial<ClientOptions> = {}) {
  const env = await startEmulator({}, { ...verified, ...client });
  const { chatId } = await env.newChat();
  const partner = async () => (await env.messages(chatId)).filter((m) => m.sender === 'PARTNER');
  return { env, chatId, partner };
}

describe.concurrent('verified resend: exactly one copy, never a lost message reported as sent', () => {
  const queued = [
    ['1a. a send queued behind a slow read (maxConcurrent 1)', 1, { rateLimit: { maxConcurrent: 1 } }],
    ['1b. a send queued behind four slow reads (the default cap of 4)', 4, {}],
  ] as const;
  for (const [name, reads, client] of queued) {
    it(`${name}, server 6 s, client timeout 2 s`, { timeout: 90_000 }, async () => {
      const { env, chatId, partner } = await emulatorWith({ ...client, timeoutMs: 2_000 });
      try {
        // A first answer places the window (until then it is a probe: one request at a time).
        await env.api.getChats(BUSINESS);
        const slow = Array.from({ length: reads }, () =>
          env.api.getChats(BUSINESS, {}, undefined, undefined, {
            headers: fault('delay=9000'),
            // Within the slot's lease (the default 20 s here), as the SDK requires.
            timeoutMs: 19_000,
          }),
        );
        await sleep(50);
        const res = await env.api.sendMessageToChat(
          BUSINESS,
          chatId,
          { message: name },
          { headers: fault('delay=6000') },
        );
        await Promise.all(slow);
        expect(res.status).toBe('OK');
        expect((await partner()).map((m) => m.message)).toEqual([name]);
      } finally {
        await env.close();
      }
    });
  }

  it('1c. the credential function takes 9 s on its first call', { timeout: 90_000 }, async () => {
    let first = true;
    const apiKey = async () => {
      if (first) {
        first = false;
        await sleep(9_000);
      }
      return 'emulator-api-key';
    };
    const { env, chatId, partner } = await emulatorWith({ timeoutMs: 2_000 });
    const { ChatsApi } = await import('@ym-chats/sdk');
    const slowKeys = new ChatsApi({ baseUrl: env.url, apiKey, timeoutMs: 2_000, ...verified });
    try {
      const res = await slowKeys.sendMessageToChat(
        BUSINESS,
        chatId,
        { message: 'slow credentials' },
        { headers: fault('delay=6000') },
      );
      expect(res.status).toBe('OK');
      expect((await partner()).map((m) => m.message)).toEqual(['slow credentials']);
    } finally {
      await env.close();
    }
  });

  it('2. file names the server rewrites: the connection drops after the write, one copy each', {
    timeout: 90_000,
  }, async () => {
    const names = [
      'report "final".pdf',
      'C:\\scans\\inv.pdf',
      ' padded.pdf',
      'dir/x.pdf',
      'tab\there.pdf',
      `${'n'.repeat(240)}.pdf`,
    ];
    const env = await startEmulator({}, verified);
    try {
      await Promise.all(
        names.map(async (name, i) => {
          const { chatId } = await env.newChat();
          const data = new TextEncoder().encode(`file ${i}`);
          const res = await env.api.sendFileToChat(
            BUSINESS,
            chatId,
            { data, name },
            { headers: fault('drop=after') },
          );
          expect(res.status).toBe('OK');
          const files = (await env.messages(chatId))
            .filter((m) => m.sender === 'PARTNER')
            .flatMap((m) => m.payload ?? []);
          expect(files.map((f) => f.name)).toEqual([storedFileName(name)]);
        }),
      );
    } finally {
      await env.close();
    }
  });

  it("3. the server's clock is 6 minutes behind", { timeout: 90_000 }, async () => {
    const { env, chatId, partner } = await emulatorWith();
    try {
      await env.admin.clock({ advanceMs: -6 * 60_000 });
      const res = await env.api.sendMessageToChat(
        BUSINESS,
        chatId,
        { message: 'skewed clock' },
        { headers: fault('drop=after') },
      );
      expect(res.status).toBe('OK');
      expect((await partner()).map((m) => m.message)).toEqual(['skewed clock']);
    } finally {
      await env.close();
    }
  });

  for (const delayMs of [15_000, 10_000]) {
    it(`4. a delay of ${delayMs / 1000} s (at or past the platform's 10 s): abandoned, sent once more`, {
      timeout: 90_000,
    }, async () => {
      const { env, chatId, partner } = await emulatorWith();
      try {
        await env.admin.addFaults([{ operation: 'sendMessageToChat', delayMs, count: 1 }]);
        const res = await env.api.sendMessageToChat(BUSINESS, chatId, { message: `late ${delayMs}` });
        expect(res.status).toBe('OK');
        expect((await partner()).map((m) => m.message)).toEqual([`late ${delayMs}`]);
      } finally {
        await env.close();
      }
    });
  }

  it('4. a delay just under 10 s with a 2 s client timeout: carried out late, found, not sent again', {
    timeout: 90_000,
  }, async () => {
    const { env, chatId, partner } = await emulatorWith({ timeoutMs: 2_000 });
    try {
      await env.admin.addFaults([{ operation: 'sendMessageToChat', delayMs: 9_500, count: 1 }]);
      const res = await env.api.sendMessageToChat(BUSINESS, chatId, { message: 'just in time' });
      expect(res.status).toBe('OK');
      expect((await partner()).map((m) => m.message)).toEqual(['just in time']);
    } finally {
      await env.close();
    }
  });

  it('5. an identical text sent twice on purpose is delivered twice', { timeout: 90_000 }, async () => {
    const { env, chatId, partner } = await emulatorWith();
    try {
      await env.api.sendMessageToChat(BUSINESS, chatId, { message: 'Спасибо!' });
      // The second one is dropped before the server acts on it: the history holds only the first.
      await env.admin.addFaults([{ operation: 'sendMessageToChat', drop: 'before', count: 1 }]);
      const res = await env.api.sendMessageToChat(BUSINESS, chatId, { message: 'Спасибо!' });
      expect(res.status).toBe('OK');
      expect((await partner()).map((m) => m.message)).toEqual(['Спасибо!', 'Спасибо!']);
      // Two identical sends at once from one client are both delivered too.
      await env.admin.addFaults([{ operation: 'sendMessageToChat', drop: 'before', count: 1 }]);
      await Promise.all([
        env.api.sendMessageToChat(BUSINESS, chatId, { message: 'twice at once' }),
        env.api.sendMessageToChat(BUSINESS, chatId, { message: 'twice at once' }),
      ]);
      expect((await partner()).filter((m) => m.message === 'twice at once')).toHaveLength(2);
    } finally {
      await env.close();
    }
  });

  it('when it cannot tell (the same text arrives from elsewhere during the check) it throws maybeSent', {
    timeout: 90_000,
  }, async () => {
    const { env, chatId, partner } = await emulatorWith();
    try {
      await env.admin.addFaults([{ operation: 'sendMessageToChat', drop: 'after', count: 1 }]);
      const sending = env.api.sendMessageToChat(BUSINESS, chatId, { message: 'Ваш заказ готов' });
      // The same words typed in the seller cabinet, or sent by another process, while the SDK waits.
      await sleep(500);
      await env.admin.postMessage(BUSINESS, chatId, { sender: 'PARTNER', message: 'Ваш заказ готов' });
      const error = await sending.catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ChatsApiError);
      expect((error as ChatsApiError).maybeSent).toBe(true);
      // Not sent a third time.
      expect((await partner()).map((m) => m.message)).toEqual(['Ваш заказ готов', 'Ваш заказ готов']);
    } finally {
      await env.close();
    }
  });

  it('6. a credential-function failure during the resend keeps the maybeSent error', {
    timeout: 90_000,
  }, async () => {
    let vaultDown = false;
    const noop = () => {};
    const logger = {
      debug: noop,
      info: noop,
      error: noop,
      warn: (message: string) => {
        if (message.includes('sending it again')) vaultDown = true;
      },
    };
    const { env, chatId, partner } = await emulatorWith();
    const { ChatsApi } = await import('@ym-chats/sdk');
    const api = new ChatsApi({
      baseUrl: env.url,
      apiKey: () => {
        if (vaultDown) throw new Error('vault unreachable');
        return 'emulator-api-key';
      },
      logger,
      ...verified,
    });
    try {
      await env.admin.addFaults([{ operation: 'sendMessageToChat', drop: 'before', count: 1 }]);
      const error = await api
        .sendMessageToChat(BUSINESS, chatId, { message: 'vault' })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ChatsApiError);
      expect((error as ChatsApiError).maybeSent).toBe(true);
      expect((error as ChatsApiError).message).toMatch(/vault unreachable/);
      expect(await partner()).toEqual([]);
    } finally {
      await env.close();
    }
  });
});
