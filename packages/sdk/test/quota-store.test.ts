import { MemoryQuotaStore, type QuotaStore } from '@ym-chats/sdk';
import { describeQuotaStoreContract } from '@ym-chats/testkit';

describeQuotaStoreContract('MemoryQuotaStore', {
  // One store shared by every handle: how clients of one process share it.
  async open(count) {
    const store = new MemoryQuotaStore();
    return { stores: Array.from({ length: count }, (): QuotaStore => store), close: async () => {} };
  },
});
