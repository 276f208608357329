/**
 * `--metrics-port` as operators run it: the built binary (`serve`, and the workers: `sync --watch
 * --registered` and `serve --registered`) against the real emulator, `/metrics` fetched over HTTP and read as
 * Prometheus text (the same strict reader as sync's tests, from @ym-chats/testkit). A buyer's message (pushed
 * by the emulator to serve's endpoint) moves the waiting-chat gauge after the next pass; a reply through the
 * inbox's HTTP API moves the sent counter by exactly one, a refused one the failed counter; a 420 from a
 * one-request quota moves the 420 counter; the metrics port answers on 127.0.0.1 only.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChatsApi } from '@ym-chats/sdk';
import { parseExposition, sampleOf } from '@ym-chats/testkit';
import { afterEach, expect, it, vi } from 'vitest';
import {
  API_KEY,
  BUSINESS,
  cleanEnv,
  InboxPage,
  LongRun,
  requireBuilt,
  run,
  startEmulator,
  type TestEmulator,
} from './helpers.js';

vi.setConfig({ testTimeout: 90_000 });

const business = String(BUSINESS);
let emu: TestEmulator | undefined;
let child: LongRun | undefined;

afterEach(async () => {
  child?.kill('SIGINT');
  await child?.exited;
  child = undefined;
  await emu?.close();
  emu = undefined;
});

async function scrape(url: string) {
  const res = await fetch(url);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  const text = await res.text();
  const exposition = parseExposition(text);
  return {
    exposition,
    value: (name: string, labels: Record<string, string> = {}) => sampleOf(exposition, name, labels),
  };
}

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** What the machine answers on its non-loopback IPv4 address at `port`: ECONNREFUSED when bound to 127.0.0.1. */
async function fromOutside(port: number): Promise<string> {
  const outside = Object.values(networkInterfaces())
    .flat()
    .find((i) => i !== undefined && !i.internal && i.family === 'IPv4');
  expect(outside, 'a non-loopback IPv4 address to try').toBeDefined();
  return new Promise<string>((resolve) => {
    const req = request({ host: outside!.address, port, path: '/metrics', timeout: 5000 }, () =>
      resolve('answered'),
    );
    req.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.end();
  });
}

/** Chats waiting for the seller at the emulator (what the store mirrors after a pass). */
async function waitingAtPlatform(url: string): Promise<number> {
  const api = new ChatsApi({ apiKey: API_KEY, baseUrl: url, pathPrefix: '/v2' });
  let n = 0;
  for await (const chat of api.iterateChats(BUSINESS)) if (chat.status === 'WAITING_FOR_PARTNER') n++;
  return n;
}

it('serve: the waiting gauge follows a buyer, the sent counter a reply; passes, quota; loopback only', async () => {
  requireBuilt();
  emu = await startEmulator();
  const dir = mkdtempSync(join(tmpdir(), 'ym-metrics-cli-'));
  child = new LongRun(
    [
      'serve',
      '--port',
      '0',
      '--json',
      // A reconciling pass every 3 s: a message moves its chat's status at the next pass (a push stores
      // the message; the pass reads the status), and the waiting gauge counts statuses, as the queue does.
      '--reconcile',
      '0.05',
      '--metrics-port',
      '0',
      '--store',
      join(dir, 'store.sqlite'),
      ...emu.flags,
    ],
    { env: emu.env(), cwd: dir },
  );
  const endpoint = (await child.waitFor('stdout', /"endpoint":"([^"]+)"/))[1]!;
  const inbox = (await child.waitFor('stdout', /"inbox":"([^"]+)"/))[1]!.replace(/\/$/, '');
  const url = (await child.waitFor('stdout', /"event":"metrics","url":"([^"]+)"/))[1]!;
  expect(new URL(url).hostname).toBe('127.0.0.1');
  expect(await fromOutside(Number(new URL(url).port))).toBe('ECONNREFUSED');
  await child.waitFor('stdout', /"event":"pass"/, 30_000);

  const first = await scrape(url);
  for (const [name, type] of [
    ['ym_chats_waiting_chats', 'gauge'],
    ['ym_chats_oldest_wait_seconds', 'gauge'],
    ['ym_chats_push_queue_depth', 'gauge'],
    ['ym_chats_push_queue_lag_seconds', 'gauge'],
    ['ym_chats_pass_duration_seconds', 'histogram'],
    ['ym_chats_quota_remaining', 'gauge'],
    ['ym_chats_rate_limited_total', 'counter'],
    ['ym_chats_send_outcomes_total', 'counter'],
  ] as const)
    expect(first.exposition.types.get(name), name).toBe(type);
  const waiting = first.value('ym_chats_waiting_chats', { business })!;
  expect(waiting).toBe(await waitingAtPlatform(emu.url));
  expect(first.value('ym_chats_oldest_wait_seconds', { business })).toBeGreaterThan(0);
  expect(
    first.value('ym_chats_pass_duration_seconds_count', { business, outcome: 'passed' }),
  ).toBeGreaterThan(0);
  const quota = first.value('ym_chats_quota_remaining', { business, method: 'getChats' })!;
  expect(quota).toBeGreaterThan(0);
  expect(quota).toBeLessThan((await emu.admin.state()).quotas.limits.getChats);
  for (const outcome of ['sent', 'maybe_sent', 'failed'])
    expect(first.value('ym_chats_send_outcomes_total', { business, outcome }), outcome).toBe(0);

  // A buyer writes in a chat that waited for them (the emulator pushes it to serve's endpoint); after the
  // next pass the chat waits for the seller.
  const page = new InboxPage(inbox);
  await page.start();
  const answered = await page.call<{ chats: Array<{ chatId: number }> }>(
    'GET',
    '/api/queue?status=WAITING_FOR_CUSTOMER',
  );
  const chatId = answered.body.chats[0]!.chatId;
  await emu.admin.configureNotifications({ url: endpoint, retryScheduleMs: [100, 200] });
  await emu.admin.postMessage(BUSINESS, chatId, {
    sender: 'CUSTOMER',
    message: 'Подскажите, когда доставка?',
  });
  await until(
    async () => (await scrape(url)).value('ym_chats_waiting_chats', { business }),
    (n) => n === waiting + 1,
    'the waiting gauge after the buyer wrote',
  );

  // An agent replies through the inbox's HTTP API: one sent, and the chat no longer waits.
  const path = `/api/businesses/${BUSINESS}/chats/${chatId}`;
  const shown = await page.call<{ messages: Array<{ messageId: number }> }>('GET', `${path}/messages`);
  const reply = await page.call<{ state?: string }>('POST', `${path}/messages`, {
    text: 'Завтра до 18:00.',
    clientId: `metrics-${randomBytes(4).toString('hex')}`,
    page: 'page-metrics-01',
    seenMessageId: shown.body.messages.at(-1)!.messageId,
  });
  expect(reply.body.state).toBe('sent');
  const after = await until(
    () => scrape(url),
    (s) => s.value('ym_chats_waiting_chats', { business }) === waiting,
    'the waiting gauge after the reply',
  );
  expect(after.value('ym_chats_send_outcomes_total', { business, outcome: 'sent' })).toBe(1);
  expect(after.value('ym_chats_send_outcomes_total', { business, outcome: 'maybe_sent' })).toBe(0);
  expect(after.value('ym_chats_send_outcomes_total', { business, outcome: 'failed' })).toBe(0);
  expect(after.value('ym_chats_push_queue_depth', { business })).toBe(0);

  // A reply the platform refuses (a 420: provably not sent, and serve's client never waits one out) is
  // counted as failed, once.
  await emu.admin.addFaults([{ operation: 'sendMessageToChat', status: 420, count: 1 }]);
  const now = await page.call<{ messages: Array<{ messageId: number }> }>('GET', `${path}/messages`);
  const refused = await page.call<{ state?: string }>('POST', `${path}/messages`, {
    text: 'И ещё: курьер позвонит заранее.',
    clientId: `metrics-${randomBytes(4).toString('hex')}`,
    page: 'page-metrics-01',
    seenMessageId: now.body.messages.at(-1)!.messageId,
  });
  expect(refused.body.state).toBe('notSent');
  const last = await scrape(url);
  expect(last.value('ym_chats_send_outcomes_total', { business, outcome: 'failed' })).toBe(1);
  expect(last.value('ym_chats_send_outcomes_total', { business, outcome: 'sent' })).toBe(1);
});

it('serve: a 420 from a used-up quota moves the 420 counter', async () => {
  requireBuilt();
  emu = await startEmulator();
  // Five minutes into the hour after this one: the window (and so the wait for its reset) cannot end
  // while the test runs, whatever the minute it starts at.
  await emu.admin.clock({ setMs: Math.floor(Date.now() / 3_600_000) * 3_600_000 + 3_900_000 });
  await emu.admin.quotas({ limits: { getChats: 1 } });
  // Another client of the business spends the hour's one listing.
  await new ChatsApi({ apiKey: API_KEY, baseUrl: emu.url, pathPrefix: '/v2' }).getChats(BUSINESS);
  const dir = mkdtempSync(join(tmpdir(), 'ym-metrics-cli-'));
  child = new LongRun(
    [
      'serve',
      '--port',
      '0',
      '--no-inbox',
      '--metrics-port',
      '0',
      '--store',
      join(dir, 'store.sqlite'),
      ...emu.flags,
    ],
    { env: emu.env(), cwd: dir },
  );
  const url = (await child.waitFor('stderr', /Metrics: (\S+)/))[1]!;
  await child.waitFor('stderr', /quota used up/, 30_000);
  const seen = await scrape(url);
  expect(seen.value('ym_chats_rate_limited_total', { business, where: 'pass', by: 'platform' })).toBe(1);
  expect(seen.value('ym_chats_pass_duration_seconds_count', { business, outcome: 'failed' })).toBe(1);
  expect((await emu.admin.state()).quotas.counters[business]?.hourly).toBe(1);
});

it('the workers (sync --watch --registered, serve --registered) answer /metrics with per-business gauges', async () => {
  requireBuilt();
  emu = await startEmulator();
  const dir = mkdtempSync(join(tmpdir(), 'ym-metrics-worker-'));
  const store = join(dir, 'store.sqlite');
  const env = cleanEnv({ YM_CREDENTIALS_KEY: randomBytes(32).toString('base64') });
  const keyFile = join(dir, 'key.txt');
  writeFileSync(keyFile, `${API_KEY}\n`);
  chmodSync(keyFile, 0o600);
  const added = await run(['business', 'add', business, '--api-key-file', keyFile, '--store', store], {
    env,
  });
  expect(added.code, added.stderr).toBe(0);
  // The flag belongs to serve and the workers: plain `sync --watch` refuses it, naming the fix.
  const refused = await run(['sync', '--watch', '--metrics-port', '0', '--store', store, ...emu.flags], {
    env: emu.env(),
  });
  expect(refused.code).toBe(2);
  expect(refused.stderr).toContain('--metrics-port applies to workers: add --registered');

  child = new LongRun(
    [
      'sync',
      '--watch',
      '--registered',
      '--store',
      store,
      '--base-url',
      emu.url,
      '--interval',
      '0.5',
      '--lease',
      '3',
      '--json',
      '--metrics-port',
      '0',
    ],
    { env },
  );
  const url = (await child.waitFor('stdout', /"event":"metrics","url":"([^"]+)"/, 30_000))[1]!;
  expect(new URL(url).hostname).toBe('127.0.0.1');
  await child.waitFor('stdout', /"event":"pass"/, 30_000);
  const seen = await scrape(url);
  expect(seen.value('ym_chats_waiting_chats', { business })).toBe(await waitingAtPlatform(emu.url));
  expect(seen.value('ym_chats_push_queue_depth', { business })).toBe(0);
  expect(seen.value('ym_chats_pass_duration_seconds_count', { business, outcome: 'passed' })).toBeGreaterThan(
    0,
  );
  expect(seen.value('ym_chats_quota_remaining', { business, method: 'getChatHistory' })).toBeGreaterThan(0);

  // `serve --registered`, the other worker, on the same store (SQLite takes one worker at a time).
  child.kill('SIGINT');
  await child.exited;
  child = new LongRun(
    [
      'serve',
      '--registered',
      '--no-inbox',
      '--port',
      '0',
      '--store',
      store,
      '--base-url',
      emu.url,
      '--lease',
      '3',
      '--json',
      '--metrics-port',
      '0',
    ],
    { env },
  );
  const served = (await child.waitFor('stdout', /"event":"metrics","url":"([^"]+)"/, 30_000))[1]!;
  await child.waitFor('stdout', /"event":"pass"/, 30_000);
  const registered = await scrape(served);
  expect(registered.value('ym_chats_waiting_chats', { business })).toBe(await waitingAtPlatform(emu.url));
  expect(
    registered.value('ym_chats_pass_duration_seconds_count', { business, outcome: 'passed' }),
  ).toBeGreaterThan(0);
});
