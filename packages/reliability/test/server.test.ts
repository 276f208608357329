/**
 * The emulator as a server: default bind address, body caps, safe file downloads, and a SIGKILL in the
 * middle of writes with `--db` that must leave an intact database holding every acknowledged message.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AdminClient, createEmulator } from '@ym-chats/emulator';
import { ChatsApi, ChatsApiError } from '@ym-chats/sdk';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { type ChildEmulator, memoryOf, spawnEmulator } from '../src/child-emulator.js';
import { API_KEY, BUSINESS } from '../src/emulator-env.js';
import { api, isClearError, multipart, raw } from '../src/raw-http.js';
import { ResultSink } from '../src/results.js';

const sink = new ResultSink('server');
const dir = mkdtempSync(join(tmpdir(), 'ym-reliability-'));
const children: ChildEmulator[] = [];
afterAll(async () => {
  sink.save();
  for (const c of children) await c.stop('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

async function start(args: string[]): Promise<ChildEmulator> {
  const child = await spawnEmulator(args);
  children.push(child);
  return child;
}

const client = (url: string) =>
  new ChatsApi({
    baseUrl: url,
    apiKey: API_KEY,
    pathPrefix: '/v2',
    retry: { baseDelayMs: 1, maxDelayMs: 10 },
  });

async function newChat(url: string): Promise<number> {
  const admin = new AdminClient(url);
  const order = await admin.createOrder(BUSINESS);
  return (await admin.createChat(BUSINESS, { context: { type: 'ORDER', id: order.orderId } })).chat.chatId;
}

describe('the emulator as a server', () => {
  it('binds to 127.0.0.1 unless told otherwise (bin and library)', async () => {
    const child = await start(['--no-quotas']);
    expect(new URL(child.url).hostname).toBe('127.0.0.1');
    const lib = createEmulator();
    try {
      expect(new URL(await lib.listen()).hostname).toBe('127.0.0.1');
    } finally {
      await lib.close();
    }
  });

  it('caps body sizes with a clear 400 and survives a 20 MB upload and a 1 MB JSON body', async () => {
    const child = await start(['--no-quotas']);
    const chatId = await newChat(child.url);
    const before = memoryOf(child.pid);
    const big = multipart({ data: new Uint8Array(20 * 1024 * 1024) });
    const upload = await raw(child.url, api('/chats/file/send', `chatId=${chatId}`), {
      headers: { 'content-type': big.contentType },
      body: big.body,
    }).catch((e: unknown) => e);
    // The server answers 400 once past its 12 MB cap and closes; the client may see the answer or the close.
    if (upload instanceof Error) {
      sink.add({ hostileTried: 1, hostileClear: 0 });
      expect(String(upload.cause ?? upload)).toMatch(/ECONNRESET|EPIPE|socket|other side closed/i);
    } else {
      sink.add({
        hostileTried: 1,
        hostileClear: isClearError(upload as Awaited<ReturnType<typeof raw>>) ? 1 : 0,
      });
      expect((upload as Awaited<ReturnType<typeof raw>>).status).toBe(400);
    }
    const json = await raw(child.url, api('/chats/message', `chatId=${chatId}`), {
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ message: 'x'.repeat(1024 * 1024) }),
    });
    sink.add({
      hostileTried: 1,
      hostileClear: isClearError(json) ? 1 : 0,
      crashes: json.status >= 500 ? 1 : 0,
    });
    expect(json.status).toBe(400);
    expect(isClearError(json)).toBe(true);
    // Still alive and nothing was stored.
    expect((await client(child.url).getChatHistory(BUSINESS, chatId)).result.messages).toEqual([]);
    const after = memoryOf(child.pid);
    sink.add({ peakRssBytes: after.hwmBytes });
    sink.note(
      `body caps: RSS ${(before.rssBytes / 2 ** 20).toFixed(1)} MB → ${(after.rssBytes / 2 ** 20).toFixed(1)} MB around a 20 MB upload`,
    );
  });

  it('serves downloaded files under safe names, as attachments, never as HTML', async () => {
    const child = await start(['--no-quotas']);
    const chatId = await newChat(child.url);
    const names = [
      '../../etc/passwd',
      'a/b\\c.html',
      'evil\u0007\r\nname.html',
      'page.html',
      'x.svg',
      'счёт.pdf',
    ];
    for (const name of names) {
      const m = multipart({
        disposition: `form-data; name="file"; filename*=UTF-8''${encodeURIComponent(name)}`,
        data: Buffer.from('<script>alert(1)</script>'),
      });
      const r = await raw(child.url, api('/chats/file/send', `chatId=${chatId}`), {
        headers: { 'content-type': m.contentType },
        body: m.body,
      });
      expect(r.status, r.text).toBe(200);
    }
    const messages = (await client(child.url).getChatHistory(BUSINESS, chatId, {}, undefined, 100)).result
      .messages;
    expect(messages).toHaveLength(names.length);
    for (const message of messages) {
      const file = message.payload![0]!;
      const anonymous = await fetch(file.url);
      await anonymous.text();
      expect(anonymous.status).toBe(401);
      const res = await fetch(file.url, { headers: { 'Api-Key': API_KEY } });
      expect(await res.text()).toBe('<script>alert(1)</script>');
      const disposition = res.headers.get('content-disposition') ?? '';
      expect(disposition).toMatch(/^attachment;/);
      const plain = /filename="([^"]*)"/.exec(disposition)?.[1] ?? '';
      // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what must be absent
      expect(plain).not.toMatch(/[/\\\u0000-\u001f]|\.\./);
      expect(file.name).not.toMatch(/[/\\]/);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('content-type') ?? '').not.toMatch(/html|svg|javascript/i);
    }
  });

  it('survives SIGKILL mid-write with --db: integrity ok, every acknowledged message kept once', async () => {
    const db = join(dir, 'kill.sqlite');
    const first = await start(['--no-quotas', '--db', db]);
    const chatId = await newChat(first.url);
    const api1 = new ChatsApi({
      baseUrl: first.url,
      apiKey: API_KEY,
      pathPrefix: '/v2',
      maxRetries: 0,
      timeoutMs: 5_000,
    });
    const acked = new Set<string>();
    const attempted = new Set<string>();
    let stop = false;
    const writer = async (w: number) => {
      for (let n = 0; !stop; n++) {
        const text = `kill-${w}-${n}`;
        attempted.add(text);
        try {
          if (n % 5 === 4)
            await api1.sendFileToChat(BUSINESS, chatId, { data: Buffer.from(text), name: `${text}.txt` });
          else await api1.sendMessageToChat(BUSINESS, chatId, { message: text });
          acked.add(text);
        } catch (error) {
          if (!(error instanceof ChatsApiError)) throw error;
          return; // the server is gone
        }
      }
    };
    const writers = [0, 1, 2, 3].map(writer);
    // Kill once a fair number of writes are in, while four more are in flight.
    while (acked.size < 150) await new Promise((r) => setTimeout(r, 5));
    await first.stop('SIGKILL');
    stop = true;
    await Promise.all(writers);

    const check = new Database(db, { readonly: true });
    const integrity = check.pragma('integrity_check', { simple: true });
    check.close();
    expect(integrity).toBe('ok');

    const second = await start(['--no-quotas', '--db', db]);
    const all = [];
    for await (const m of client(second.url).iterateChatHistory(BUSINESS, chatId, {}, { limit: 100 }))
      all.push(m);
    const texts = all.map((m) => m.message ?? m.payload?.[0]?.name?.replace(/\.txt$/, ''));
    const missing = [...acked].filter((t) => !texts.includes(t));
    const repeated = texts.length - new Set(texts).size;
    const unknown = texts.filter((t) => t === undefined || !attempted.has(t));
    sink.add({
      sent: attempted.size,
      lost: missing.length,
      duplicated: repeated,
      peakRssBytes: memoryOf(second.pid).hwmBytes,
    });
    sink.note(
      `SIGKILL with --db: ${acked.size} acknowledged, ${attempted.size} attempted, ${texts.length} stored, integrity ${integrity}`,
    );
    expect(missing).toEqual([]);
    expect(repeated).toBe(0);
    expect(unknown).toEqual([]);
    // New writes still work on the reopened file.
    await client(second.url).sendMessageToChat(BUSINESS, chatId, { message: 'after restart' });
  });
});
