/** Fault injection: rules chosen by operation and probability, or one request's `X-Emulator-Fault` header. */
import { mulberry32, type Rng } from './prng.js';
import { isOneOf, OPERATION_IDS, type OperationId } from './types.js';

export const FAULT_STATUSES = [420, 500, 503] as const;
export type FaultStatus = (typeof FAULT_STATUSES)[number];

export interface FaultPlan {
  status?: FaultStatus;
  delayMs?: number;
  drop?: 'before' | 'after';
}

export interface FaultRuleInput extends FaultPlan {
  operation?: OperationId;
  probability?: number;
  /** How many times the rule may fire; unlimited when absent. */
  count?: number;
}

export interface FaultRule extends FaultRuleInput {
  id: number;
  probability: number;
  fired: number;
}

const MAX_DELAY_MS = 60_000;

/** Parses `status=503,delay=1500,drop=before`; returns an error text for anything else. */
export function parseFaultHeader(value: string): FaultPlan | string {
  const plan: FaultPlan = {};
  for (const item of value.split(',')) {
    const [rawKey, rawValue = ''] = item.split('=', 2).map((s) => s.trim());
    if (rawKey === 'status') {
      const status = Number(rawValue);
      if (!(FAULT_STATUSES as readonly number[]).includes(status))
        return `X-Emulator-Fault: status must be one of ${FAULT_STATUSES.join(', ')}, got "${rawValue}"`;
      plan.status = status as FaultStatus;
    } else if (rawKey === 'delay') {
      const delay = Number(rawValue);
      if (!/^\d+$/.test(rawValue) || delay > MAX_DELAY_MS)
        return `X-Emulator-Fault: delay must be 0..${MAX_DELAY_MS} ms, got "${rawValue}"`;
      plan.delayMs = delay;
    } else if (rawKey === 'drop') {
      if (rawValue !== 'before' && rawValue !== 'after')
        return `X-Emulator-Fault: drop must be "before" or "after", got "${rawValue}"`;
      plan.drop = rawValue;
    } else {
      return `X-Emulator-Fault: unknown item "${item.trim()}" (use status=, delay=, drop=)`;
    }
  }
  return plan;
}

/** Checks one rule from the admin API; returns an error text or the normalized rule. */
export function checkFaultRule(input: unknown): FaultRuleInput | string {
  if (typeof input !== 'object' || input === null || Array.isArray(input))
    return 'a fault rule must be an object';
  const r = input as Record<string, unknown>;
  const rule: FaultRuleInput = {};
  if (r.operation !== undefined) {
    if (!isOneOf(OPERATION_IDS, r.operation)) return `operation: must be one of ${OPERATION_IDS.join(', ')}`;
    rule.operation = r.operation;
  }
  if (r.probability !== undefined) {
    if (typeof r.probability !== 'number' || r.probability < 0 || r.probability > 1)
      return 'probability: must be a number between 0 and 1';
    rule.probability = r.probability;
  }
  if (r.status !== undefined) {
    if (!(FAULT_STATUSES as readonly unknown[]).includes(r.status))
      return `status: must be one of ${FAULT_STATUSES.join(', ')}`;
    rule.status = r.status as FaultStatus;
  }
  if (r.delayMs !== undefined) {
    if (
      typeof r.delayMs !== 'number' ||
      !Number.isInteger(r.delayMs) ||
      r.delayMs < 0 ||
      r.delayMs > MAX_DELAY_MS
    )
      return `delayMs: must be an integer 0..${MAX_DELAY_MS}`;
    rule.delayMs = r.delayMs;
  }
  if (r.drop !== undefined) {
    if (r.drop !== 'before' && r.drop !== 'after') return 'drop: must be "before" or "after"';
    rule.drop = r.drop;
  }
  if (r.count !== undefined) {
    if (typeof r.count !== 'number' || !Number.isInteger(r.count) || r.count < 1)
      return 'count: must be a positive integer';
    rule.count = r.count;
  }
  if (rule.status === undefined && rule.delayMs === undefined && rule.drop === undefined)
    return 'a fault rule needs status, delayMs or drop';
  return rule;
}

export class Faults {
  private rules: FaultRule[] = [];
  private nextId = 1;
  private rng: Rng;

  constructor(seed?: number) {
    this.rng = seed === undefined ? Math.random : mulberry32(seed);
  }

  reseed(seed: number): void {
    this.rng = mulberry32(seed);
  }

  add(inputs: FaultRuleInput[]): FaultRule[] {
    const added = inputs.map((input) => ({
      ...input,
      id: this.nextId++,
      probability: input.probability ?? 1,
      fired: 0,
    }));
    this.rules.push(...added);
    return added;
  }

  list(): FaultRule[] {
    return this.rules.map((r) => ({ ...r }));
  }

  clear(): void {
    this.rules = [];
  }

  /** The first matching rule that fires for this request, merged into one plan. */
  pick(op: OperationId): FaultPlan | undefined {
    if (this.rules.length === 0) return undefined;
    for (const rule of this.rules) {
      if (rule.operation !== undefined && rule.operation !== op) continue;
      if (rule.probability < 1 && this.rng() >= rule.probability) continue;
      rule.fired++;
      if (rule.count !== undefined && rule.fired >= rule.count)
        this.rules = this.rules.filter((r) => r !== rule);
      const plan: FaultPlan = {};
      if (rule.status !== undefined) plan.status = rule.status;
      if (rule.delayMs !== undefined) plan.delayMs = rule.delayMs;
      if (rule.drop !== undefined) plan.drop = rule.drop;
      return plan;
    }
    return undefined;
  }
}
