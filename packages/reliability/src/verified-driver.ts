/**
 * Verified resend under the timings and inputs that once made it send twice or report a lost message as
 * sent. Every scenario uses a client with the SDK's default settings (no settle override, default
 * timeouts unless the scenario is about a short client timeout) and its own emulator, so admin faults and
 * the clock stay its own. All scenarios run at once.
 *
 * Oracle, per chat and content (a text, or a file's stored name): with `ok` sends resolved OK, `maybe`
 * failed with maybeSent and `found` copies in the history read afterwards, `found` must lie in
 * [ok, ok + maybe]. Fewer is a lost message; more is a duplicate, or a phantom when a send of that content
 * failed with maybeSent: false.
 */
import type { FaultRuleInput } from '@ym-chats/emulator';
import { type ChatsApi, ChatsApiError, type ClientOptions, storedFileName } from '@ym-chats/sdk';
import { CountingLogger } from './counting-logger.js';
import { API_KEY, BUSINESS, type EmulatorEnv, startEmulator } from './emulator-env.js';
import { emptyFigures, type Figures } from './figures.js';

type Outcome = 'ok' | 'maybeSent' | 'notSent';

interface Sent {
  chatId: number;
  /** Message text, or the stored file name. */
  key: string;
  outcome: Outcome;
}

interface ScenarioContext {
  env: EmulatorEnv;
  /** A client with default settings plus `verifiedResend: true` and the overrides given. */
  client(overrides?: Partial<ClientOptions>): ChatsApi;
  newChat(): Promise<number>;
  /** Sends and records the outcome; never throws for SDK errors. */
  text(api: ChatsApi, chatId: number, message: string, headers?: Record<string, string>): Promise<void>;
  file(api: ChatsApi, chatId: number, name: string, headers?: Record<string, string>): Promise<void>;
  faults(rules: FaultRuleInput[]): Promise<void>;
}

export interface Scenario {
  name: string;
  run(ctx: ScenarioContext): Promise<void>;
}

const fault = (value: string) => ({ 'X-Emulator-Fault': value });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Slow reads outlast the 9 s fault but stay inside the default 20 s slot lease (the SDK refuses longer). */
const READ_TIMEOUT_MS = 19_000;
/** A slow read may fail at the API; a refusal before sending (a TypeError) means the scenario never ran. */
const apiErrorsOnly = (error: unknown) => {
  if (!(error instanceof ChatsApiError)) throw error;
};

export const SCENARIOS: Scenario[] = [
  {
    name: 'queued sends behind slow reads (one slot), server 6 s, client timeout 2 s',
    async run(ctx) {
      const api = ctx.client({ rateLimit: { maxConcurrent: 1 }, timeoutMs: 2_000 });
      const chatId = await ctx.newChat();
      const read = api.getChats(BUSINESS, {}, undefined, undefined, {
        headers: fault('delay=9000'),
        timeoutMs: READ_TIMEOUT_MS,
      });
      await sleep(20);
      await Promise.all([1, 2, 3].map((n) => ctx.text(api, chatId, `queued ${n}`, fault('delay=6000'))));
      await read.catch(apiErrorsOnly);
    },
  },
  {
    name: 'queued sends behind four slow reads (default cap of 4)',
    async run(ctx) {
      const api = ctx.client({ timeoutMs: 2_000 });
      const chatId = await ctx.newChat();
      const reads = Array.from({ length: 4 }, () =>
        api.getChats(BUSINESS, {}, undefined, undefined, {
          headers: fault('delay=9000'),
          timeoutMs: READ_TIMEOUT_MS,
        }),
      );
      await sleep(20);
      await ctx.text(api, chatId, 'behind four reads', fault('delay=6000'));
      await Promise.all(reads.map((r) => r.catch(apiErrorsOnly)));
    },
  },
  {
    name: 'a credential function that takes 9 s on its first call',
    async run(ctx) {
      let first = true;
      const api = ctx.client({
        timeoutMs: 2_000,
        apiKey: async () => {
          if (first) {
            first = false;
            await sleep(9_000);
          }
          return API_KEY;
        },
      });
      const chatId = await ctx.newChat();
      await ctx.text(api, chatId, 'slow credentials', fault('delay=6000'));
    },
  },
  {
    name: 'file names the server rewrites, connection dropped after the write',
    async run(ctx) {
      const api = ctx.client();
      const names = ['report "final".pdf', 'C:\\scans\\inv.pdf', ' padded.pdf', 'dir/x.pdf', 'tab\tname.pdf'];
      names.push(`${'n'.repeat(240)}.pdf`);
      await Promise.all(
        names.map(async (name) => ctx.file(api, await ctx.newChat(), name, fault('drop=after'))),
      );
    },
  },
  {
    name: "the server's clock 6 minutes behind",
    async run(ctx) {
      const api = ctx.client();
      const chatId = await ctx.newChat();
      await ctx.env.admin.clock({ advanceMs: -6 * 60_000 });
      await ctx.text(api, chatId, 'skewed 1', fault('drop=after'));
      await ctx.faults([{ operation: 'sendMessageToChat', status: 500, count: 1 }]);
      await ctx.text(api, chatId, 'skewed 2');
    },
  },
  {
    name: 'identical texts sent on purpose, one after another and at once',
    async run(ctx) {
      const api = ctx.client();
      const chatId = await ctx.newChat();
      await ctx.text(api, chatId, 'Спасибо за заказ!');
      await ctx.faults([{ operation: 'sendMessageToChat', drop: 'before', count: 1 }]);
      await ctx.text(api, chatId, 'Спасибо за заказ!');
      await ctx.faults([{ operation: 'sendMessageToChat', drop: 'after', count: 1 }]);
      await Promise.all([ctx.text(api, chatId, 'at once'), ctx.text(api, chatId, 'at once')]);
    },
  },
  ...[15_000, 10_000].map(
    (delayMs): Scenario => ({
      name: `a delay of ${delayMs / 1000} s (at or past the platform's 10 s): abandoned with a 504`,
      async run(ctx) {
        const chatId = await ctx.newChat();
        await ctx.faults([{ operation: 'sendMessageToChat', delayMs, count: 1 }]);
        await ctx.text(ctx.client(), chatId, `delayed ${delayMs} ms`);
      },
    }),
  ),
  {
    name: 'a delay of 9.5 s with a 2 s client timeout: carried out after the client gave up',
    async run(ctx) {
      const chatId = await ctx.newChat();
      await ctx.faults([{ operation: 'sendMessageToChat', delayMs: 9_500, count: 1 }]);
      await ctx.text(ctx.client({ timeoutMs: 2_000 }), chatId, 'delayed 9.5 s');
    },
  },
];

export interface VerifiedRunReport {
  figures: Figures;
  outcomes: Record<Outcome, number>;
  violations: string[];
}

export async function runVerifiedScenarios(scenarios = SCENARIOS): Promise<VerifiedRunReport> {
  const figures = emptyFigures();
  const outcomes: Record<Outcome, number> = { ok: 0, maybeSent: 0, notSent: 0 };
  const violations: string[] = [];
  await Promise.all(
    scenarios.map(async (scenario) => {
      const env = await startEmulator({ seed: 7 });
      try {
        const { sent, logger, faultsFired } = await runOne(env, scenario);
        figures.calls += logger.calls;
        figures.retries += logger.retries;
        figures.faultsInjected += faultsFired;
        for (const s of sent) {
          outcomes[s.outcome]++;
          figures.sent++;
          if (s.outcome !== 'ok') figures.errorsSurfaced++;
        }
        await judge(env, scenario.name, sent, figures, violations);
      } finally {
        await env.close();
      }
    }),
  );
  return { figures, outcomes, violations };
}

async function runOne(env: EmulatorEnv, scenario: Scenario) {
  const logger = new CountingLogger();
  const sent: Sent[] = [];
  let headerFaults = 0;
  let ruleFaults = 0;
  const record = async (chatId: number, key: string, send: () => Promise<unknown>) => {
    let outcome: Outcome = 'ok';
    try {
      await send();
    } catch (error) {
      if (!(error instanceof ChatsApiError)) throw error;
      outcome = error.maybeSent ? 'maybeSent' : 'notSent';
    }
    sent.push({ chatId, key, outcome });
  };
  const ctx: ScenarioContext = {
    env,
    client: (overrides = {}) =>
      env.client({ verifiedResend: true, logger, logLevel: 'debug', retry: {}, ...overrides }),
    newChat: async () => {
      const order = await env.admin.createOrder(BUSINESS);
      return (await env.admin.createChat(BUSINESS, { context: { type: 'ORDER', id: order.orderId } })).chat
        .chatId;
    },
    text: (api, chatId, message, headers) => {
      if (headers) headerFaults++;
      return record(chatId, message, () =>
        api.sendMessageToChat(BUSINESS, chatId, { message }, headers ? { headers } : undefined),
      );
    },
    file: (api, chatId, name, headers) => {
      if (headers) headerFaults++;
      const data = new TextEncoder().encode(`contents of ${name}`);
      return record(chatId, storedFileName(name), () =>
        api.sendFileToChat(BUSINESS, chatId, { data, name }, headers ? { headers } : undefined),
      );
    },
    faults: async (rules) => {
      ruleFaults += rules.length;
      await env.admin.addFaults(rules);
    },
  };
  await scenario.run(ctx);
  const unfired = (await env.admin.state()).faults.length;
  await env.admin.clearFaults();
  await env.admin.clock({ setMs: Date.now() });
  return { sent, logger, faultsFired: headerFaults + ruleFaults - unfired };
}

async function judge(
  env: EmulatorEnv,
  scenario: string,
  sent: Sent[],
  figures: Figures,
  violations: string[],
) {
  const groups = new Map<string, { chatId: number; key: string; outcomes: Outcome[] }>();
  for (const s of sent) {
    const id = `${s.chatId}\u0000${s.key}`;
    const group = groups.get(id) ?? { chatId: s.chatId, key: s.key, outcomes: [] };
    group.outcomes.push(s.outcome);
    groups.set(id, group);
  }
  const histories = new Map<number, Awaited<ReturnType<EmulatorEnv['history']>>>();
  for (const group of groups.values()) {
    let history = histories.get(group.chatId);
    if (!history) {
      history = await env.history(group.chatId);
      histories.set(group.chatId, history);
    }
    const found = history.filter(
      (m) =>
        m.sender === 'PARTNER' &&
        (m.message === group.key || (m.payload ?? []).some((p) => p.name === group.key)),
    ).length;
    const ok = group.outcomes.filter((o) => o === 'ok').length;
    const maybe = group.outcomes.filter((o) => o === 'maybeSent').length;
    const refused = group.outcomes.length - ok - maybe;
    const excess = found - ok - maybe;
    const label = `${scenario}: "${group.key.slice(0, 40)}" ×${group.outcomes.length} (${group.outcomes.join(', ')})`;
    if (excess > 0) {
      if (refused > 0) figures.phantoms += excess;
      else figures.duplicated += excess;
      violations.push(`${label} appears ${found} times`);
    }
    if (found < ok) {
      figures.lost += ok - found;
      violations.push(`${label} appears only ${found} times`);
    }
    if (maybe > 0) {
      const delivered = Math.min(maybe, Math.max(0, found - ok));
      figures.maybeSentDelivered += delivered;
      figures.maybeSentMissing += maybe - delivered;
    }
  }
}
