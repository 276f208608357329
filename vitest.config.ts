import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (pkg: string, entry = 'index') =>
  fileURLToPath(new URL(`./packages/${pkg}/src/${entry}.ts`, import.meta.url));

export default defineConfig({
  resolve: {
    // Tests exercise the TypeScript sources directly; the built dist is what users and the CLI binary run.
    // A string alias also matches as a prefix (`@ym-chats/inbox/…`): the subpath comes before its package.
    alias: {
      '@ym-chats/inbox/internal': src('inbox', 'internal'),
      '@ym-chats/sdk': src('sdk'),
      '@ym-chats/emulator': src('emulator'),
      '@ym-chats/contract': src('contract'),
      '@ym-chats/testkit': src('testkit'),
      '@ym-chats/sync': src('sync'),
      '@ym-chats/inbox': src('inbox'),
      '@ym-chats/mcp': src('mcp'),
      '@ym-chats/redis': src('redis'),
      '@ym-chats/workers': src('workers'),
    },
  },
  test: {
    include: ['packages/*/test/**/*.test.ts'],
    globalSetup: ['packages/reliability/test/global-setup.ts'],
    pool: 'forks',
    // Vitest's default on a 2-core CI machine is one worker, which runs the suite file by file although its
    // longest files (fault runs, multi-process tests) mostly wait on timers and child processes. Two at a
    // time halve the run; every test already isolates its own schema, Redis prefix, ports and temp dirs.
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
