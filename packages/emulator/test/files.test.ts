import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIZ, call, history, orderChat, type Running, start } from './helpers.js';

let run: Running;
beforeAll(async () => {
  run = await start({
    credentials: [
      { apiKey: 'emulator-api-key', businessIds: [BIZ] },
      { apiKey: 'other-key', businessIds: [2002] },
    ],
  });
});
afterAll(() => run.emu.close());

function rawMultipart(
  disposition: string,
  data: Buffer,
): { body: Uint8Array; headers: Record<string, string> } {
  const head = Buffer.from(
    `--B0undary\r\nContent-Disposition: form-data; ${disposition}\r\nContent-Type: text/html\r\n\r\n`,
  );
  const tail = Buffer.from('\r\n--B0undary--\r\n');
  return {
    body: Buffer.concat([head, data, tail]),
    headers: { 'content-type': 'multipart/form-data; boundary=B0undary' },
  };
}

describe('files', () => {
  it('an upload shows up as a payload whose URL downloads the same bytes', async () => {
    const { chatId } = await orderChat(run);
    const bytes = Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 31) % 256));
    const form = new FormData();
    form.append('file', new Blob([bytes]), 'скан договора.pdf');
    expect((await call(run.url, 'sendFileToChat', { query: { chatId }, body: form })).status).toBe(200);
    const [message] = await history(run.url, chatId);
    expect(message.sender).toBe('PARTNER');
    expect(message.message).toBeUndefined();
    const [payload] = message.payload;
    expect(payload).toMatchObject({ name: 'скан договора.pdf', size: bytes.length });
    expect(payload.url.startsWith(`${run.url}/_emulator/files/`)).toBe(true);

    const download = await fetch(payload.url, { headers: { 'Api-Key': 'emulator-api-key' } });
    expect(download.status).toBe(200);
    expect(Buffer.from(await download.arrayBuffer()).equals(bytes)).toBe(true);
    expect(download.headers.get('content-disposition')).toMatch(/^attachment;/);
    expect(download.headers.get('x-content-type-options')).toBe('nosniff');
    expect(download.headers.get('content-type')).toBe('application/pdf');
  });

  it('downloads need the credentials of the business that owns the file', async () => {
    const { chatId } = await orderChat(run);
    const form = new FormData();
    form.append('file', new Blob(['secret']), 'a.txt');
    await call(run.url, 'sendFileToChat', { query: { chatId }, body: form });
    const [message] = await history(run.url, chatId);
    const url = message.payload[0].url as string;
    expect((await fetch(url)).status).toBe(401);
    expect((await fetch(url, { headers: { 'Api-Key': 'other-key' } })).status).toBe(403);
    expect(
      (await fetch(`${run.url}/_emulator/files/1/x`, { headers: { 'Api-Key': 'emulator-api-key' } })).status,
    ).toBe(404);
  });

  it('decodes filename*, strips paths and control characters, serves active types as octet-stream', async () => {
    const { chatId } = await orderChat(run);
    const data = Buffer.from('<script>alert(1)</script>');
    const a = rawMultipart(
      `name="file"; filename="x.bin"; filename*=UTF-8''..%2F..%2Fetc%2F%D0%BE%D1%82%D1%87%D1%91%D1%82.html`,
      data,
    );
    expect((await call(run.url, 'sendFileToChat', { query: { chatId }, ...a })).status).toBe(200);
    const b = rawMultipart('name="file"; filename="C:\\\\temp\\\\evil\u0007name.txt"', Buffer.from('plain'));
    expect((await call(run.url, 'sendFileToChat', { query: { chatId }, ...b })).status).toBe(200);
    const [first, second] = await history(run.url, chatId);
    expect(first.payload[0].name).toBe('отчёт.html');
    expect(second.payload[0].name).toBe('evilname.txt');
    const download = await fetch(first.payload[0].url, { headers: { 'Api-Key': 'emulator-api-key' } });
    expect(download.headers.get('content-type')).toBe('application/octet-stream');
    expect(await download.text()).toBe(data.toString());
  });

  it('admin-posted attachments (customer photos) are downloadable too', async () => {
    const { chatId } = await orderChat(run);
    const bytes = Buffer.from([0xff, 0xd8, 1, 2, 3]);
    const msg = await run.admin.postMessage(BIZ, chatId, {
      sender: 'CUSTOMER',
      message: 'photo',
      payload: [{ name: 'photo.jpg', base64: bytes.toString('base64') }],
    });
    expect(msg.payload?.[0]).toMatchObject({ name: 'photo.jpg', size: 5 });
    const download = await fetch(msg.payload![0]!.url, { headers: { Authorization: 'Bearer x' } });
    expect(download.status).toBe(403);
    const ok = await fetch(msg.payload![0]!.url, { headers: { 'Api-Key': 'emulator-api-key' } });
    expect(Buffer.from(await ok.arrayBuffer()).equals(bytes)).toBe(true);
  });
});
