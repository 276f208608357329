/** Admin handlers for the emulator's controls: clock, quotas, faults, notifications, seed, credentials, state. */
import {
  type AdminContext,
  type AdminDeps,
  bad,
  type Json,
  numberField,
  optionalId,
} from './admin-context.js';
import { FieldErrors } from './errors.js';
import { checkFaultRule, type FaultRuleInput } from './faults.js';
import { parseIdJson } from './ids.js';
import type { QuotaSettings } from './quotas.js';
import { seedBusiness } from './seed.js';
import { isoMsk } from './time.js';
import { isOneOf, OPERATION_IDS, type OperationId } from './types.js';

export function clockState(deps: AdminDeps) {
  const now = deps.clock.now();
  return { now, iso: isoMsk(now), offsetMs: deps.clock.offsetMs };
}

export function postClock(deps: AdminDeps, ctx: AdminContext): unknown {
  const advance = numberField(ctx.body, 'advanceMs');
  const set = numberField(ctx.body, 'setMs');
  if ((advance === undefined) === (set === undefined)) throw bad('give exactly one of advanceMs, setMs');
  if (advance !== undefined) deps.clock.advance(advance);
  if (set !== undefined) deps.clock.set(set);
  return clockState(deps);
}

export function postQuotas(deps: AdminDeps, ctx: AdminContext): unknown {
  const settings: QuotaSettings = {};
  const { enabled, limits, concurrency, reset } = ctx.body;
  if (enabled !== undefined) {
    if (typeof enabled !== 'boolean') throw bad('enabled: must be a boolean');
    settings.enabled = enabled;
  }
  const scale = numberField(ctx.body, 'scale');
  if (scale !== undefined) {
    if (scale <= 0) throw bad('scale: must be positive');
    settings.scale = scale;
  }
  if (limits !== undefined) {
    if (typeof limits !== 'object' || limits === null) throw bad('limits: must be an object');
    const checked: Partial<Record<OperationId, number>> = {};
    for (const [op, n] of Object.entries(limits)) {
      if (!isOneOf(OPERATION_IDS, op)) throw bad(`limits.${op}: not an operation`);
      if (typeof n !== 'number' || !Number.isInteger(n) || n < 1)
        throw bad(`limits.${op}: must be a positive integer`);
      checked[op] = n;
    }
    settings.limits = checked;
  }
  if (concurrency !== undefined) {
    if (
      concurrency !== false &&
      (typeof concurrency !== 'number' || !Number.isInteger(concurrency) || concurrency < 1)
    )
      throw bad('concurrency: must be a positive integer or false');
    settings.concurrency = concurrency;
  }
  deps.quotas.configure(settings);
  if (reset === true) deps.quotas.resetCounters();
  return deps.quotas.describe();
}

export function postFaults(deps: AdminDeps, ctx: AdminContext): unknown {
  const raw = ctx.body;
  const seed = raw.seed;
  if (seed !== undefined) {
    if (typeof seed !== 'number' || !Number.isInteger(seed)) throw bad('seed: must be an integer');
    deps.faults.reseed(seed);
  }
  const items = Array.isArray(raw.rules)
    ? raw.rules
    : raw.rules === undefined && seed === undefined
      ? [raw]
      : [];
  const rules: FaultRuleInput[] = items.map((item, i) => {
    const checked = checkFaultRule(item);
    if (typeof checked === 'string') throw bad(`rules[${i}]: ${checked}`);
    return checked;
  });
  return { added: deps.faults.add(rules), rules: deps.faults.list() };
}

export function postNotificationConfig(deps: AdminDeps, ctx: AdminContext): unknown {
  const { url, retryScheduleMs, timeoutMs } = ctx.body;
  if (url === null) {
    deps.notifier.configure(undefined);
    return { config: null };
  }
  if (typeof url !== 'string' || !/^https?:\/\//.test(url)) throw bad('url: must be an http(s) URL or null');
  if (
    retryScheduleMs !== undefined &&
    (!Array.isArray(retryScheduleMs) || !retryScheduleMs.every((n) => typeof n === 'number' && n >= 0))
  )
    throw bad('retryScheduleMs: must be an array of non-negative numbers');
  if (timeoutMs !== undefined && (typeof timeoutMs !== 'number' || timeoutMs <= 0))
    throw bad('timeoutMs: must be a positive number');
  deps.notifier.configure({
    url,
    retryScheduleMs: retryScheduleMs as number[] | undefined,
    timeoutMs: timeoutMs as number | undefined,
  });
  return { config: deps.notifier.config };
}

export function postSeed(deps: AdminDeps, ctx: AdminContext): unknown {
  const seed = numberField(ctx.body, 'seed');
  if (seed === undefined || !Number.isInteger(seed)) throw bad('seed: required integer');
  const chats = numberField(ctx.body, 'chats');
  if (chats !== undefined && (!Number.isInteger(chats) || chats < 0 || chats > 10_000))
    throw bad('chats: must be an integer 0..10000');
  const businessId = optionalId(ctx.body, 'businessId') ?? defaultBusiness(deps);
  return seedBusiness(deps.store, { seed, businessId, chats, now: deps.clock.now() });
}

function defaultBusiness(deps: AdminDeps): number {
  return deps.auth.list()[0]?.businessIds[0] ?? 1001;
}

export function postCredential(deps: AdminDeps, ctx: AdminContext): unknown {
  const { apiKey, oauthToken, businessIds, scopes } = ctx.body;
  if (apiKey !== undefined && (typeof apiKey !== 'string' || apiKey.length === 0))
    throw bad('apiKey: must be a string');
  if (oauthToken !== undefined && (typeof oauthToken !== 'string' || oauthToken.length === 0))
    throw bad('oauthToken: must be a string');
  if (apiKey === undefined && oauthToken === undefined) throw bad('give apiKey and/or oauthToken');
  if (!Array.isArray(businessIds) || businessIds.length === 0)
    throw bad('businessIds: must be a non-empty array');
  if (
    scopes !== undefined &&
    (!Array.isArray(scopes) || !scopes.every((x) => typeof x === 'string' && /^[a-z][a-z:-]*$/.test(x)))
  )
    throw bad('scopes: must be an array of scope names such as "communication" (omit it for all methods)');
  const errors = new FieldErrors();
  const ids = businessIds.map((v, i) => parseIdJson(v, `businessIds[${i}]`, errors));
  errors.throwIfAny();
  deps.auth.add({
    apiKey: apiKey as string | undefined,
    oauthToken: oauthToken as string | undefined,
    businessIds: ids as number[],
    ...(scopes === undefined ? {} : { scopes: scopes as string[] }),
  });
  return { credentials: deps.auth.list() };
}

export function adminState(deps: AdminDeps, ctx: AdminContext): unknown {
  const businesses = new Set<number>(deps.store.businessIds());
  for (const c of deps.auth.list()) for (const b of c.businessIds) businesses.add(b);
  const deliveries = deps.notifier.deliveries();
  const result: Json = {
    url: deps.baseUrl(),
    clock: clockState(deps),
    totals: deps.store.counts(),
    businesses: [...businesses]
      .sort((a, b) => a - b)
      .map((b) => ({ businessId: b, ...deps.store.counts(b) })),
    credentials: deps.auth.list(),
    quotas: deps.quotas.describe(),
    faults: deps.faults.list(),
    notifications: {
      config: deps.notifier.config ?? null,
      pending: deliveries.filter((d) => d.state === 'pending').length,
      delivered: deliveries.filter((d) => d.state === 'delivered').length,
      failed: deliveries.filter((d) => d.state === 'failed').length,
    },
  };
  if (ctx.query.get('full') === '1') result.data = deps.store.dump();
  return result;
}
