export { startConnectWiseSim } from './app.js';
export { signCallback } from './callback-signature.js';

export * from './fixtures.js';
export type { Seed } from './seed-schema.js';
