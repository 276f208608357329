/**
 * The order and return reads as requests: paths from the API root whatever the prefix, bodies and queries
 * that match the vendored orders spec, bad input refused before sending, and a 403 turned into a
 * MissingScopeError that names the scopes.
 */
import { validateRequest } from '@ym-chats/contract';
import {
  ChatsApi,
  type ClientOptions,
  MissingScopeError,
  NotFoundError,
  PermissionDeniedError,
  ValidationError,
} from '@ym-chats/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Recorded, ScriptedServer } from './support/server.js';

let server: ScriptedServer;
beforeAll(async () => {
  server = await ScriptedServer.start();
});
afterAll(() => server.close());

const client = (extra: Partial<ClientOptions> = {}) =>
  new ChatsApi({
    baseUrl: server.url,
    apiKey: 'api-key-1234567890',
    rateLimit: false,
    maxRetries: 0,
    ...extra,
  });

function contract(req: Recorded) {
  const body = req.body.length > 0 ? JSON.parse(req.body.toString()) : undefined;
  return validateRequest('orders', { method: req.method, url: req.url, headers: req.headers, body });
}

describe('getBusinessOrders and getReturn requests', () => {
  it.each(['/v2', ''])(
    'use their own paths from the root with pathPrefix "%s", valid against the spec',
    async (pathPrefix) => {
      server.reply({ body: { orders: [] } });
      const api = client({ pathPrefix });
      await api.getBusinessOrders(
        11,
        {
          orderIds: [9_007_199_254_740_993n, 5],
          campaignIds: [20],
          statuses: ['DELIVERY'],
          substatuses: ['READY_TO_SHIP'],
          dates: { creationDateFrom: '2026-11-01', updateDateTo: '2026-11-20T10:00:00+03:00' },
          fake: false,
        },
        'tok en',
        50,
      );
      const orders = server.requests[0]!;
      expect(orders.method).toBe('POST');
      expect(orders.url).toBe(
        `/v1/businesses/11/orders?${pathPrefix === '' ? 'page_token' : 'pageToken'}=tok%20en&limit=50`,
      );
      expect(contract(orders).errors).toEqual([]);
      server.reply({
        body: { status: 'OK', result: { id: 3, orderId: 2, items: [], returnType: 'RETURN' } },
      });
      await api.getReturn(20, 2n, 3);
      const ret = server.requests[0]!;
      expect(`${ret.method} ${ret.url} ${ret.body.length}`).toBe('GET /v2/campaigns/20/orders/2/returns/3 0');
      expect(contract(ret).errors).toEqual([]);
    },
  );

  it('sends the filter as JSON with big ids intact, the page token and limit in the query', async () => {
    server.reply({ body: { orders: [] } });
    await client().getBusinessOrders(11, { orderIds: [9_007_199_254_740_993n] }, 'a b', 7);
    const req = server.requests[0]!;
    expect(req.method).toBe('POST');
    expect(req.url).toBe('/v1/businesses/11/orders?pageToken=a%20b&limit=7');
    expect(req.body.toString()).toBe('{"orderIds":[9007199254740993]}');
    expect(contract(req).errors).toEqual([]);
    server.reply({ body: { orders: [] } });
    await client().getBusinessOrders(11);
    expect(server.requests[0]!.body.toString()).toBe('{}');
    expect(contract(server.requests[0]!).errors).toEqual([]);
  });

  it('refuses bad input before sending, naming the field', async () => {
    server.reply({ body: { orders: [] } });
    const api = client();
    const ids = Array.from({ length: 51 }, (_, i) => i + 1);
    await expect(api.getBusinessOrders(11, { orderIds: ids })).rejects.toThrow(
      /getBusinessOrdersRequest.orderIds: has 51 values; at most 50/,
    );
    await expect(api.getBusinessOrders(11, { orderId: [1] } as never)).rejects.toThrow(
      /orderId: is not a field of this request/,
    );
    await expect(api.getBusinessOrders(11, { dates: { creationDateFrom: '1.11.2026' } })).rejects.toThrow(
      /dates.creationDateFrom: must be a date YYYY-MM-DD/,
    );
    await expect(api.getBusinessOrders(11, {}, undefined, 51)).rejects.toThrow(ValidationError);
    await expect(api.getReturn(0, 1, 2)).rejects.toThrow(/campaignId: must be a positive 64-bit integer/);
    await expect(api.getReturn(1, 1, 2.5)).rejects.toThrow(/returnId/);
    expect(server.requests).toHaveLength(0);
  });

  it('a 403 is a MissingScopeError naming the scopes; a 404 a NotFoundError', async () => {
    server.reply({
      status: 403,
      body: { status: 'ERROR', errors: [{ code: 'FORBIDDEN', message: 'Access denied' }] },
    });
    const error = await client()
      .getReturn(1, 2, 3)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MissingScopeError);
    expect(error).toBeInstanceOf(PermissionDeniedError);
    const scoped = error as MissingScopeError;
    expect(scoped.scopes).toContain('inventory-and-order-processing:read-only');
    expect(scoped.message).toMatch(
      /lacks a scope this method needs \(one of: inventory-and-order-processing/,
    );
    expect(scoped.toJSON()).toMatchObject({ name: 'MissingScopeError', status: 403 });
    server.reply({ status: 403, body: { status: 'ERROR', errors: [{ code: 'FORBIDDEN' }] } });
    const chat = await client()
      .getChat(1, 2)
      .catch((e: unknown) => e);
    expect(chat).toBeInstanceOf(PermissionDeniedError);
    expect(chat).not.toBeInstanceOf(MissingScopeError);
    server.reply({ status: 404, body: { status: 'ERROR', errors: [{ code: 'NOT_FOUND' }] } });
    await expect(client().getReturn(1, 2, 3)).rejects.toThrow(NotFoundError);
  });
});
