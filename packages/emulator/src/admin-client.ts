/** A typed client for the admin namespace, for tests and the CLI. */
import type { EmulatorCredential } from './auth.js';
import type { FaultRule, FaultRuleInput } from './faults.js';
import type { Delivery, NotificationSettings } from './notifications.js';
import type { QuotaCounters } from './quotas.js';
import type { SeedSummary } from './seed.js';
import type { ChatJson, MessageJson } from './serialize.js';
import type { ChatStatus, ChatType, Customer, OperationId, Sender } from './types.js';

export interface AdminState {
  url: string;
  clock: { now: number; iso: string; offsetMs: number };
  totals: Record<'orders' | 'returns' | 'chats' | 'messages' | 'files', number>;
  businesses: ({ businessId: number } & Record<
    'orders' | 'returns' | 'chats' | 'messages' | 'files',
    number
  >)[];
  credentials: EmulatorCredential[];
  quotas: {
    enabled: boolean;
    scale: number;
    concurrency: number | false;
    limits: Record<OperationId, number>;
    inFlight: Record<string, number>;
    /** Per business id: requests served and 420s by cause since the last counter reset. */
    counters: Record<string, QuotaCounters>;
  };
  faults: FaultRule[];
  notifications: { config: NotificationSettings | null; pending: number; delivered: number; failed: number };
  data?: Record<'orders' | 'returns' | 'chats' | 'messages' | 'files', unknown[]>;
}

export interface AdminPayloadFile {
  name: string;
  base64?: string;
  text?: string;
}

export class AdminClient {
  /** `adminToken`: the emulator's admin token, when it was started with one. */
  constructor(
    private readonly baseUrl: string,
    private readonly adminToken?: string,
  ) {}

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = {};
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.adminToken !== undefined) headers['x-emulator-admin-token'] = this.adminToken;
    const response = await fetch(`${this.baseUrl}/_emulator${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} /_emulator${path} → ${response.status}: ${text}`);
    return JSON.parse(text) as T;
  }

  reset(): Promise<{ status: 'OK' }> {
    return this.call('POST', '/reset', {});
  }

  seed(input: { seed: number; chats?: number; businessId?: number }): Promise<SeedSummary> {
    return this.call('POST', '/seed', input);
  }

  state(full = false): Promise<AdminState> {
    return this.call('GET', full ? '/state?full=1' : '/state');
  }

  createOrder(
    businessId: number,
    input: { orderId?: number; campaignId?: number; customer?: Customer } = {},
  ): Promise<{ businessId: number; orderId: number; campaignId: number; customer: Customer }> {
    return this.call('POST', `/businesses/${businessId}/orders`, input);
  }

  createReturn(
    businessId: number,
    input: { returnId?: number; orderId?: number } = {},
  ): Promise<{ businessId: number; returnId: number; orderId: number }> {
    return this.call('POST', `/businesses/${businessId}/returns`, input);
  }

  createChat(
    businessId: number,
    input: { context: { type: 'ORDER' | 'RETURN' | 'DIRECT'; id?: number }; customer?: Customer },
  ): Promise<{ created: boolean; chat: ChatJson }> {
    return this.call('POST', `/businesses/${businessId}/chats`, input);
  }

  postMessage(
    businessId: number,
    chatId: number,
    input: { sender: Sender; message?: string; payload?: AdminPayloadFile[] },
  ): Promise<MessageJson> {
    return this.call('POST', `/businesses/${businessId}/chats/${chatId}/messages`, input);
  }

  /** Moves an order on: its status (substatus defaults to the status's first), substatus, delivery dates. */
  updateOrder(
    businessId: number,
    orderId: number,
    change: { status?: string; substatus?: string; delivery?: { fromDate?: string; toDate?: string } },
  ): Promise<Record<string, unknown>> {
    return this.call('PATCH', `/businesses/${businessId}/orders/${orderId}`, change);
  }

  /** Moves a return on: its refund state and/or its parcel's state. */
  updateReturn(
    businessId: number,
    returnId: number,
    change: { refundStatus?: string; shipmentStatus?: string },
  ): Promise<Record<string, unknown>> {
    return this.call('PATCH', `/businesses/${businessId}/returns/${returnId}`, change);
  }

  updateChat(
    businessId: number,
    chatId: number,
    change: { status?: ChatStatus; type?: ChatType },
  ): Promise<ChatJson> {
    return this.call('PATCH', `/businesses/${businessId}/chats/${chatId}`, change);
  }

  clock(
    change: { advanceMs: number } | { setMs: number },
  ): Promise<{ now: number; iso: string; offsetMs: number }> {
    return this.call('POST', '/clock', change);
  }

  quotas(settings: {
    enabled?: boolean;
    scale?: number;
    limits?: Partial<Record<OperationId, number>>;
    concurrency?: number | false;
    reset?: boolean;
  }): Promise<unknown> {
    return this.call('POST', '/quotas', settings);
  }

  addFaults(rules: FaultRuleInput[], seed?: number): Promise<{ added: FaultRule[]; rules: FaultRule[] }> {
    return this.call('POST', '/faults', seed === undefined ? { rules } : { rules, seed });
  }

  clearFaults(): Promise<{ rules: FaultRule[] }> {
    return this.call('DELETE', '/faults');
  }

  notifications(): Promise<{ config: NotificationSettings | null; deliveries: Delivery[] }> {
    return this.call('GET', '/notifications');
  }

  configureNotifications(config: NotificationSettings | { url: null }): Promise<unknown> {
    return this.call('POST', '/notifications/config', config);
  }

  addCredential(credential: EmulatorCredential): Promise<{ credentials: EmulatorCredential[] }> {
    return this.call('POST', '/credentials', credential);
  }
}
