/**
 * Drives the SDK through the emulator's fault injection and checks, against the history read afterwards
 * with faults off, that no send was lost or duplicated and that no iterator skipped or repeated an item.
 *
 * Oracle: every logical send carries a unique text (or file name). A send that resolved OK must appear
 * exactly once; one that failed with `maybeSent` may appear 0 or 1 times; one that failed with
 * `maybeSent: false` must not appear at all.
 */
import type { FaultRule, FaultRuleInput } from '@ym-chats/emulator';
import { type ChatMessage, type ChatsApi, ChatsApiError } from '@ym-chats/sdk';
import { CountingLogger } from './counting-logger.js';
import { BUSINESS, type EmulatorEnv, emulatorRequestSeq } from './emulator-env.js';
import { emptyFigures, type Figures } from './figures.js';
import { checkAscending, checkChatPass } from './page-oracle.js';

export interface FaultRunOptions {
  /** Names the run; part of every message text, so runs in one emulator never match each other. */
  label: string;
  verifiedResend: boolean;
  /**
   * `reset-in-past`: the emulator clock is moved into the previous hour, so an injected 420's
   * `X-RateLimit-Resource-Until` has already passed and the SDK retries after honouring it.
   * `reset-far`: real clock, the reset is up to an hour away, beyond `maxRateLimitWaitMs`: the 420
   * surfaces as a RateLimitError with `resetAt` (sends only, so verifying reads are not starved).
   */
  rateLimitMode: 'reset-in-past' | 'reset-far';
  workers: number;
  sendsPerWorker: number;
  seed: number;
  /** Injected latency, well over the client's timeoutMs. */
  delayMs?: number;
  timeoutMs?: number;
}

export interface FaultRunReport {
  figures: Figures;
  /** Client attempts vs API requests the emulator numbered in the same span. */
  emulatorRequests: number;
  outcomes: Record<Outcome, number>;
  /** Send errors by class, status and maybeSent. */
  errorKinds: Record<string, number>;
  /** Complete iterator passes checked. */
  passes: number;
  /** Logical sends whose history count broke the oracle, for the failure message. */
  violations: string[];
}

type Outcome = 'ok' | 'maybeSent' | 'notSent';

interface SendRecord {
  key: string;
  chatId: number;
  outcome: Outcome;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function faultRules(options: FaultRunOptions): FaultRuleInput[] {
  const delayMs = options.delayMs ?? 900;
  const rateLimit: FaultRuleInput[] =
    options.rateLimitMode === 'reset-in-past'
      ? [{ status: 420, probability: 0.12 }]
      : [
          { operation: 'sendMessageToChat', status: 420, probability: 0.1 },
          { operation: 'sendFileToChat', status: 420, probability: 0.1 },
        ];
  return [
    ...rateLimit,
    { status: 500, probability: 0.05 },
    { status: 503, probability: 0.05 },
    { drop: 'before', probability: 0.04 },
    { drop: 'after', probability: 0.05 },
    { delayMs, probability: 0.05 },
  ];
}

/** A 503 burst: the next `count` API requests of any kind fail. Rules with a count vanish when spent. */
const BURST: FaultRuleInput = { status: 503, count: 6 };

export async function runFaults(env: EmulatorEnv, options: FaultRunOptions): Promise<FaultRunReport> {
  const logger = new CountingLogger();
  const api = env.client({
    logger,
    logLevel: 'debug',
    timeoutMs: options.timeoutMs ?? 400,
    maxRetries: 6,
    verifiedResend: options.verifiedResend,
    // No settle override: a verified resend waits the SDK's default (the platform's 10 s window plus a
    // margin, from when the last attempt ended), as it would against the real platform.
    retry: { baseDelayMs: 2, maxDelayMs: 40, maxRateLimitWaitMs: 1_500 },
    // An injected 420 says "remaining 0 until the top of the hour"; with a far reset the limiter would
    // rightly believe it and refuse every later send locally, starving the run. The limiter is proven
    // in its own tests; here the far-reset run lets each 420 surface on its own.
    ...(options.rateLimitMode === 'reset-far' ? { rateLimit: false as const } : {}),
  });
  const figures = emptyFigures();
  const records: SendRecord[] = [];
  const violations: string[] = [];

  // Chats for the workers are made before the faults start (createChat under faults is driven below too).
  const chats: number[] = [];
  for (let w = 0; w < options.workers; w++) {
    const order = await env.admin.createOrder(BUSINESS);
    chats.push(
      (await env.admin.createChat(BUSINESS, { context: { type: 'ORDER', id: order.orderId } })).chat.chatId,
    );
  }

  if (options.rateLimitMode === 'reset-in-past') {
    const now = Date.now();
    await env.admin.clock({ setMs: now - (now % 3_600_000) - 1_800_000 });
  }
  const seqBefore = await emulatorRequestSeq(env.url);
  const added = await env.admin.addFaults(faultRules(options), options.seed);
  const ruleIds = new Set(added.added.map((r) => r.id));
  const bursts: FaultRule[] = [];

  const errorKinds: Record<string, number> = {};
  let running = true;
  const errorsSeen = { n: 0 };

  const sender = async (w: number) => {
    const chatId = chats[w]!;
    for (let n = 0; n < options.sendsPerWorker; n++) {
      if (w === 0 && n > 0 && n % 10 === 0) bursts.push(...(await env.admin.addFaults([BURST])).added);
      const key = `${options.label}-w${w}-n${n}`;
      const asFile = n % 7 === 3;
      let outcome: Outcome;
      try {
        if (asFile) {
          await api.sendFileToChat(BUSINESS, chatId, {
            data: new TextEncoder().encode(key),
            name: `${key}.txt`,
          });
        } else {
          await api.sendMessageToChat(BUSINESS, chatId, { message: key });
        }
        outcome = 'ok';
      } catch (error) {
        if (!(error instanceof ChatsApiError)) throw error;
        errorsSeen.n++;
        outcome = error.maybeSent ? 'maybeSent' : 'notSent';
        const kind = `${error.name}${error.status ? ` ${error.status}` : ''} maybeSent=${error.maybeSent}`;
        errorKinds[kind] = (errorKinds[kind] ?? 0) + 1;
      }
      records.push({ key: asFile ? `${key}.txt` : key, chatId, outcome });
      figures.sent++;
    }
  };

  /** Highest message id known to exist per chat (from the buyer's admin posts, which faults never touch). */
  const lastKnown = new Map<number, number>();
  // Buyers keep writing while the iterators page, so pages shift under them.
  const buyer = async () => {
    let i = 0;
    while (running) {
      const chatId = chats[i % chats.length]!;
      const posted = await env.admin.postMessage(BUSINESS, chatId, {
        sender: 'CUSTOMER',
        message: `buyer-${options.label}-${i++}`,
      });
      lastKnown.set(chatId, posted.messageId);
      await sleep(5);
    }
  };

  const createOrder = await env.admin.createOrder(BUSINESS);
  const createdChats = new Set<number>();
  const passes: { kind: 'chats' | 'history'; chatId: number; floor: number; ids: number[] }[] = [];
  const reader = async () => {
    let round = 0;
    while (running) {
      const chatId = chats[round % chats.length]!;
      const floor = lastKnown.get(chatId) ?? 0;
      passes.push({
        kind: 'history',
        chatId,
        floor,
        ids: await fullPass(
          () => api.iterateChatHistory(BUSINESS, chatId, {}, { limit: 7 }),
          (m) => m.messageId,
          errorsSeen,
        ),
      });
      if (round % 3 === 0) {
        passes.push({
          kind: 'chats',
          chatId: 0,
          floor: 0,
          ids: await fullPass(
            () => api.iterateChats(BUSINESS, {}, { limit: 9 }),
            (c) => c.chatId,
            errorsSeen,
          ),
        });
        // createChat under faults: idempotent, retried by the SDK; must return the same chat every time.
        const chatId = await createChatFor(api, createOrder.orderId, errorsSeen);
        if (chatId !== undefined) createdChats.add(chatId);
      }
      round++;
    }
  };

  const background = [buyer(), reader()];
  await Promise.all(Array.from({ length: options.workers }, (_, w) => sender(w)));
  running = false;
  await Promise.all(background);

  const rules = (await env.admin.state()).faults;
  await env.admin.clearFaults();
  // Read after the faults are cleared: the oracle's own request must not meet a dropped connection or a 503.
  const seqAfter = await emulatorRequestSeq(env.url);
  await env.admin.clock({ setMs: Date.now() });
  for (const rule of rules)
    if (ruleIds.has(rule.id) || bursts.some((b) => b.id === rule.id)) figures.faultsInjected += rule.fired;
  for (const burst of bursts)
    if (!rules.some((r) => r.id === burst.id)) figures.faultsInjected += burst.count ?? 0;

  // The truth, read with faults off.
  const truth = new Map<number, ChatMessage[]>();
  for (const chatId of chats) truth.set(chatId, await env.history(chatId));
  const outcomes: Record<Outcome, number> = { ok: 0, maybeSent: 0, notSent: 0 };
  for (const record of records) {
    outcomes[record.outcome]++;
    const found = (truth.get(record.chatId) ?? []).filter(
      (m) =>
        m.sender === 'PARTNER' && (m.message === record.key || m.payload?.some((p) => p.name === record.key)),
    ).length;
    if (found > 1) {
      figures.duplicated++;
      violations.push(`${record.key} (${record.outcome}) appears ${found} times`);
    } else if (record.outcome === 'ok' && found === 0) {
      figures.lost++;
      violations.push(`${record.key} resolved OK but is missing`);
    } else if (record.outcome === 'notSent' && found === 1) {
      figures.phantoms++;
      violations.push(`${record.key} failed with maybeSent false but was delivered`);
    } else if (record.outcome === 'maybeSent') {
      if (found === 1) figures.maybeSentDelivered++;
      else figures.maybeSentMissing++;
    }
  }

  // Repeating createChat must never open a second chat for the same order.
  const chatsForOrder: number[] = [];
  const clean = env.client({ rateLimit: false });
  for await (const c of clean.iterateChats(BUSINESS, { orderIds: [createOrder.orderId] }))
    chatsForOrder.push(c.chatId);
  if (chatsForOrder.length > 1 || createdChats.size > 1) {
    figures.duplicated += Math.max(chatsForOrder.length, createdChats.size) - 1;
    violations.push(`createChat for order ${createOrder.orderId} gave chats ${[...createdChats].join(', ')}`);
  }

  const allChats: number[] = [];
  for await (const c of clean.iterateChats(BUSINESS, {}, { limit: 20 })) allChats.push(c.chatId);
  for (const pass of passes) {
    const result =
      pass.kind === 'history'
        ? checkAscending(
            pass.ids,
            (truth.get(pass.chatId) ?? []).map((m) => m.messageId),
            pass.floor,
          )
        : checkChatPass(pass.ids, allChats);
    figures.pagesSkipped += result.skipped;
    figures.pagesRepeated += result.repeated;
    if (result.skipped + result.repeated > 0)
      violations.push(
        `${pass.kind} pass ${pass.chatId}: ${result.skipped} skipped, ${result.repeated} repeated`,
      );
  }

  figures.calls = logger.calls;
  figures.retries = logger.retries;
  figures.errorsSurfaced = errorsSeen.n;
  return {
    figures,
    emulatorRequests: seqAfter - seqBefore - 1,
    outcomes,
    errorKinds,
    passes: passes.length,
    violations,
  };
}

/**
 * One complete pass of an SDK iterator. If the iterator throws (retries exhausted), the pass starts over:
 * a caller cannot resume a generator, and the check is on complete passes.
 */
async function fullPass<T>(
  iterate: () => AsyncGenerator<T>,
  id: (item: T) => number,
  errorsSeen: { n: number },
): Promise<number[]> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const ids: number[] = [];
    try {
      for await (const item of iterate()) ids.push(id(item));
      return ids;
    } catch (error) {
      if (!(error instanceof ChatsApiError)) throw error;
      errorsSeen.n++;
    }
  }
  throw new Error('an iterator failed 20 passes in a row');
}

/** createChat for one order, repeated under faults; returns the chat id, or undefined if it surfaced an error. */
async function createChatFor(
  api: ChatsApi,
  orderId: number,
  errorsSeen: { n: number },
): Promise<number | undefined> {
  try {
    return (await api.createChat(BUSINESS, { context: { type: 'ORDER', id: orderId } })).result.chatId;
  } catch (error) {
    if (!(error instanceof ChatsApiError)) throw error;
    errorsSeen.n++;
    return undefined;
  }
}
