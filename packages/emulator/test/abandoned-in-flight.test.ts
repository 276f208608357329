/**
 * `countAbandonedInFlight`: a request whose client hung up still holds one of its business's parallel
 * slots until its handling ends (as on the platform), or frees it when the connection closes (the
 * default). Over HTTP, with requests held by an injected delay; the admin state shows what is in flight.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { API_KEY, BIZ, call, type Running, start } from './helpers.js';

let run: Running | undefined;
afterEach(async () => {
  await run?.emu.close();
  run = undefined;
});

const inFlight = async () => (await run!.admin.state()).quotas.inFlight[String(BIZ)] ?? 0;

async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (await check()) return;
    await sleep(10);
  }
  throw new Error(`never happened: ${what}`);
}

/** Four getChats held `delayMs` by the emulator; resolves once all four are in flight, then hangs up. */
async function fourAbandoned(delayMs: number): Promise<void> {
  const controllers = [1, 2, 3, 4].map(() => new AbortController());
  const pending = controllers.map((c) =>
    fetch(`${run!.url}/v2/businesses/${BIZ}/chats`, {
      method: 'POST',
      headers: { ...API_KEY, 'content-type': 'application/json', 'X-Emulator-Fault': `delay=${delayMs}` },
      body: '{}',
      signal: c.signal,
    }).catch((e: unknown) => e),
  );
  await until(async () => (await inFlight()) === 4, 'four requests in flight');
  for (const c of controllers) c.abort();
  for (const outcome of await Promise.all(pending)) expect(outcome).toBeInstanceOf(Error);
}

describe('countAbandonedInFlight', () => {
  it('on: a request whose client hung up holds its slot until its handling ends; a fifth gets the parallel 420', async () => {
    run = await start({ countAbandonedInFlight: true });
    await fourAbandoned(1_000);
    // Long enough for the emulator to see the four connections close.
    await sleep(150);
    expect(await inFlight()).toBe(4);
    const fifth = await call(run.url, 'getChats');
    expect(fifth.status).toBe(420);
    expect(fifth.body.errors[0].message).toMatch(/parallel/);
    // The held handling ends: the slots come back without anyone calling again.
    await until(async () => (await inFlight()) === 0, 'the abandoned requests finished');
    expect((await call(run.url, 'getChats')).status).toBe(200);
    expect((await run.admin.state()).quotas.counters[String(BIZ)]).toMatchObject({ parallel: 1 });
  });

  it('off (the default): the slot is freed when the client hangs up, long before the handling ends', async () => {
    run = await start();
    // Held far longer than `until` looks: only the hang-up can free the slots in time.
    await fourAbandoned(10_000);
    await until(async () => (await inFlight()) === 0, 'the slots freed by the hang-ups');
    expect((await call(run.url, 'getChats')).status).toBe(200);
    expect((await run.admin.state()).quotas.counters[String(BIZ)]).toMatchObject({ parallel: 0 });
  });
});
