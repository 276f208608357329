/**
 * Where every browser test finds Debian's Chromium (no downloaded browsers) and how it starts it, for the
 * inbox's and the CLI's browser tests alike. No playwright import here: every test file loads this index.
 */
import { existsSync } from 'node:fs';

export const CHROMIUM = process.env.YM_CHROMIUM ?? '/usr/bin/chromium';
export const HAVE_CHROMIUM = existsSync(CHROMIUM);
export const CHROMIUM_MISSING = `Chromium not found at ${CHROMIUM} (apt-get install chromium, or set YM_CHROMIUM)`;

/** Headless in a container as root: no sandbox, no GPU, and nothing that reaches out to the network. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
