// The shared test support. One entry point (the tsconfig path and the vitest alias name only this file).
export * from './chromium.js';
export * from './emulator.js';
export * from './engines.js';
export * from './metrics-text.js';
export * from './notifications.js';
export * from './postgres.js';
export * from './quota-store-contract.js';
