/**
 * The structure test (`npm run structure`, run by .ci/run): the packages' one-way order from ARCHITECTURE.md,
 * no reaching into another package's files, no import circles. dependency-cruiser resolves `@ym-chats/*`
 * through the root tsconfig's paths, so a name import lands on the package's `src/index.ts` (or
 * `src/internal.ts`) and a relative import into another package shows as a plain local path.
 */
const { readFileSync } = require('node:fs');

/**
 * Which of our packages each may import (ARCHITECTURE.md, "Packages"): the SDK and the emulator none, each
 * package only those below it. An import also needs the dependency declared in the importer's package.json
 * (`dependencies` or `optionalDependencies`), or it breaks once installed from the registry.
 */
const ORDER = {
  sdk: [],
  emulator: [],
  contract: [],
  testkit: ['sdk', 'emulator', 'sync', 'contract'],
  redis: ['sdk'],
  sync: ['sdk'],
  workers: ['sync', 'sdk', 'redis'],
  inbox: ['sync', 'sdk'],
  mcp: ['sdk'],
  cli: ['sdk', 'emulator', 'sync', 'inbox', 'mcp', 'redis', 'workers'],
  reliability: ['sdk', 'emulator', 'contract'],
};
/**
 * Test-only packages every package's tests may use: the emulator serves the integration tests, testkit holds
 * the support several packages' tests share (no package's src may import it: it is in no package's ORDER).
 */
const FOR_TESTS = ['emulator', 'contract', 'testkit'];
/** The contract's own tests check the SDK's tables (operations, quotas) against the vendored specs. */
const TESTS_ALSO = { contract: ['sdk'] };

// A new workspace gets its place in the order before anything else is checked.
const workspaces = JSON.parse(readFileSync(`${__dirname}/package.json`, 'utf8')).workspaces;
const unplaced = workspaces.map((path) => path.replace(/^packages\//, '')).filter((name) => !(name in ORDER));
if (unplaced.length > 0) {
  throw new Error(
    `.dependency-cruiser.cjs: give ${unplaced.join(', ')} a place in ORDER (ARCHITECTURE.md's order)`,
  );
}

function declared(pkg) {
  const manifest = JSON.parse(readFileSync(`${__dirname}/packages/${pkg}/package.json`, 'utf8'));
  const names = Object.keys({ ...manifest.dependencies, ...manifest.optionalDependencies });
  return names.filter((name) => name.startsWith('@ym-chats/')).map((name) => name.slice('@ym-chats/'.length));
}

const packagesPattern = (names) => `^packages/(${names.join('|')})/`;

const orderRules = Object.entries(ORDER).flatMap(([pkg, below]) => {
  const own = declared(pkg);
  const allowed = below.filter((name) => own.includes(name));
  const forTests = [...below, ...FOR_TESTS, ...(TESTS_ALSO[pkg] ?? [])];
  return [
    {
      name: `order-${pkg}`,
      comment: `${pkg} may import ${allowed.length > 0 ? allowed.join(', ') : 'none of our packages'} (ARCHITECTURE.md's one-way order, declared in its package.json)`,
      severity: 'error',
      from: { path: `^packages/${pkg}/(src|bin|scripts)/` },
      to: { path: '^packages/', pathNot: packagesPattern([pkg, ...allowed]) },
    },
    {
      name: `order-${pkg}-tests`,
      comment: `${pkg}'s tests may import ${forTests.join(', ')}`,
      severity: 'error',
      from: { path: `^packages/${pkg}/test/` },
      to: { path: '^packages/', pathNot: packagesPattern([pkg, ...forTests]) },
    },
  ];
});

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-reaching-into-packages',
      comment:
        "another package's src, test or dist files are reached through its name (`@ym-chats/…`) only, never by a relative path; test support several packages share is in @ym-chats/testkit",
      severity: 'error',
      from: { path: '^packages/([^/]+)/' },
      to: {
        path: '^packages/',
        pathNot: '^packages/$1/',
        dependencyTypesNot: ['aliased-tsconfig-paths'],
      },
    },
    {
      name: 'internal-is-for-benches',
      comment:
        "`@ym-chats/<pkg>/internal` (SQL and other internals) is for the benchmarks; packages use each other's public entry",
      severity: 'error',
      from: { path: '^packages/([^/]+)/' },
      to: { path: '^packages/[^/]+/src/internal\\.ts$', pathNot: '^packages/$1/' },
    },
    {
      name: 'page-imports-no-package',
      comment:
        "the inbox's page (client/) is bundled for the browser: it shares the inbox's own rules and types, no other package's code",
      severity: 'error',
      from: { path: '^packages/inbox/client/' },
      to: { path: '^packages/', pathNot: '^packages/inbox/' },
    },
    {
      name: 'no-circular',
      comment: 'an import circle (type-only imports count: they tie the modules together all the same)',
      severity: 'error',
      from: { path: '^(packages|bench)/' },
      to: { circular: true },
    },
    {
      name: 'not-to-unresolvable',
      comment:
        'an import that resolves to nothing (a mistyped path, or a package subpath that is not exported)',
      severity: 'error',
      from: { path: '^(packages|bench)/' },
      // A bench's import of a built dist resolves once `npm run build` has run; before that it is no mistake.
      to: { couldNotResolve: true, pathNot: '(^|/)dist/' },
    },
    ...orderRules,
  ],
  options: {
    // `npm run structure` cruises the sources only (src, test, client, bin, scripts, bench): an import of a
    // built dist shows as a dependency that is not followed, so reaching into another package's dist is seen.
    doNotFollow: { path: ['(^|/)node_modules/', '(^|/)dist/'] },
    // `import type` ties modules together as much as any import: count it.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types'],
    },
  },
};
