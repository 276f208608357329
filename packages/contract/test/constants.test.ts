/**
 * The SDK and the emulator each keep the platform's numbers and enum lists in code (the emulator may not
 * import the SDK). This pins both to the vendored current chat spec and the orders subset, so neither can
 * drift from them or from the other: operation methods and paths, hourly quotas and parallel caps (the
 * spec's `x-resource-limit-config`), scopes, the chat and order enums, the 4096-character message limit
 * and the page-size maximums.
 */

import { loadSpec } from '@ym-chats/contract';
import * as emulator from '@ym-chats/emulator';
import * as sdk from '@ym-chats/sdk';
import { describe, expect, it } from 'vitest';

type Node = Record<string, unknown>;
const doc = loadSpec('current').doc as Node;
const ordersDoc = loadSpec('orders').doc as Node;
const schemas = (doc.components as Node).schemas as Record<string, Node>;
const orderSchemas = (ordersDoc.components as Node).schemas as Record<string, Node>;

function deref(node: unknown, from: Node): Node {
  const n = node as Node;
  if (typeof n.$ref !== 'string') return n;
  return n.$ref
    .replace(/^#\//, '')
    .split('/')
    .reduce<Node>((at, part) => at[part] as Node, from);
}

interface SpecOperation {
  method: string;
  /** Chat paths under `/v2/businesses/{businessId}`; the order reads' whole path from the root. */
  path: string;
  quota: number;
  parallel?: number;
  scopes: string[];
  limitMax?: number;
}

const specOperations = new Map<string, SpecOperation>();
const chatOperations: string[] = [];
for (const [from, isChat] of [
  [doc, true],
  [ordersDoc, false],
] as const) {
  for (const [path, item] of Object.entries(from.paths as Record<string, Node>)) {
    for (const [method, raw] of Object.entries(item)) {
      const op = raw as Node;
      if (typeof op.operationId !== 'string') continue;
      const limits = op['x-resource-limit-config'] as {
        none: { amount: number; period: string };
        'parallel-limit-value'?: number;
      };
      expect(limits.none.period).toBe('hours');
      const limit = ((op.parameters ?? []) as unknown[])
        .map((p) => deref(p, from))
        .find((p) => p.name === 'limit');
      const entry: SpecOperation = {
        method: method.toUpperCase(),
        path: isChat ? path.replace(/^\/v2\/businesses\/\{businessId\}/, '') : path,
        quota: limits.none.amount,
        scopes: op['x-auth-scopes'] as string[],
      };
      if (limits['parallel-limit-value'] !== undefined) entry.parallel = limits['parallel-limit-value'];
      if (limit) entry.limitMax = (deref(limit.schema, from) as { maximum: number }).maximum;
      specOperations.set(op.operationId, entry);
      if (isChat) chatOperations.push(op.operationId);
    }
  }
}

describe('SDK and emulator against the current spec and the orders subset', () => {
  it('know the seven chat operations and the two order reads of the specs', () => {
    expect(Object.keys(sdk.OPERATIONS).sort()).toEqual([...specOperations.keys()].sort());
    expect(Object.keys(emulator.OPERATIONS).sort()).toEqual([...specOperations.keys()].sort());
  });

  it.each([...specOperations.keys()])('%s: method, path, quota and parallel cap in the SDK', (id) => {
    const spec = specOperations.get(id)!;
    const s: sdk.OperationSpec = sdk.OPERATIONS[id as sdk.OperationId];
    expect({ method: s.method, path: s.path, quota: s.hourlyQuota, parallel: s.parallel }).toEqual({
      method: spec.method,
      path: spec.path,
      quota: spec.quota,
      parallel: spec.parallel,
    });
    // The SDK names the scopes of the methods that need more than the chat ones (for MissingScopeError).
    if (!chatOperations.includes(id)) expect([...(s.scopes ?? [])].sort()).toEqual([...spec.scopes].sort());
  });

  it.each([...specOperations.keys()])(
    '%s: method, path, quota, parallel cap and scopes in the emulator',
    (id) => {
      const spec = specOperations.get(id)!;
      const e = emulator.OPERATIONS[id as emulator.OperationId];
      expect({
        method: e.method,
        path: `/${e.path}`,
        quota: e.hourlyQuota,
        parallel: e.parallel,
        scopes: [...e.scopes].sort(),
      }).toEqual({
        method: spec.method,
        path: spec.path,
        quota: spec.quota,
        parallel: spec.parallel,
        scopes: [...spec.scopes].sort(),
      });
    },
  );

  it.each([
    ['OrderStatusType', emulator.ORDER_STATUSES],
    ['RefundStatusType', emulator.REFUND_STATUSES],
    ['ReturnShipmentStatusType', emulator.RETURN_SHIPMENT_STATUSES],
  ] as const)('order enum %s', (schema, emulatorValues) => {
    expect([...emulatorValues].sort()).toEqual([...(orderSchemas[schema]!.enum as string[])].sort());
  });

  it("the emulator's order substatuses are the spec's", () => {
    const known = new Set(orderSchemas.OrderSubstatusType!.enum as string[]);
    expect(Object.keys(emulator.ORDER_SUBSTATUSES).filter((s) => !known.has(s))).toEqual([]);
  });

  it.each([
    ['ChatStatusType', sdk.CHAT_STATUSES, emulator.CHAT_STATUSES],
    ['ChatType', sdk.CHAT_TYPES, emulator.CHAT_TYPES],
    ['ChatContextType', sdk.CHAT_CONTEXT_TYPES, emulator.CONTEXT_TYPES],
    ['ChatMessageSenderType', sdk.MESSAGE_SENDERS, emulator.SENDERS],
  ] as const)('enum %s', (schema, sdkValues, emulatorValues) => {
    const values = [...(schemas[schema]!.enum as string[])].sort();
    expect([...sdkValues].sort()).toEqual(values);
    expect([...emulatorValues].sort()).toEqual(values);
  });

  it('message length limit', () => {
    const message = (schemas.SendMessageToChatRequest!.properties as Record<string, Node>).message!;
    expect(message.maxLength).toBe(4096);
    expect(sdk.MESSAGE_MAX_LENGTH).toBe(message.maxLength);
    expect(emulator.MESSAGE_MAX_LENGTH).toBe(message.maxLength);
  });

  it.each(['getChats', 'getChatHistory'] as const)('%s page-size maximum', (id) => {
    const max = specOperations.get(id)!.limitMax;
    expect(max).toBeGreaterThan(0);
    expect(sdk.PAGE_LIMITS[id].max).toBe(max);
    expect(emulator.OPERATIONS[id].page?.max).toBe(max);
  });

  it('getBusinessOrders page-size maximum', () => {
    const max = specOperations.get('getBusinessOrders')!.limitMax;
    expect(max).toBe(50);
    expect(emulator.OPERATIONS.getBusinessOrders.page?.max).toBe(max);
    expect(sdk.PAGE_LIMITS.getBusinessOrders.max).toBe(max);
  });
});
