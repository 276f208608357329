// Bundles the page (Preact + the client code) and its stylesheet into dist/client with esbuild.
import { build } from 'esbuild';

const root = new URL('..', import.meta.url).pathname;
await build({
  absWorkingDir: root,
  entryPoints: [
    { in: 'client/main.tsx', out: 'app' },
    { in: 'client/styles.css', out: 'app' },
  ],
  outdir: 'dist/client',
  bundle: true,
  minify: true,
  format: 'esm',
  target: ['chrome110', 'firefox110', 'safari16'],
  jsx: 'automatic',
  jsxImportSource: 'preact',
  legalComments: 'none',
  logLevel: 'warning',
});
