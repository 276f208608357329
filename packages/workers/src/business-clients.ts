/**
 * One SDK client per registered business, each with that business's own credential from the registry
 * (opened in memory when a call needs it, never kept anywhere else), behind a single `ChatsApi` that picks
 * the client by the business id every method takes first — so code written for one client (the inbox's
 * replies) serves every registered business.
 */
import {
  ChatsApi,
  type ClientOptions,
  type Id,
  type QuotaStore,
  type RequestOptions,
  ValidationError,
} from '@ym-chats/sdk';
import type { BusinessRegistry } from './registry.js';

export interface RegistryClientOptions {
  registry: BusinessRegistry;
  baseUrl: string;
  pathPrefix?: '' | '/v2';
  /** Shared quota windows and in-flight slots: the same store the workers count against. */
  quotaStore?: QuotaStore;
  /** Extra client settings (timeouts, fetch). */
  client?: Partial<ClientOptions>;
}

/**
 * The business is not (or no longer) registered. A `ValidationError` of the SDK: refused before anything
 * was sent, so a caller written for one client (the inbox's replies) reports it as such, not as a crash.
 */
export class UnregisteredBusinessError extends ValidationError {
  override name = 'UnregisteredBusinessError';
  constructor(businessId: string) {
    super('businessId', `business ${businessId} is not registered`);
  }
}

interface Held {
  secret: string;
  api: ChatsApi;
}

type Args<K extends keyof ChatsApi> = ChatsApi[K] extends (b: Id, ...rest: infer R) => unknown ? R : never;

/**
 * Routes every call to the business's own client. A client is kept while the business's credential
 * stays the same, so its no-duplicate send rules and its quota view carry over from call to call; a
 * replaced credential (`business add` again) gets a fresh client, a removed business an error.
 */
export class RegistryChatsApi extends ChatsApi {
  readonly #options: RegistryClientOptions;
  readonly #clients = new Map<string, Held>();

  constructor(options: RegistryClientOptions) {
    // Every method goes to a business's own client. The base one must name a credential to be built;
    // its placeholder can never leave the process: its transport refuses every request.
    super({
      baseUrl: options.baseUrl,
      pathPrefix: options.pathPrefix ?? '/v2',
      apiKey: 'unused-by-the-registry-router',
      fetch: () => Promise.reject(new Error('RegistryChatsApi sends through each business’s own client')),
    });
    this.#options = options;
  }

  /** The client for `businessId` with its current credential. */
  async clientFor(businessId: Id): Promise<ChatsApi> {
    const id = BigInt(String(businessId));
    const credential = await this.#options.registry.credential(id);
    const key = id.toString();
    if (credential === undefined) {
      this.#clients.delete(key);
      throw new UnregisteredBusinessError(key);
    }
    const held = this.#clients.get(key);
    if (held !== undefined && held.secret === credential.secret) return held.api;
    const { quotaStore, client } = this.#options;
    const api = new ChatsApi({
      ...client,
      ...(credential.kind === 'api-key' ? { apiKey: credential.secret } : { accessToken: credential.secret }),
      baseUrl: this.#options.baseUrl,
      pathPrefix: this.#options.pathPrefix ?? '/v2',
      rateLimit: { ...(quotaStore === undefined ? {} : { store: quotaStore }) },
    });
    this.#clients.set(key, { secret: credential.secret, api });
    return api;
  }

  override async createChat(businessId: Id, ...rest: Args<'createChat'>) {
    return (await this.clientFor(businessId)).createChat(businessId, ...rest);
  }

  override async getChatHistory(businessId: Id, ...rest: Args<'getChatHistory'>) {
    return (await this.clientFor(businessId)).getChatHistory(businessId, ...rest);
  }

  override async getChats(businessId: Id, ...rest: Args<'getChats'>) {
    return (await this.clientFor(businessId)).getChats(businessId, ...rest);
  }

  override async sendFileToChat(businessId: Id, ...rest: Args<'sendFileToChat'>) {
    return (await this.clientFor(businessId)).sendFileToChat(businessId, ...rest);
  }

  override async sendMessageToChat(businessId: Id, ...rest: Args<'sendMessageToChat'>) {
    return (await this.clientFor(businessId)).sendMessageToChat(businessId, ...rest);
  }

  override async getChat(businessId: Id, chatId: Id, options?: RequestOptions) {
    return (await this.clientFor(businessId)).getChat(businessId, chatId, options);
  }

  override async getChatMessage(businessId: Id, chatId: Id, messageId: Id, options?: RequestOptions) {
    return (await this.clientFor(businessId)).getChatMessage(businessId, chatId, messageId, options);
  }

  override async quotaState(businessId: Id) {
    return (await this.clientFor(businessId)).quotaState(businessId);
  }
}
