// Bundles the page (Preact + the client code) and its stylesheet into dist/client with esbuild. Writes to a
// fresh directory and renames each file into place, so a test reading dist/client never sees half a file.
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';

const root = new URL('..', import.meta.url).pathname;
const target = join(root, 'dist/client');
mkdirSync(target, { recursive: true });
const staging = mkdtempSync(join(root, 'dist/.client-'));
try {
  await build({
    absWorkingDir: root,
    entryPoints: [
      { in: 'client/main.tsx', out: 'app' },
      { in: 'client/styles.css', out: 'app' },
    ],
    outdir: staging,
    bundle: true,
    minify: true,
    format: 'esm',
    target: ['chrome110', 'firefox110', 'safari16'],
    jsx: 'automatic',
    jsxImportSource: 'preact',
    legalComments: 'none',
    logLevel: 'warning',
  });
  // The tab's icon, as drawn (no bundling needed).
  copyFileSync(join(root, 'client/favicon.svg'), join(staging, 'favicon.svg'));
  for (const name of readdirSync(staging)) renameSync(join(staging, name), join(target, name));
} finally {
  rmSync(staging, { recursive: true, force: true });
}
